import Foundation
import XCTest
import StateBackend
import FleetModel
@testable import Store

/// `SQLiteStateStore.snapshot()`, the read side of `cloudctl state copy`: everything the file holds but locks.
final class StateSnapshotTests: XCTestCase {
    static let decisions = [
        RolloutDecisionRecord(
            version: Version(5, 4, 0), kind: .advance, channel: "stable", wave: "internal",
            instances: ["acme", "globex"], actor: "me@host", at: Instants.at(10)),
        RolloutDecisionRecord(
            version: Version(5, 4, 0), kind: .halt, channel: "stable", wave: "early", instances: ["globex"],
            actor: "me@host", note: "1 of 1 failed, budget 0", at: Instants.at(20)),
        RolloutDecisionRecord(
            version: Version(5, 4, 0), kind: .approve, channel: "stable", wave: "early", actor: "you@host",
            at: Instants.at(30)),
    ]
    static let waveMarks = [
        WaveRecord(
            run: "run-1", wave: 0, shard: 1, shards: 2, status: .finished, holder: "a@h", finishedAt: Instants.at(1)),
        WaveRecord(
            run: "run-1", wave: 0, shard: 2, shards: 2, status: .finished, holder: "b@h", finishedAt: Instants.at(2)),
        WaveRecord(
            run: "run-1", wave: 1, shard: 1, shards: 2, status: .failed, holder: "a@h", finishedAt: Instants.at(3)),
        WaveRecord(
            run: "run-2", wave: 0, shard: 1, shards: 1, status: .finished, holder: "c@h", finishedAt: Instants.at(4)),
    ]

    func testTheSnapshotHoldsStateHistoryDecisionsAndWaveMarksButNoLocks() async throws {
        let store = try SQLiteStateStore(path: temporaryDatabasePath(), fleet: "demo")
        for name in ["globex", "acme"] {
            try await store.acquireLock(instance: name, holder: "run", lease: 60)
            let operation = try await store.beginOperation(
                instance: name, kind: "apply", holder: "run", now: Instants.t0)
            let step = try await store.beginStep(
                operationId: operation, instance: name, index: 0, step: .sample(), now: Instants.at(1))
            try await store.finishStep(
                step, status: .succeeded, attempts: 1, cloudId: "vpc-\(name)", note: nil, error: nil,
                now: Instants.at(2))
            try await store.recordNotStarted(
                operationId: operation, instance: name, steps: [(index: 1, step: .sample(.create, .key))],
                now: Instants.at(3))
            try await store.saveRecorded(
                RecordedInstance(
                    name: name, region: "us-east-1",
                    resources: [.network: RecordedResource(cloudId: "vpc-\(name)", inputsHash: "h")]))
            try await store.finishOperation(operation, result: .succeeded, error: nil, now: Instants.at(4))
        }
        // globex's lock stays held: a lease is not state, so the snapshot leaves it out.
        try await store.releaseLock(instance: "acme", holder: "run")
        for decision in Self.decisions { try await store.recordRolloutDecision(decision) }
        for mark in Self.waveMarks.reversed() { try await store.recordWave(mark) }

        let snapshot = try await store.snapshot()

        XCTAssertEqual(snapshot.fleet, "demo")
        let instances = try await store.recordedInstances()
        XCTAssertEqual(snapshot.instances, instances)
        let history = try await store.operations(instance: nil, since: nil, limit: 100)
        XCTAssertEqual(snapshot.operations, history.reversed(), "oldest first, steps included")
        let statuses: [[StepStatus]] = [[.succeeded, .notStarted], [.succeeded, .notStarted]]
        XCTAssertEqual(snapshot.operations.map { $0.steps.map(\.status) }, statuses)
        let decisions = try await store.rolloutDecisions(version: nil, since: nil, limit: 100)
        XCTAssertEqual(snapshot.rolloutDecisions, decisions)
        XCTAssertEqual(snapshot.rolloutDecisions.map(\.kind), [.advance, .halt, .approve])
        XCTAssertEqual(snapshot.waveRecords, Self.waveMarks, "every mark, sorted by run, wave and shard")
        XCTAssertEqual(
            snapshot.summary,
            "2 recorded instances, 2 operations and 4 steps, 3 rollout decisions, 4 wave barrier marks")
    }

    /// A file from before migrations 006 and 007, opened read-only (no migrating): no decisions, no marks, no error.
    func testAnOlderFileOpenedReadOnlyHasNoDecisionsOrWaveMarks() async throws {
        let path = temporaryDatabasePath()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        do {
            let database = try Database(path: path)
            let older = Migrations.all.filter { !["006-rollout-decisions", "007-wave-barriers"].contains($0.id) }
            try Migrations.apply(older, to: database)
        }
        let reader = try SQLiteStateStore(path: path, access: .readOnly)
        let snapshot = try await reader.snapshot()
        XCTAssertEqual(snapshot, StateSnapshot(fleet: nil))
    }
}
