import Foundation
import FleetModel
import StateBackend

/// `cloudctl state check` and `cloudctl state copy` on PostgreSQL.
extension PostgresStateStore: ConsistencyChecking {
    public func consistencyProblems() async throws -> [ConsistencyProblem] {
        try await perform { connection, _ in
            let running = try connection.query(
                ConsistencyQueries.runningWithoutLock(statusPlaceholder: "$1", now: Self.databaseNow),
                [StepStatus.running.postgresValue]
            ) { row in
                ConsistencyProblem.runningWithoutLock(
                    instance: try row.column(0), stepID: try row.column(1), stepIndex: try row.column(2))
            }
            let orphaned = try connection.query(ConsistencyQueries.resourceWithoutOperation) { row in
                ConsistencyProblem.resourceWithoutOperation(instance: try row.column(0), kind: try row.column(1))
            }
            return (running + orphaned).sorted { $0.instance < $1.instance }
        }
    }

    /// Thrown by `importState` when the target already holds state.
    public struct NotEmpty: Error, Sendable, Equatable {
        /// e.g. "3 recorded instances, 7 operations".
        public var contents: String
    }

    /// Writes `snapshot` (recorded state; operations and steps, rollout decisions with their ids; wave barrier marks;
    /// the fleet name) into this database in one transaction; refuses (`NotEmpty`) a database that holds any of these
    /// or a lock already.
    public func importState(_ snapshot: StateSnapshot) async throws {
        try await writing { connection, _ in
            // Holds off a concurrent apply (or a second copy) until the copy commits.
            try connection.execute(
                """
                LOCK TABLE instances, operations, steps, locks, meta, rollout_decisions, wave_barriers
                IN EXCLUSIVE MODE
                """)
            let counts = try connection.query(
                """
                SELECT (SELECT count(*) FROM instances), (SELECT count(*) FROM operations),
                    (SELECT count(*) FROM locks), (SELECT count(*) FROM meta),
                    (SELECT count(*) FROM rollout_decisions), (SELECT count(*) FROM wave_barriers)
                """
            ) { row in try (0..<6).map { try row.column($0, as: Int64.self) } }[0]
            guard counts.allSatisfy({ $0 == 0 }) else {
                throw NotEmpty(
                    contents: "\(counts[0]) recorded instances, \(counts[1]) operations, \(counts[2]) locks, "
                        + "\(counts[4]) rollout decisions, \(counts[5]) wave barrier marks")
            }
            if let fleet = snapshot.fleet {
                try connection.execute("INSERT INTO meta (key, value) VALUES ('fleet', $1)", [fleet.postgresValue])
            }
            for instance in snapshot.instances { try Self.save(instance, in: connection) }
            // Oldest first, so ids keep their order even in a database that renumbers nothing.
            for operation in snapshot.operations.sorted(by: { $0.id < $1.id }) {
                try Self.insert(operation, in: connection)
            }
            for decision in snapshot.rolloutDecisions.sorted(by: { $0.id < $1.id }) {
                try Self.insert(decision, in: connection)
            }
            for record in snapshot.waveRecords { try Self.insert(record, in: connection) }
            // New rows continue after the copied ids.
            for table in ["operations", "steps", "rollout_decisions"] {
                try connection.execute(
                    """
                    SELECT setval(pg_get_serial_sequence('\(table)', 'id'), GREATEST((SELECT max(id) FROM \(table)), 1),
                        (SELECT max(id) FROM \(table)) IS NOT NULL)
                    """)
            }
        }
    }

    private static func insert(_ operation: OperationRecord, in connection: Connection) throws {
        try connection.execute(
            """
            INSERT INTO operations (id, instance, kind, holder, result, error, started_at, finished_at, run_id,
                git_commit, git_dirty)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """,
            [
                operation.id.postgresValue, operation.instance.postgresValue, operation.kind.postgresValue,
                operation.holder.postgresValue, operation.result.postgresValue, operation.error.postgresValue,
                operation.startedAt.postgresValue, operation.finishedAt.postgresValue,
                (operation.run?.id).postgresValue, (operation.run?.commit).postgresValue,
                (operation.run?.dirty).postgresValue,
            ])
        for step in operation.steps {
            try connection.execute(
                """
                INSERT INTO steps (id, operation_id, instance, step_index, action, resource, reason, inputs_hash,
                    status, attempts, cloud_id, note, error, started_at, finished_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                """,
                [
                    step.id.postgresValue, step.operationId.postgresValue, step.instance.postgresValue,
                    step.index.postgresValue, step.action.postgresValue, step.resource.postgresValue,
                    step.reason.postgresValue, step.inputsHash.postgresValue, step.status.postgresValue,
                    step.attempts.postgresValue, step.cloudId.postgresValue, step.note.postgresValue,
                    step.error.postgresValue, step.startedAt.postgresValue, step.finishedAt.postgresValue,
                ])
        }
    }

    private static func insert(_ decision: RolloutDecisionRecord, in connection: Connection) throws {
        let instances = InstanceNamesColumn.text(decision.instances)
        try connection.execute(
            """
            INSERT INTO rollout_decisions (id, version, kind, channel, wave, instances, actor, note, at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """,
            [
                decision.id.postgresValue, decision.version.postgresValue, decision.kind.postgresValue,
                decision.channel.postgresValue, decision.wave.postgresValue, instances.postgresValue,
                decision.actor.postgresValue, decision.note.postgresValue, decision.at.postgresValue,
            ])
    }

    private static func insert(_ record: WaveRecord, in connection: Connection) throws {
        try connection.execute(
            """
            INSERT INTO wave_barriers (run, wave, shard, shards, status, holder, finished_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """,
            [
                record.run.postgresValue, record.wave.postgresValue, record.shard.postgresValue,
                record.shards.postgresValue, record.status.postgresValue, record.holder.postgresValue,
                record.finishedAt.postgresValue,
            ])
    }
}
