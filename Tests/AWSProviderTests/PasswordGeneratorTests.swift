import XCTest
@testable import AWSProvider

final class PasswordGeneratorTests: XCTestCase {
    func testPasswordsAreLongAlphanumericAndDistinct() {
        let passwords = (0..<50).map { _ in PasswordGenerator.generate() }
        for p in passwords {
            XCTAssertGreaterThanOrEqual(p.count, 32)
            XCTAssertTrue(p.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }, p)
        }
        XCTAssertEqual(Set(passwords).count, passwords.count)
        // Over 2000 characters every class shows up; a broken sampler (e.g. digits only) would not.
        let all = passwords.joined()
        XCTAssertTrue(
            all.contains { $0.isUppercase } && all.contains { $0.isLowercase } && all.contains { $0.isNumber })
    }
}
