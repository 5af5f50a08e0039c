/// One inconsistency `cloudctl state check` found in a state database.
public struct ConsistencyProblem: Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: String, Sendable, Equatable {
        /// A step journaled `running` while no live lock covers its instance: its run died unnoticed.
        case runningWithoutLock = "running-without-lock"
        /// A recorded resource of an instance that no journaled operation ever touched.
        case resourceWithoutOperation = "resource-without-operation"
    }

    public var kind: Kind
    public var instance: String
    /// The step (id and 1-based position) or resource kind concerned.
    public var detail: String

    public init(kind: Kind, instance: String, detail: String) {
        self.kind = kind
        self.instance = instance
        self.detail = detail
    }

    public var description: String {
        switch kind {
        case .runningWithoutLock: "\(instance): \(detail) is journaled running, but no live lock covers the instance"
        case .resourceWithoutOperation: "\(instance): resource \(detail) is recorded, but no operation is journaled"
        }
    }
}

/// A backend that can check its own consistency (lease liveness by its own clock, in one query each).
public protocol ConsistencyChecking: Sendable {
    /// Every problem found, sorted by instance; empty when consistent.
    func consistencyProblems() async throws -> [ConsistencyProblem]
}
