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

    /// The island's byte writer writes what `String(value)` and the `String` escaper write.
    func testBytesMatchTheStringWriters() {
        for value in [0, 7, 10, 99, 100, -1, -60, 1_234_567, Int.max, Int.min] {
            var out = PageBytes()
            out.append(value)
            XCTAssertEqual(String(decoding: out.bytes, as: UTF8.self), String(value))
        }
        for text in ["", "plain", "a\"b\\c", "<script>&", "tab\tnew\nline", "\u{1}", "ü\u{2028}x", "\u{2029}"] {
            var expected = ""
            HTMLEscaper.jsonString(text, to: &expected)
            var out = PageBytes()
            out.appendJSONString(text)
            XCTAssertEqual(String(decoding: out.bytes, as: UTF8.self), expected, text)
        }
    }
}
