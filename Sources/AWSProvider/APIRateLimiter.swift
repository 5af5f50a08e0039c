import Foundation
import Synchronization

/// The client-side budget of API calls per second for one account and region, shared by every step of the process.
///
/// Calls are spaced evenly at the current rate. Throttling halves the rate (at most once a second: the calls already
/// in flight when the cloud starts throttling must not halve it again each), down to `minimumRate`; without
/// throttling it grows back by `growthPerSecond` of the maximum each second (additive increase, multiplicative
/// decrease), so a 1,000-instance upgrade slows down instead of failing. Per process: runners do not share it.
public final class APIRateLimiter: Sendable {
    /// What the limiter is allowed.
    public struct Settings: Sendable, Equatable {
        public var maximumRate: Double
        public var minimumRate: Double = 0.5
        /// Share of `maximumRate` regained per second without throttling.
        public var growthPerSecond: Double = 0.02
        /// No second halving within this many seconds of the last.
        public var cooldown: Double = 1

        public init(maximumRate: Double) { self.maximumRate = maximumRate }
    }

    /// A change worth showing: the rate fell after throttling, or recovered fully.
    public struct Notice: Sendable, Equatable {
        public var region: String
        public var rate: Double
        public var maximumRate: Double
        public var throttled: Bool
    }

    private struct State {
        var rate: Double
        /// When the next call may go, in `now()` seconds.
        var nextSlot: Double = 0
        var updatedAt: Double?
        var lastHalving: Double?
        var reduced = false
        /// Back at the maximum since the last throttling, not yet told.
        var recoveryUnreported = false
    }

    public let region: String
    public let settings: Settings
    private let state: Mutex<State>
    private let now: @Sendable () -> Double
    private let sleep: @Sendable (Duration) async throws -> Void
    private let onNotice: @Sendable (Notice) -> Void

    /// `now` is monotonic seconds; tests inject it and `sleep`.
    public init(
        region: String, settings: Settings,
        now: @escaping @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        onNotice: @escaping @Sendable (Notice) -> Void = { _ in }
    ) {
        self.region = region
        self.settings = settings
        state = Mutex(State(rate: settings.maximumRate))
        self.now = now
        self.sleep = sleep
        self.onNotice = onNotice
    }

    /// Calls per second allowed now.
    public var currentRate: Double {
        let time = now()
        return state.withLock { state in
            grow(&state, at: time)
            return state.rate
        }
    }

    /// Waits for this call's slot.
    public func acquire() async throws {
        let time = now()
        let (wait, recovered) = state.withLock { state -> (Double, Bool) in
            grow(&state, at: time)
            let slot = max(time, state.nextSlot)
            state.nextSlot = slot + 1 / state.rate
            defer { state.recoveryUnreported = false }
            return (slot - time, state.recoveryUnreported)
        }
        if recovered {
            onNotice(
                Notice(region: region, rate: settings.maximumRate, maximumRate: settings.maximumRate, throttled: false))
        }
        if wait > 0 { try await sleep(.microseconds(Int64((wait * 1e6).rounded()))) }
    }

    /// The cloud throttled a call: halve the rate, unless it was halved within the cooldown.
    public func throttled() {
        let time = now()
        let notice = state.withLock { state -> Notice? in
            grow(&state, at: time)
            if let last = state.lastHalving, time - last < settings.cooldown { return nil }
            state.lastHalving = time
            state.rate = max(settings.minimumRate, state.rate / 2)
            state.reduced = true
            state.recoveryUnreported = false
            // Calls already scheduled at the old spacing keep their slots; new ones follow at the new rate.
            return Notice(region: region, rate: state.rate, maximumRate: settings.maximumRate, throttled: true)
        }
        if let notice { onNotice(notice) }
    }

    private func grow(_ state: inout State, at time: Double) {
        if let updated = state.updatedAt, time > updated {
            state.rate = min(
                settings.maximumRate, state.rate + settings.maximumRate * settings.growthPerSecond * (time - updated))
            if state.rate >= settings.maximumRate, state.reduced {
                state.reduced = false
                state.recoveryUnreported = true
            }
        }
        state.updatedAt = max(state.updatedAt ?? time, time)
    }
}
