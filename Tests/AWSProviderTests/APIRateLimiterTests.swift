import XCTest
@testable import AWSProvider

final class APIRateLimiterTests: XCTestCase {
    /// A clock that only moves when told (or when the limiter sleeps), and the notices heard.
    private final class Harness: @unchecked Sendable {
        let lock = NSLock()
        var time = 100.0
        var sleeps: [Double] = []
        var notices: [APIRateLimiter.Notice] = []

        func limiter(max: Double) -> APIRateLimiter {
            APIRateLimiter(
                region: "us-east-1", settings: .init(maximumRate: max),
                now: { self.lock.withLock { self.time } },
                sleep: { duration in
                    let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
                    self.lock.withLock { self.sleeps.append(seconds) }
                },
                onNotice: { notice in self.lock.withLock { self.notices.append(notice) } })
        }

        func advance(_ seconds: Double) { lock.withLock { time += seconds } }
    }

    func testCallsAreSpacedAtTheRate() async throws {
        let h = Harness()
        let limiter = h.limiter(max: 10)
        for _ in 0..<4 { try await limiter.acquire() }
        // The first goes at once; the next wait for slots 0.1 s apart (the clock did not move).
        XCTAssertEqual(h.sleeps.map { ($0 * 1000).rounded() }, [100, 200, 300])
    }

    func testThrottlingHalvesOncePerCooldownAndGrowsBackSlowly() async throws {
        let h = Harness()
        let limiter = h.limiter(max: 100)
        limiter.throttled()
        XCTAssertEqual(limiter.currentRate, 50)
        // Calls in flight when throttling began are throttled too: they must not halve it again.
        limiter.throttled()
        limiter.throttled()
        XCTAssertEqual(limiter.currentRate, 50)
        h.advance(1)
        XCTAssertEqual(limiter.currentRate, 52, accuracy: 0.001, "2 % of the maximum per second")
        limiter.throttled()
        XCTAssertEqual(limiter.currentRate, 26, accuracy: 0.001)
        h.advance(10)
        XCTAssertEqual(limiter.currentRate, 46, accuracy: 0.001)
        h.advance(100)
        XCTAssertEqual(limiter.currentRate, 100, "never above the maximum")
        XCTAssertEqual(h.notices.map(\.throttled), [true, true])
        XCTAssertEqual(h.notices.map(\.rate), [50, 26])
        try await limiter.acquire()
        XCTAssertEqual(h.notices.last, .init(region: "us-east-1", rate: 100, maximumRate: 100, throttled: false))
    }

    func testTheRateNeverFallsBelowTheMinimum() {
        let h = Harness()
        let limiter = h.limiter(max: 2)
        for _ in 0..<10 {
            limiter.throttled()
            h.advance(1)
        }
        XCTAssertGreaterThanOrEqual(limiter.currentRate, 0.5)
        XCTAssertLessThan(limiter.currentRate, 0.6)
    }

    func testSlowerRateSpacesCallsFurther() async throws {
        let h = Harness()
        let limiter = h.limiter(max: 10)
        limiter.throttled()
        try await limiter.acquire()
        try await limiter.acquire()
        XCTAssertEqual(h.sleeps.map { ($0 * 1000).rounded() }, [200], "5 calls/s after halving")
    }
}
