import XCTest
@testable import FleetReport

final class PageDataTests: XCTestCase {
    func testAbbreviationWritesTheNameAsMarkerAndNeutralisesExistingMarkers() {
        let cases: [(text: String, name: String, expected: String)] = [
            ("cloudctl-demo-acme", "acme", "cloudctl-demo-\u{1}"),
            (
                "arn:aws:ecs:r:1:service/cloudctl-demo-acme/cloudctl-demo-acme", "acme",
                "arn:aws:ecs:r:1:service/cloudctl-demo-\u{1}/cloudctl-demo-\u{1}"
            ),
            ("vpc-0abc", "acme", "vpc-0abc"),
            ("acm", "acme", "acm"),
            ("bad\u{1}id-acme", "acme", "bad\u{FFFD}id-\u{1}"),
            ("ümlaut-ü", "ü", "\u{1}mlaut-\u{1}"),
            ("anything", "", "anything"),
            ("", "acme", ""),
            ("acme", "acme", "\u{1}"),
            ("\u{1}", "", "\u{FFFD}"),
            ("acmeacm", "acme", "\u{1}acm"),
        ]
        for (text, name, expected) in cases {
            XCTAssertEqual(PageData.abbreviated(text, name: name), expected, text)
        }
    }
}
