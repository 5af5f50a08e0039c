import Foundation
import XCTest
import FleetModel
import TestSupport
@testable import Rollout

/// The gates between waves: previous wave done, failure budget, bake time, approval.
final class WaveGateTests: XCTestCase {
    private let version = Version(5, 3, 0)
    private let old = Version(5, 2, 3)
    private let now = Date(timeIntervalSinceReferenceDate: 1_000_000)

    /// Channel `stable`: wave `internal` (two internal instances) then `rest` (one production instance).
    private func fleet(bake: String? = nil, maxFailures: FailureBudget? = nil, approval: Bool = false) -> Fleet {
        var fleet = Fixtures.fleet()
        fleet.channels = [
            "stable": Channel(waves: [
                Wave(
                    name: "internal", types: [.internal], bake: bake.flatMap { GateDuration(parsing: $0) },
                    maxFailures: maxFailures),
                Wave(name: "rest", approval: approval),
            ])
        ]
        return fleet
    }

    private let specs = [
        Fixtures.spec("one", version: Version(5, 3, 0), type: .internal),
        Fixtures.spec("two", version: Version(5, 3, 0), type: .internal),
        Fixtures.spec("acme", version: Version(5, 2, 3)),
    ]

    private func healthy(_ name: String, hoursAgo: Double) -> InstanceObservation {
        InstanceObservation(
            name: name, desired: version, running: version, lastRun: .succeeded,
            healthyAt: now.addingTimeInterval(-hoursAgo * 3600))
    }

    func testGatesOnTheSecondWave() {
        let failedTwo = InstanceObservation(
            name: "two", desired: version, running: old, lastRun: .failed, healthyAt: nil)
        let applyingTwo = InstanceObservation(name: "two", desired: version, running: old, lastRun: nil, healthyAt: nil)
        let approveRest = GateDecision(kind: .approve, channel: "stable", wave: "rest", at: now)
        let approveInternal = GateDecision(kind: .approve, channel: "stable", wave: "internal", at: now)
        let cases:
            [(
                name: String, fleet: Fleet, two: InstanceObservation, decisions: [GateDecision], closures: [String]
            )] = [
                ("open", fleet(), healthy("two", hoursAgo: 1), [], []),
                (
                    "previous applying", fleet(), applyingTwo, [],
                    ["wave internal: 1 of 2 healthy, 1 still to apply or fix"]
                ),
                (
                    "bake left", fleet(bake: "48h"), healthy("two", hoursAgo: 17), [],
                    ["wave internal: bake 31h of 48h left"]
                ),
                ("bake over", fleet(bake: "12h"), healthy("two", hoursAgo: 17), [], []),
                ("halted", fleet(), failedTwo, [], ["wave internal: 1 of 2 failed, budget 0 — halted"]),
                ("within budget", fleet(maxFailures: .count(1)), failedTwo, [], []),
                ("percent budget", fleet(maxFailures: .percent(50)), failedTwo, [], []),
                ("approved past a halt", fleet(), failedTwo, [approveInternal], []),
                (
                    "approval needed", fleet(approval: true), healthy("two", hoursAgo: 1), [],
                    ["wave rest: needs approval (rollout advance VERSION --approve rest)"]
                ),
                ("approval given", fleet(approval: true), healthy("two", hoursAgo: 1), [approveRest], []),
            ]
        for (name, fleet, two, decisions, closures) in cases {
            let plan = RolloutPlan.make(version: version, fleet: fleet, specs: specs)
            let observations = ["one": healthy("one", hoursAgo: 20), "two": two]
            let statuses = WaveGate.evaluate(plan, observations: observations, decisions: decisions, now: now)
            XCTAssertEqual(statuses.map(\.wave.label), ["internal", "rest"], name)
            XCTAssertEqual(statuses[1].closures.map(\.description), closures, name)
            let steps = RolloutAdvance.next(plan, statuses: statuses)
            if closures.isEmpty {
                XCTAssertEqual(
                    steps, [.edit(statuses[1].wave, [RolloutMember(name: "acme", from: old, hops: [version])])], name)
            } else {
                XCTAssertEqual(steps, [.held(statuses[1].wave, statuses[1].closures)], name)
            }
        }
    }

    func testCountsPerWave() {
        let plan = RolloutPlan.make(version: version, fleet: fleet(bake: "1h"), specs: specs)
        let observations = [
            "one": healthy("one", hoursAgo: 3),
            "two": InstanceObservation(name: "two", desired: version, running: old, lastRun: .deferred, healthyAt: nil),
        ]
        let statuses = WaveGate.evaluate(plan, observations: observations, decisions: [], now: now)
        let first = statuses[0]
        XCTAssertEqual(
            [first.total, first.onVersion, first.healthy, first.failed, first.waiting, first.notStarted],
            [2, 2, 1, 0, 1, 0])
        XCTAssertEqual(first.state, .inProgress)
        XCTAssertEqual(statuses[1].notStarted, 1)
        XCTAssertEqual(statuses[1].state, .notStarted)
    }

    /// The executor's view checks configured gates only: the previous wave of the same apply just ran.
    func testExecutorViewIgnoresUnfinishedPreviousWave() {
        let plan = RolloutPlan.make(version: version, fleet: fleet(bake: "1h"), specs: specs)
        let observations = [
            "one": healthy("one", hoursAgo: 0),
            "two": InstanceObservation(name: "two", desired: version, running: old, lastRun: nil, healthyAt: nil),
        ]
        let strict = WaveGate.evaluate(plan, observations: observations, decisions: [], now: now)
        let executor = WaveGate.evaluate(
            plan, observations: observations, decisions: [], now: now, requirePreviousDone: false)
        XCTAssertEqual(strict[1].closures.count, 1)
        XCTAssertEqual(executor[1].closures, [])
    }
}
