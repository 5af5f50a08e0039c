import XCTest
@testable import FleetModel

final class FleetModelSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
