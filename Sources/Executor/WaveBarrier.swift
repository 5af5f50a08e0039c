import Foundation
import FleetModel
import StateBackend

/// Where the runners of one sharded apply meet between waves: a wave counts as finished only once every shard
/// finished it, and a failure in any shard stops the later waves everywhere.
public protocol WaveBarrier: Sendable {
    /// Every wave of the whole plan (all shards): a shard with nothing to do in a wave still meets the others there.
    var waves: [Int] { get }
    /// Called once this shard has started its run, before the first wave (e.g. to drop an earlier attempt's marks).
    func begin() async throws
    /// Records how this shard left `wave` and, when `waits`, waits for the other shards to finish it.
    func finish(wave: Int, failed: Bool, waits: Bool) async -> WaveBarrierOutcome
}

/// What the other shards did at a wave boundary.
public enum WaveBarrierOutcome: Sendable, Equatable {
    /// Every shard finished the wave: go on.
    case proceed
    /// Later waves must not start; the text says why (another shard failed, the wait timed out, Ctrl-C).
    case stop(String)
}

/// Progress of a wait at a wave boundary, for the progress output.
public struct WaveWait: Sendable, Equatable {
    public var wave: Int
    /// Shards (1-based) that have not finished the wave yet.
    public var waitingFor: [Int]
    public var shards: Int
    public var waited: TimeInterval
}

/// A `WaveBarrier` kept in the state database, so runners on different machines sharing it meet there.
public struct StateWaveBarrier: WaveBarrier {
    public let store: any StateBackend
    /// What every shard of the run shares (see `SharedRun.identity`).
    public let run: String
    public let shard: Shard
    public let waves: [Int]
    public let holder: String
    /// Longest wait at one boundary.
    public let timeout: TimeInterval
    /// Return at once when another shard failed, unless the apply goes on after failed waves.
    public let stopOnFailure: Bool
    public var pollInterval: Duration = .seconds(1)
    /// How often a wait is reported.
    public var reportEvery: TimeInterval = 10
    public var clock: @Sendable () -> Date = { Date() }
    public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    public var onWait: @Sendable (WaveWait) -> Void = { _ in }

    public init(
        store: any StateBackend, run: String, shard: Shard, waves: [Int], holder: String, timeout: TimeInterval,
        stopOnFailure: Bool
    ) {
        self.store = store
        self.run = run
        self.shard = shard
        self.waves = waves
        self.holder = holder
        self.timeout = timeout
        self.stopOnFailure = stopOnFailure
    }

    public func begin() async throws {
        try await store.clearWaves(run: run, shard: shard.index)
    }

    public func finish(wave: Int, failed: Bool, waits: Bool) async -> WaveBarrierOutcome {
        let record = WaveRecord(
            run: run, wave: wave, shard: shard.index, shards: shard.count, status: failed ? .failed : .finished,
            holder: holder, finishedAt: clock())
        do {
            try await store.recordWave(record)
        } catch {
            return .stop("not started: could not record wave \(wave) at the wave barrier (state store: \(error))")
        }
        if !waits { return .proceed }
        let start = clock()
        var lastReport = start
        while true {
            let records: [WaveRecord]
            do {
                records = try await store.waveRecords(run: run, wave: wave)
            } catch {
                return .stop("not started: could not read the wave barrier (state store: \(error))")
            }
            let others = records.filter { $0.shard != shard.index && $0.shards == shard.count }
            if stopOnFailure, let failure = others.first(where: { $0.status == .failed }) {
                return .stop(
                    "not started: wave \(wave) had failures in shard \(failure.shard)/\(shard.count) "
                        + "(\(failure.holder)); fix them and apply again, or pass --continue-after-failed-wave")
            }
            let done = Set(others.map(\.shard)).union([shard.index])
            let missing = (1...shard.count).filter { !done.contains($0) }
            if missing.isEmpty { return .proceed }
            let now = clock()
            let waited = now.timeIntervalSince(start)
            if waited >= timeout {
                return .stop(
                    "not started: shards \(missing.map { "\($0)/\(shard.count)" }.joined(separator: ", ")) did not "
                        + "finish wave \(wave) within \(Int(timeout)) s (--wave-timeout); apply again once they have")
            }
            if now.timeIntervalSince(lastReport) >= reportEvery || waited == 0 {
                lastReport = now
                onWait(WaveWait(wave: wave, waitingFor: missing, shards: shard.count, waited: waited))
            }
            do {
                try await sleep(pollInterval)
            } catch {
                return .stop(InstanceRun.cancelledBeforeStart)
            }
        }
    }
}
