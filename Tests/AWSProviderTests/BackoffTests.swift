import XCTest
import FleetModel
import Synchronization
@testable import AWSProvider

final class BackoffTests: XCTestCase {
    let quick = Backoff(initial: .milliseconds(1), maximum: .milliseconds(2), attempts: 4)

    func testReturnsTheFirstValueAndStopsPolling() async throws {
        let checks = Mutex(0)
        let value = try await quick.poll("thing", operation: "op") { () -> String? in
            checks.withLock { $0 += 1; return $0 == 3 ? "ready" : nil }
        }
        XCTAssertEqual(value, "ready")
        XCTAssertEqual(checks.withLock { $0 }, 3)
    }

    func testGivesUpAfterTheLastAttemptWithANonRetryableError() async {
        let checks = Mutex(0)
        do {
            _ = try await quick.poll("thing", operation: "op") { () -> String? in checks.withLock { $0 += 1 }; return nil }
            XCTFail("expected a timeout")
        } catch let error as CloudError {
            XCTAssertEqual(error.code, "WaitTimeout")
            XCTAssertEqual(error.kind, .conflict)
            XCTAssertFalse(error.isRetryable, "a step re-run could repeat a non-idempotent action such as a migration")
            XCTAssertTrue(error.message.contains("run apply again"))
            XCTAssertEqual(checks.withLock { $0 }, 4)
        } catch { XCTFail("\(error)") }
        XCTAssertEqual(quick.patient.attempts, 8)
    }
}
