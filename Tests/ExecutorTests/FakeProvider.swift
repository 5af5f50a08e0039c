import Foundation
import FleetModel

/// A scripted cloud: records calls, fails chosen steps, can hold one step until released, measures concurrency.
actor FakeProvider: CloudProvider {
    /// Which step of which instance a call was.
    struct Call: Hashable, Sendable, CustomStringConvertible {
        var instance: String
        var action: StepAction
        var resource: ResourceKind
        init(_ instance: String, _ action: StepAction, _ resource: ResourceKind) {
            self.instance = instance; self.action = action; self.resource = resource
        }
        var description: String { "\(instance) \(action.rawValue) \(resource.rawValue)" }
    }

    private(set) var calls: [Call] = []
    private(set) var maxInFlight = 0
    /// Calls that saw their task cancelled; a cloud call must never see the apply's cancellation.
    private(set) var cancelledCalls: [Call] = []
    private var inFlight = 0
    /// Errors to throw per call; `remaining == nil` means forever.
    private var failures: [Call: (error: CloudError, remaining: Int?)] = [:]
    private var latency: Duration?
    private var probe: (@Sendable (Call) -> Void)?
    private var blocked: Call?
    private var blockedCall: CheckedContinuation<Void, Never>?
    private var blockWatchers: [CheckedContinuation<Void, Never>] = []

    func fail(_ call: Call, with error: CloudError, times: Int? = nil) { failures[call] = (error, times) }
    /// Makes every call take `latency` of real time, so parallel calls overlap.
    func setLatency(_ latency: Duration) { self.latency = latency }
    /// Runs `probe` at the start of every call (e.g. to look at the journal while the step runs).
    func setProbe(_ probe: @escaping @Sendable (Call) -> Void) { self.probe = probe }
    /// Holds `call` when it arrives until `release()`.
    func block(_ call: Call) { blocked = call }

    func waitUntilBlocked() async {
        if blockedCall != nil { return }
        await withCheckedContinuation { blockWatchers.append($0) }
    }

    func release() {
        blockedCall?.resume()
        blockedCall = nil
    }

    func perform(_ step: PlanStep, context: StepContext) async throws -> StepOutcome {
        let call = Call(context.spec.name, step.action, step.resource)
        calls.append(call)
        probe?(call)
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
        defer { inFlight -= 1 }
        if let latency { try? await Task.sleep(for: latency) }
        if call == blocked {
            blocked = nil
            await withCheckedContinuation { continuation in
                blockedCall = continuation
                blockWatchers.forEach { $0.resume() }
                blockWatchers = []
            }
        }
        if Task.isCancelled { cancelledCalls.append(call) }
        if let failure = failures[call] {
            if let remaining = failure.remaining {
                failures[call] = remaining > 1 ? (failure.error, remaining - 1) : nil
            }
            throw failure.error
        }
        return StepOutcome(cloudId: step.action == .delete ? nil : "\(step.resource.rawValue)-\(call.instance)", note: "ok", calls: 1)
    }
}

extension CloudError {
    static let throttled = CloudError(kind: .throttling, operation: "rds:CreateDBInstance", code: "Throttling", message: "Rate exceeded", httpStatus: 400)
    static let invalid = CloudError(kind: .validation, operation: "rds:CreateDBInstance", code: "InvalidParameterValue", message: "bad class", httpStatus: 400)
}
