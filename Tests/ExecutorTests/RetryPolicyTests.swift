import XCTest
import FleetModel
import ProviderAPI
@testable import Executor

final class RetryPolicyTests: XCTestCase {
    private func policy(jitter: Double) -> RetryPolicy {
        var options = ExecutorOptions(holder: "t")
        options.baseDelay = .milliseconds(200)
        options.maxDelay = .seconds(1)
        options.jitter = { jitter }
        return RetryPolicy(options: options)
    }

    func testCeilingDoublesUntilCapped() {
        let delays = (1...6).map { policy(jitter: 1).delay(beforeRetry: $0) }
        XCTAssertEqual(
            delays, [.milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1), .seconds(1)])
    }

    func testFullJitterScalesTheCeiling() {
        XCTAssertEqual(policy(jitter: 0).delay(beforeRetry: 3), .zero)
        XCTAssertEqual(policy(jitter: 0.5).delay(beforeRetry: 2), .milliseconds(200))
    }

    func testHugeRetryCountsAndOutOfRangeJitterStayBounded() {
        XCTAssertEqual(policy(jitter: 7).delay(beforeRetry: 10_000), .seconds(1))
        XCTAssertEqual(policy(jitter: -1).delay(beforeRetry: 1), .zero)
    }

    func testDefaultJitterStaysWithinCeiling() {
        let options = ExecutorOptions(holder: "t")
        let policy = RetryPolicy(options: options)
        for retry in 1...20 { XCTAssertLessThanOrEqual(policy.delay(beforeRetry: retry), options.maxDelay) }
    }
}
