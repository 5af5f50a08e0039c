import Foundation
import FleetModel
import Planner
import Store

/// Something that reports progress of an apply (terminal live lines, plain timestamped lines, tests).
public protocol ApplyObserver: Sendable {
    func instanceStarted(_ name: String, steps: Int)
    func stepStarted(_ name: String, index: Int, of total: Int, step: PlanStep)
    func stepRetrying(_ name: String, step: PlanStep, attempt: Int, error: CloudError, delay: Duration)
    func stepFinished(_ name: String, index: Int, step: PlanStep, status: StepStatus, error: String?)
    func instanceFinished(_ name: String, result: OperationResult)
}

/// Tunables of one apply.
public struct ExecutorOptions: Sendable {
    public var parallelism: Int = 8
    /// Retries after the first attempt for retryable cloud errors.
    public var maxRetries: Int = 5
    public var baseDelay: Duration = .milliseconds(200)
    public var maxDelay: Duration = .seconds(10)
    public var lockLease: TimeInterval = 300
    /// Run disruptive steps even outside the instance's maintenance window.
    public var ignoreMaintenanceWindow: Bool = false
    public var holder: String
    public init(holder: String) { self.holder = holder }
}

/// Outcome of one instance in an apply.
public struct InstanceApplyResult: Sendable, Equatable {
    public var name: String
    public var result: OperationResult
    public var error: String?
    public init(name: String, result: OperationResult, error: String?) { self.name = name; self.result = result; self.error = error }
}

/// Outcome of a whole apply; the CLI exits 1 unless every instance succeeded.
public struct ApplyReport: Sendable, Equatable {
    public var instances: [InstanceApplyResult]
    public init(instances: [InstanceApplyResult]) { self.instances = instances }
    public var succeeded: Bool { instances.allSatisfy { $0.result == .succeeded || $0.result == .deferred } }
}

/// Runs a plan: per-instance locks, journaled steps, bounded parallelism, retries, cancellation.
public struct Executor: Sendable {
    // TODO(helper: Executor) — placeholder bodies; signatures are the contract.
    public init(store: StateStore, provider: any CloudProvider, options: ExecutorOptions,
                observer: any ApplyObserver, clock: @escaping @Sendable () -> Date = { Date() },
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {}

    /// Applies `plan` to the instances in `specs` (looked up by name). Cancellation of the calling task stops new steps.
    public func apply(_ plan: Plan, fleet: Fleet, specs: [String: InstanceSpec]) async -> ApplyReport {
        ApplyReport(instances: [])
    }
}
