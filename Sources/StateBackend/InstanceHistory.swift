import Foundation

/// The recent journal of one instance, as the fleet page shows it.
public struct InstanceHistory: Sendable, Equatable {
    /// Newest first; `steps` of each operation may be empty (the page reads `steps` below instead).
    public var operations: [OperationRecord]
    /// Newest first.
    public var steps: [StepRecord]

    public init(operations: [OperationRecord] = [], steps: [StepRecord] = []) {
        self.operations = operations
        self.steps = steps
    }
}

/// A backend that reads many instances' recent journals in one go (SQLite: one transaction, no thread hop per
/// instance). Backends without it are read through `StateBackend.histories`, one instance at a time.
public protocol BatchHistoryReading: StateBackend {
    /// For each name, its newest `operations` operations and newest `steps` steps, with what the page shows:
    /// operations without their steps and run; steps without reason, inputs hash, cloud id, note and start (empty).
    func batchHistories(_ instances: [String], operations: Int, steps: Int) async throws -> [String: InstanceHistory]
}

extension StateBackend {
    /// For each name, its newest `operations` operations and newest `steps` steps: in one batch when the backend
    /// supports it (with only the fields the page shows, see `BatchHistoryReading`), else two reads per instance.
    public func histories(_ instances: [String], operations: Int, steps: Int) async throws -> [String: InstanceHistory]
    {
        if let batch = self as? any BatchHistoryReading {
            return try await batch.batchHistories(instances, operations: operations, steps: steps)
        }
        var result: [String: InstanceHistory] = [:]
        for name in instances {
            result[name] = InstanceHistory(
                operations: try await self.operations(instance: name, limit: operations),
                steps: try await recentSteps(instance: name, limit: steps))
        }
        return result
    }
}
