import Foundation
import XCTest
import FleetModel

final class DiagnosticQuotingTests: XCTestCase {
    func testValuesFromFilesAreQuotedEscapedAndCut() {
        let long = String(repeating: "x", count: Diagnostic.excerptLimit + 1)
        let cases: [(input: String, expected: String)] = [
            ("us-east-1", #""us-east-1""#),
            ("Müller", #""Müller""#),
            ("a\"b\\c", #""a\"b\\c""#),
            ("\u{1b}]0;title\u{07}", #""\u001b]0;title\u0007""#),
            ("line\nbreak\ttab", #""line\nbreak\ttab""#),
            ("\u{9b}31m", #""\u009b31m""#),
            ("abc\u{202e}fed", #""abc\u202efed""#),
            ("\u{7f}", #""\u007f""#),
            (long, "\"" + String(repeating: "x", count: Diagnostic.excerptLimit) + "…\""),
        ]
        for c in cases {
            XCTAssertEqual(Diagnostic.quoted(c.input), c.expected, c.input.debugDescription)
        }
    }

    /// Saved plans and AWS bodies rely on this being exactly what `JSONEncoder` writes.
    func testJSONStringEscaperMatchesJSONEncoder() throws {
        for text in ["plain", "a/b", "quote \" backslash \\", "\u{1}\u{1f}\n\r\t\u{8}\u{c}", "Zoë 🚀", "\u{2028}"] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .withoutEscapingSlashes
            let encoded = String(decoding: try encoder.encode([text]), as: UTF8.self)
            XCTAssertEqual("[" + JSONStringEscaper.quoted(text) + "]", encoded, text.debugDescription)
        }
    }
}
