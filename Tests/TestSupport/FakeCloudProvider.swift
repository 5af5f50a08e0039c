import Foundation
import FleetModel
import ProviderAPI

/// A scripted cloud for executor and CLI tests: records calls, fails chosen steps, can hold one step until released,
/// measures concurrency.
public actor FakeCloudProvider: CloudProvider {
    /// Which step of which instance a call was.
    public struct Call: Hashable, Sendable, CustomStringConvertible {
        public var instance: String
        public var action: StepAction
        public var resource: ResourceKind
        public init(_ instance: String, _ action: StepAction, _ resource: ResourceKind) {
            self.instance = instance
            self.action = action
            self.resource = resource
        }
        public var description: String { "\(instance) \(action.rawValue) \(resource.rawValue)" }
    }

    public private(set) var calls: [Call] = []
    /// The context of every call, in order: what a provider was told about the instance.
    public private(set) var contexts: [StepContext] = []
    public private(set) var maxInFlight = 0
    /// Calls that saw their task cancelled; a cloud call must never see the apply's cancellation.
    public private(set) var cancelledCalls: [Call] = []
    private var inFlight = 0
    /// Resources whose every step fails with a validation error, for any instance.
    private let failingResources: Set<ResourceKind>
    /// Errors to throw per call; `remaining == nil` means forever.
    private var failures: [Call: (error: CloudError, remaining: Int?)] = [:]
    private var latency: Duration?
    private var probe: (@Sendable (Call) async -> Void)?
    private var blocked: Call?
    private var blockedCall: CheckedContinuation<Void, Never>?
    private var blockWatchers: [CheckedContinuation<Void, Never>] = []

    private let unsupported: Set<ResourceKind>

    public init(failing resources: Set<ResourceKind> = [], unsupported: Set<ResourceKind> = []) {
        failingResources = resources
        self.unsupported = unsupported
    }

    /// Every call as `acme create network`.
    public var steps: [String] { calls.map(\.description) }

    public func fail(_ call: Call, with error: CloudError, times: Int? = nil) { failures[call] = (error, times) }
    /// Makes every call take `latency` of real time, so parallel calls overlap.
    public func setLatency(_ latency: Duration) { self.latency = latency }
    /// Runs `probe` at the start of every call (e.g. to look at the journal while the step runs).
    public func setProbe(_ probe: @escaping @Sendable (Call) async -> Void) { self.probe = probe }
    /// Holds `call` when it arrives until `release()`.
    public func block(_ call: Call) { blocked = call }

    public func waitUntilBlocked() async {
        if blockedCall != nil { return }
        await withCheckedContinuation { blockWatchers.append($0) }
    }

    public func release() {
        blockedCall?.resume()
        blockedCall = nil
    }

    /// Steps it refuses before any call (the dry run): resources in `unsupported`.
    public nonisolated func check(_ step: PlanStep) -> String? {
        unsupported.contains(step.resource) ? "the fake provider refuses \(step.resource.rawValue)" : nil
    }

    /// What `observe` answers; nil makes it fail like an unreachable cloud.
    public private(set) var observation: CloudObservation? = CloudObservation()
    /// Observation requests received, in order.
    public private(set) var observationRequests: [ObservationRequest] = []
    public func setObservation(_ observation: CloudObservation?) { self.observation = observation }

    public func observe(_ request: ObservationRequest, onCallRetry: CallRetryReport?) async throws -> CloudObservation {
        observationRequests.append(request)
        guard var observation else {
            throw CloudError(kind: .connection, operation: "fake:observe", code: "Unreachable", message: "no cloud")
        }
        observation.regions = request.regions
        return observation
    }

    public func perform(_ step: PlanStep, context: StepContext) async throws -> StepOutcome {
        let call = Call(context.identity.name, step.action, step.resource)
        contexts.append(context)
        calls.append(call)
        await probe?(call)
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
        if failingResources.contains(step.resource) {
            throw CloudError(
                kind: .validation, operation: "fake:\(step.resource.rawValue)", code: "Broken", message: "fake failure")
        }
        if let failure = failures[call] {
            if let remaining = failure.remaining {
                failures[call] = remaining > 1 ? (failure.error, remaining - 1) : nil
            }
            throw failure.error
        }
        return StepOutcome(
            cloudId: step.action == .delete ? nil : "\(step.resource.rawValue)-\(call.instance)", note: "ok", calls: 1)
    }
}

extension CloudError {
    public static let throttled = CloudError(
        kind: .throttling, operation: "rds:CreateDBInstance", code: "Throttling", message: "Rate exceeded",
        httpStatus: 400)
    public static let invalid = CloudError(
        kind: .validation, operation: "rds:CreateDBInstance", code: "InvalidParameterValue", message: "bad class",
        httpStatus: 400)
}
