import Foundation
import FleetModel
import ProviderAPI
import StateBackend
@testable import Executor

/// A value shared with concurrently running code under a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    var current: Value { lock.withLock { value } }
    func mutate(_ change: (inout Value) -> Void) { lock.withLock { change(&value) } }
}

/// Observer that keeps every event as a line, e.g. `finished acme succeeded`.
final class RecordingObserver: ApplyObserver {
    let events = Locked<[String]>([])
    let retryDelays = Locked<[Duration]>([])

    func instanceStarted(_ name: String, steps: Int) { add("started \(name) \(steps)") }
    func stepStarted(_ name: String, index: Int, of total: Int, step: PlanStep) {
        add("step \(name) \(index + 1)/\(total)")
    }
    func stepRetrying(_ name: String, step: PlanStep, attempt: Int, error: CloudError, delay: Duration) {
        add("retry \(name) \(step.resource.rawValue) after attempt \(attempt): \(error.code)")
        retryDelays.mutate { $0.append(delay) }
    }
    func stepFinished(_ name: String, index: Int, step: PlanStep, status: StepStatus, error: String?) {
        add("step \(name) \(index + 1) \(status.rawValue)")
    }
    func instanceFinished(_ name: String, result: OperationResult) { add("finished \(name) \(result.rawValue)") }
    func instanceWaitingForLock(_ name: String, holder: String) { add("waiting \(name) \(holder)") }

    private func add(_ event: String) { events.mutate { $0.append(event) } }
}
