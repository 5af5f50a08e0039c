import XCTest
@testable import CloudctlCLI

final class CloudctlCLISmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
