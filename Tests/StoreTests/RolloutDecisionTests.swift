import Foundation
import XCTest
import StateBackend
import FleetModel
@testable import Store

final class RolloutDecisionTests: XCTestCase {
    func testDecisionsRoundTripAndFilter() async throws {
        let store = try makeStore()
        let decisions = [
            RolloutDecisionRecord(
                version: Version(5, 4, 0), kind: .advance, channel: "stable", wave: "internal",
                instances: ["int-a", "int-b"], actor: "me@host", at: Instants.at(0)),
            RolloutDecisionRecord(
                version: Version(5, 4, 0), kind: .halt, channel: "stable", wave: "early", instances: ["cust-01"],
                actor: "me@host", note: "1 of 3 failed, budget 0", at: Instants.at(10)),
            RolloutDecisionRecord(
                version: Version(5, 4, 1), kind: .approve, channel: "stable", wave: "early", actor: "you@host",
                at: Instants.at(20)),
        ]
        for decision in decisions { try await store.recordRolloutDecision(decision) }
        let cases: [(version: Version?, since: Date?, limit: Int, expected: [RolloutDecisionKind])] = [
            (nil, nil, 10, [.advance, .halt, .approve]),
            (Version(5, 4, 0), nil, 10, [.advance, .halt]),
            (nil, Instants.at(5), 10, [.halt, .approve]),
            (nil, nil, 2, [.halt, .approve]),
        ]
        for (version, since, limit, expected) in cases {
            let found = try await store.rolloutDecisions(version: version, since: since, limit: limit)
            XCTAssertEqual(found.map(\.kind), expected, "\(String(describing: version)) \(String(describing: since))")
        }
        let all = try await store.rolloutDecisions(version: nil, since: nil, limit: 10)
        XCTAssertEqual(all.map(\.instances), decisions.map(\.instances))
        XCTAssertTrue(all.allSatisfy { $0.id > 0 }, "the store assigns ids")
        XCTAssertEqual(all[1].note, "1 of 3 failed, budget 0")
        XCTAssertEqual(all[1].at, Instants.at(10))
    }

    /// A file from before migration 005, opened read-only (no migrating): no decisions, no error.
    func testReadOnlyOlderFileHasNoDecisions() async throws {
        let path = temporaryDatabasePath()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        do {
            let database = try Database(path: path)
            try Migrations.apply(Migrations.all.filter { $0.id != "006-rollout-decisions" }, to: database)
        }
        let reader = try SQLiteStateStore(path: path, access: .readOnly)
        let found = try await reader.rolloutDecisions(version: nil, since: nil, limit: 10)
        XCTAssertEqual(found, [])
    }
}
