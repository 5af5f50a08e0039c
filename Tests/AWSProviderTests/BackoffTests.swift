import XCTest
import FleetModel
import ProviderAPI
import Synchronization
@testable import AWSProvider

final class BackoffTests: XCTestCase {
    let quick = Backoff(initial: .milliseconds(1), maximum: .milliseconds(2), attempts: 4)

    func testReturnsTheFirstValueAndStopsPolling() async throws {
        let checks = Mutex(0)
        let value = try await quick.poll("thing", operation: "op") { () -> String? in
            checks.withLock {
                $0 += 1
                return $0 == 3 ? "ready" : nil
            }
        }
        XCTAssertEqual(value, "ready")
        XCTAssertEqual(checks.withLock { $0 }, 3)
    }

    func testGivesUpAfterTheLastAttemptWithARetryableError() async {
        let checks = Mutex(0)
        do {
            _ = try await quick.poll("thing", operation: "op") { () -> String? in
                checks.withLock { $0 += 1 }
                return nil
            }
            XCTFail("expected a timeout")
        } catch let error as CloudError {
            XCTAssertEqual(error.code, "WaitTimeout")
            XCTAssertEqual(error.kind, .server)
            XCTAssertTrue(error.isRetryable, "a slow RDS create or snapshot goes on in the step's re-run")
            XCTAssertTrue(error.message.contains("run apply again"))
            XCTAssertEqual(checks.withLock { $0 }, 4)
        } catch { XCTFail("\(error)") }
        XCTAssertEqual(quick.patient.attempts, 8)
    }
}
