import FleetModel

/// Everything a state database holds except locks: what `cloudctl state copy` moves from one backend to another.
/// Locks stay behind on purpose: a lease is a claim on the database it was taken in, not state.
public struct StateSnapshot: Sendable, Equatable {
    /// The fleet the database belongs to; nil before the first writing open recorded one.
    public var fleet: String?
    /// Sorted by name.
    public var instances: [RecordedInstance]
    /// Oldest first, each with its steps; ids as stored, so history reads the same after a copy.
    public var operations: [OperationRecord]
    /// Oldest first; ids as stored.
    public var rolloutDecisions: [RolloutDecisionRecord]
    /// Every shard's mark of every wave of every sharded run, sorted by run, wave and shard.
    public var waveRecords: [WaveRecord]

    public init(
        fleet: String?, instances: [RecordedInstance] = [], operations: [OperationRecord] = [],
        rolloutDecisions: [RolloutDecisionRecord] = [], waveRecords: [WaveRecord] = []
    ) {
        self.fleet = fleet
        self.instances = instances
        self.operations = operations
        self.rolloutDecisions = rolloutDecisions
        self.waveRecords = waveRecords
    }

    /// e.g. "2 recorded instances, 3 operations and 9 steps, 1 rollout decision, 4 wave barrier marks".
    public var summary: String {
        let steps = operations.reduce(0) { $0 + $1.steps.count }
        return "\(instances.count) recorded instances, \(operations.count) operations and \(steps) steps, "
            + "\(Self.count(rolloutDecisions.count, "rollout decision")), "
            + "\(Self.count(waveRecords.count, "wave barrier mark"))"
    }

    private static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}
