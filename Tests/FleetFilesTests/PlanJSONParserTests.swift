import XCTest
import FleetModel
@testable import FleetFiles

/// The saved-plan value parser: what it reads, and every malformed input refused with where.
final class PlanJSONParserTests: XCTestCase {
    private func parse(_ text: String) throws -> PlanJSON {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer in
            try PlanJSONParser.parse(buffer, range: 0..<buffer.count)
        }
    }

    func testReadsPlanValues() throws {
        let cases: [(String, PlanJSON)] = [
            (#""plain""#, .string("plain")),
            (#""q\"b\\s\/n\nt\tu\u00e9\ud83d\ude00""#, .string("q\"b\\s/n\nt\tué😀")),
            ("-42", .int(-42)),
            ("0", .int(0)),
            ("true", .bool(true)),
            (" [ 1 , false ] ", .array([.int(1), .bool(false)])),
            ("[]", .array([])),
            (
                #"{"b" : 1, "a" : {"c" : []}}"#,
                .members([
                    .init(key: "b", value: .int(1)),
                    .init(key: "a", value: .members([.init(key: "c", value: .array([]))])),
                ])
            ),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try parse(text), expected, text)
        }
    }

    func testRefusesWhatAPlanNeverHolds() {
        let cases: [(String, String)] = [
            ("null", "expected a string"), ("1.5", "expected a whole number"), ("1e3", "expected a whole number"),
            ("01", "numbers do not start with 0"), ("[1,]", "expected a string"), (#"{"a":1,}"#, "expected a key"),
            (#"{"a":1,"a":2}"#, "duplicate key \"a\""), (#""\x""#, "invalid escape"),
            (#""open"#, "unterminated string"),
            ("[1 2]", "expected , or ]"), ("{} {}", "unexpected text after the value"),
            ("\"\u{01}\"", "control character"),
            ("99999999999999999999", "number too large"), (#""\ud83d""#, "unpaired surrogate"),
        ]
        for (text, summary) in cases {
            XCTAssertThrowsError(try parse(text), text) { error in
                let failure = error as? PlanJSONParser.Failure
                XCTAssertTrue(failure?.summary.hasPrefix(summary) ?? false, "\(text): \(String(describing: failure))")
            }
        }
    }
}
