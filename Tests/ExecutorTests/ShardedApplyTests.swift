import Foundation
import XCTest
import StateBackend
import FleetModel
import ProviderAPI
import Store
import TestSupport
@testable import Executor

/// Several runners of one sharded apply, each with its own connection to one SQLite file (as separate processes
/// would have), meeting at wave barriers; and what a runner does when another holds an instance's lock.
final class ShardedApplyTests: XCTestCase {
    /// Instances named so that `perShard` of each wave land in each of two shards.
    private func names(wave: Int, perShard: Int) -> [String] {
        var picked: [Int: [String]] = [1: [], 2: []]
        var counter = 0
        while picked.values.contains(where: { $0.count < perShard }) {
            let name = "w\(wave)-i\(counter)"
            counter += 1
            let shard = Shard.index(of: name, count: 2)
            if picked[shard]!.count < perShard { picked[shard]!.append(name) }
        }
        return picked.values.flatMap { $0 }.sorted()
    }

    /// One runner: its own store connection and barrier, the shared cloud.
    private func runner(
        _ h: ExecutorHarness, shard: Int, plan: Plan, provider: FakeCloudProvider, observer: RecordingObserver
    ) throws -> (Executor, Plan) {
        let store = try SQLiteStateStore(path: h.path)
        let shard = Shard(index: shard, count: 2)!
        var options = h.options
        options.holder = "runner\(shard.index)@ci pid \(shard.index)"
        var barrier = StateWaveBarrier(
            store: store, run: "run-1", shard: shard, waves: Set(plan.instances.map(\.wave)).sorted(),
            holder: options.holder, timeout: 60, stopOnFailure: true)
        barrier.pollInterval = .milliseconds(5)
        options.waveBarrier = barrier
        let part = Plan(
            toolVersion: plan.toolVersion, fleet: plan.fleet,
            instances: plan.instances.filter { shard.contains($0.name) })
        let executor = Executor(
            store: store, provider: provider, options: options, observer: observer, clock: { fridayMorning },
            sleep: { _ in })
        return (executor, part)
    }

    private func plan(_ waves: [[String]], _ h: ExecutorHarness) -> Plan {
        let instances = waves.enumerated().flatMap { wave, names in
            names.map { name in
                var instance = Plans.provision(name, wave: wave, [.network, .key])
                instance.target = InstanceTarget(Fixtures.spec(name))
                return instance
            }
        }
        return Plan(toolVersion: "test", fleet: "test", instances: instances)
    }

    func testTwoShardsApplyEveryInstanceOnceAndMeetBetweenWaves() async throws {
        let h = try ExecutorHarness()
        let wave0 = names(wave: 0, perShard: 2)
        let wave1 = names(wave: 1, perShard: 2)
        let plan = plan([wave0, wave1], h)
        let provider = FakeCloudProvider()
        await provider.setLatency(.milliseconds(2))
        let observer = RecordingObserver()
        let (first, firstPart) = try runner(h, shard: 1, plan: plan, provider: provider, observer: observer)
        let (second, secondPart) = try runner(h, shard: 2, plan: plan, provider: provider, observer: observer)
        async let a = first.apply(firstPart)
        async let b = second.apply(secondPart)
        let reports = await [a, b]

        XCTAssertEqual(reports.flatMap(\.instances).map(\.name).sorted(), (wave0 + wave1).sorted())
        XCTAssertTrue(reports.allSatisfy(\.succeeded), "\(reports)")
        let calls = await provider.calls
        let expected = (wave0 + wave1).flatMap { ["\($0) create network", "\($0) create key"] }
        XCTAssertEqual(calls.map(\.description).sorted(), expected.sorted(), "each instance's steps exactly once")
        // Wave 1 starts in neither shard before wave 0 finished in both.
        let lastWave0 = try XCTUnwrap(calls.lastIndex { wave0.contains($0.instance) })
        let firstWave1 = try XCTUnwrap(calls.firstIndex { wave1.contains($0.instance) })
        XCTAssertLessThan(lastWave0, firstWave1)
        let marks = try await h.store.waveRecords(run: "run-1", wave: 0)
        XCTAssertEqual(marks.map(\.shard), [1, 2])
        XCTAssertEqual(marks.map(\.status), [.finished, .finished])
    }

