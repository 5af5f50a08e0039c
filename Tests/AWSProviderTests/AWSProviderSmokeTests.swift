import XCTest
@testable import AWSProvider

final class AWSProviderSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
