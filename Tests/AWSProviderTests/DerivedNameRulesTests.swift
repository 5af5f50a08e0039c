import XCTest
@testable import AWSProvider

final class DerivedNameRulesTests: XCTestCase {
    func testNamesThatCannotNameCloudResources() {
        let forty = String(repeating: "a", count: 40)
        let cases: [(instance: String, fleet: String?, problem: String?)] = [
            ("acme", "demo", nil),
            (forty, "demo", nil),  // cloudctl-demo-<40> is 54 characters
            (forty, "production-eu", nil),  // 9 + 13 + 1 + 40 = 63: exactly the limit
            (forty, "production-eur", "use at most 39 characters"),  // 64: one too many
            (forty, nil, nil),  // fleet unknown: only the local rules
            ("archive", "demo", "reserved"),
            ("archive-eu-west-1", "demo", "reserved"),
            ("archived", "demo", nil),
            ("a--b", "demo", "\"--\""),
            ("abc-", "demo", "end with '-'"),
        ]
        for c in cases {
            let problem = DerivedNameRules.problem(instance: c.instance, fleet: c.fleet)
            if let expected = c.problem {
                XCTAssertTrue(
                    problem?.contains(expected) == true, "\(c.instance)/\(c.fleet ?? "-"): \(problem ?? "nil")")
            } else {
                XCTAssertNil(problem, "\(c.instance)/\(c.fleet ?? "-")")
            }
        }
    }
}
