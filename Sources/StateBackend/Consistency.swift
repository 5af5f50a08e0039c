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

/// The two questions `state check` asks, in the SQL both backends run: each passes its placeholder for the
/// `running` status and its clock expression, and maps rows with `ConsistencyProblem`'s constructors below.
public enum ConsistencyQueries {
    /// Rows (instance, step id, step index) of steps journaled `running` while no live lock covers their instance.
    public static func runningWithoutLock(statusPlaceholder: String, now: String) -> String {
        """
        SELECT s.instance, s.id, s.step_index FROM steps s WHERE s.status = \(statusPlaceholder) AND NOT EXISTS (
            SELECT 1 FROM locks l WHERE l.instance = s.instance AND l.lease_until > \(now))
        ORDER BY s.instance, s.id
        """
    }

    /// Rows (instance, resource kind) of recorded resources whose instance has no journaled operation.
    public static let resourceWithoutOperation = """
        SELECT r.instance, r.kind FROM resources r
        WHERE NOT EXISTS (SELECT 1 FROM operations o WHERE o.instance = r.instance) ORDER BY r.instance, r.kind
        """
}

extension ConsistencyProblem {
    /// A row of `ConsistencyQueries.runningWithoutLock`.
    public static func runningWithoutLock(instance: String, stepID: Int64, stepIndex: Int) -> Self {
        Self(kind: .runningWithoutLock, instance: instance, detail: "step \(stepIndex + 1) (id \(stepID))")
    }

    /// A row of `ConsistencyQueries.resourceWithoutOperation`.
    public static func resourceWithoutOperation(instance: String, kind: String) -> Self {
        Self(kind: .resourceWithoutOperation, instance: instance, detail: kind)
    }
}