    func testAFailureInOneShardStopsLaterWavesInEveryShard() async throws {
        let h = try ExecutorHarness()
        let wave0 = names(wave: 0, perShard: 1)
        let wave1 = names(wave: 1, perShard: 1)
        let plan = plan([wave0, wave1], h)
        let provider = FakeCloudProvider()
        let failing = try XCTUnwrap(wave0.first { Shard.index(of: $0, count: 2) == 1 })
        await provider.fail(.init(failing, .create, .key), with: .invalid)
        let observer = RecordingObserver()
        let (first, firstPart) = try runner(h, shard: 1, plan: plan, provider: provider, observer: observer)
        let (second, secondPart) = try runner(h, shard: 2, plan: plan, provider: provider, observer: observer)
        async let a = first.apply(firstPart)
        async let b = second.apply(secondPart)
        let (firstReport, secondReport) = await (a, b)

        let secondLater = try XCTUnwrap(secondReport.instances.first { wave1.contains($0.name) })
        XCTAssertEqual(secondLater.result, .cancelled)
        XCTAssertTrue(secondLater.error?.contains("shard 1/2") == true, secondLater.error ?? "")
        let firstLater = try XCTUnwrap(firstReport.instances.first { wave1.contains($0.name) })
        XCTAssertEqual(firstLater.result, .cancelled)
        let calls = await provider.calls
        XCTAssertFalse(calls.contains { wave1.contains($0.instance) }, "no wave-1 step ran: \(calls)")
    }

    func testAShardThatWaitsTooLongStops() async throws {
        let h = try ExecutorHarness()
        let wave0 = names(wave: 0, perShard: 1)
        let wave1 = names(wave: 1, perShard: 1)
        let plan = plan([wave0, wave1], h)
        let clock = Locked(fridayMorning)
        var barrier = StateWaveBarrier(
            store: h.store, run: "run-2", shard: Shard(index: 2, count: 2)!, waves: [0, 1], holder: "r2",
            timeout: 30, stopOnFailure: true)
        barrier.clock = { clock.current }
        // Shard 1 never shows up; each poll moves the clock 10 s on.
        barrier.sleep = { _ in clock.mutate { $0 += 10 } }
        let waits = Locked<[WaveWait]>([])
        barrier.onWait = { wait in waits.mutate { $0.append(wait) } }
        h.options.waveBarrier = barrier
        let part = Plan(
            toolVersion: "test", fleet: "test",
            instances: plan.instances.filter { Shard.index(of: $0.name, count: 2) == 2 })
        let report = await h.executor.apply(part)

        let later = try XCTUnwrap(report.instances.first { wave1.contains($0.name) })
        XCTAssertEqual(later.result, .cancelled)
        XCTAssertTrue(later.error?.contains("did not finish wave 0 within 30 s") == true, later.error ?? "")
        XCTAssertEqual(waits.current.first?.waitingFor, [1])
    }

    func testSkipLockedLeavesTheInstanceToItsHolderAndNamesIt() async throws {
        let h = try ExecutorHarness()
        try await h.store.acquireLock(instance: "acme", holder: "other@ci-7 pid 42", lease: 300)
        h.options.lockWait = .skip
        let report = await h.apply([Plans.provision("acme", [.network])])

        XCTAssertEqual(report.instances.map(\.result), [.skipped])
        XCTAssertTrue(report.succeeded, "skipping a locked instance is not a failure")
        XCTAssertTrue(report.instances[0].error?.contains("other@ci-7 pid 42") == true)
        let calls = await h.provider.calls
        XCTAssertEqual(calls, [])
        let operation = try await h.store.lastOperation(instance: "acme")
        XCTAssertNil(operation, "nothing journaled for a skipped instance")
    }

    func testLockTimeoutWaitsForTheLockThenActs() async throws {
        let h = try ExecutorHarness()
        try await h.store.acquireLock(instance: "acme", holder: "other@ci-7 pid 42", lease: 300)
        h.options.lockWait = .wait(60)
        let polls = Locked(0)
        // The holder lets go after the third poll.
        h.sleep = { [store = h.store, now = h.now] _ in
            now.mutate { $0 += 1 }
            polls.mutate { $0 += 1 }
            if polls.current == 3 { try await store.releaseLock(instance: "acme", holder: "other@ci-7 pid 42") }
        }
        let report = await h.apply([Plans.provision("acme", [.network])])

        XCTAssertEqual(report.instances.map(\.result), [.succeeded])
        XCTAssertEqual(polls.current, 3)
        XCTAssertTrue(h.observer.events.current.contains("waiting acme other@ci-7 pid 42"))
    }

    func testLockTimeoutGivesUpAfterTheTimeoutNamingTheHolder() async throws {
        let h = try ExecutorHarness()
        try await h.store.acquireLock(instance: "acme", holder: "other@ci-7 pid 42", lease: 300)
        h.options.lockWait = .wait(5)
        h.sleep = { [now = h.now] _ in now.mutate { $0 += 1 } }
        let report = await h.apply([Plans.provision("acme", [.network])])

        XCTAssertEqual(report.instances.map(\.result), [.failed])
        let error = report.instances[0].error ?? ""
        XCTAssertTrue(error.contains("other@ci-7 pid 42") && error.contains("waited 5 s"), error)
        let calls = await h.provider.calls
        XCTAssertEqual(calls, [])
    }
}
