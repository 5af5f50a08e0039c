import XCTest
@testable import Executor

final class ExecutorSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
