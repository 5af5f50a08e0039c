import XCTest
@testable import FleetFiles
import FleetModel
import AWSProvider

final class JSONParserTests: XCTestCase {
    /// (input, line, column, summary) for documents that must fail.
    private let failures: [(String, Int, Int, String)] = [
        ("{\"a\": 1,}", 1, 8, "trailing comma in object"),
        ("[1, 2,\n]", 1, 6, "trailing comma in array"),
        ("{\"a\": \"x}", 1, 7, "unterminated string"),
        ("{\"a\": \"x\n\"}", 1, 7, "unterminated string"),
        ("{\"a\": 1 \"b\": 2}", 1, 8, "missing ',' between object members"),
        ("[1 2]", 1, 4, "expected ',' or ']' after array element, found '2'"),
        ("{\"a\": 1, \"a\": 2}", 1, 10, "duplicate key \"a\""),
        ("{\n\t\"é\": tru}", 2, 7, "expected a value, found \"tru\""),
        ("{\"ü\": \"ö\" ]", 1, 11, "expected ',' or '}' after object member, found ']'"),
        ("{\"a\": 01}", 1, 7, "invalid number: leading zeros are not allowed"),
        ("{\"a\": -}", 1, 7, "invalid number"),
        ("{\"a\": 1.}", 1, 7, "invalid number"),
        ("{\"a\": \"\\ud800\"}", 1, 8, "invalid \\u escape: unpaired surrogate"),
        ("{\"a\": \"\\u12\"}", 1, 8, "invalid \\u escape in string"),
        ("{\"a\": \"tab\there\"}", 1, 11, "control character U+0009 in string"),
        ("{\"a\" 1}", 1, 6, "expected ':' after key \"a\", found '1'"),
        ("{a: 1}", 1, 2, "expected a string key, found 'a'"),
        ("{} []", 1, 4, "unexpected '[' after the end of the JSON value"),
        ("  \r\n ", 2, 2, "the file is empty"),
        ("{\"a\": [1, {\"b\": ", 1, 17, "unexpected end of file, expected a value"),
        ("{\"a\": [1, 2", 1, 7, "unexpected end of file: array is never closed"),
        (String(repeating: "[", count: 300), 1, 257, "nesting is deeper than 256 levels"),
    ]

    func testSyntaxErrorsCarryLineAndColumn() {
        for (input, line, column, summary) in failures {
            let bytes = Array(input.utf8)
            guard case .failure(let error) = JSONParser.parse(bytes) else {
                XCTFail("parsed: \(input)")
                continue
            }
            let position = TextPosition(offset: error.offset, in: bytes)
            XCTAssertEqual(
                "\(position.line):\(position.column) \(error.summary)", "\(line):\(column) \(summary)", input)
        }
    }

    func testParsesValuesWithOffsets() throws {
        let text =
            "\u{FEFF}{\"s\": \"a\\n\\u00e9\\ud83d\\ude00\\\"\", \"i\": -12, \"f\": 1.5e2, "
            + "\"t\": true, \"n\": null, \"a\": [false, {}]}"
        let bytes = Array(text.utf8)
        guard case .success(let root) = JSONParser.parse(bytes), case .object(let members) = root.value else {
            return XCTFail("no object")
        }
        XCTAssertEqual(members.map(\.key), ["s", "i", "f", "t", "n", "a"])
        guard case .string(let s) = members[0].value.value else { return XCTFail() }
        XCTAssertEqual(s, "a\né😀\"")
        guard case .integer(-12) = members[1].value.value, case .fraction(150) = members[2].value.value,
            case .bool(true) = members[3].value.value, case .null = members[4].value.value,
            case .array(let elements) = members[5].value.value
        else { return XCTFail("wrong values") }
        XCTAssertEqual(elements.count, 2)
        // The BOM is not a column: the object starts at 1:1, "i"'s value at column 39.
        let rootPosition = TextPosition(offset: root.offset, in: bytes)
        XCTAssertEqual([rootPosition.line, rootPosition.column], [1, 1])
        XCTAssertEqual(TextPosition(offset: members[1].value.offset, in: bytes).column, 39)
    }

    func testRejectsInvalidUTF8() {
        guard case .failure(let error) = JSONParser.parse([0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D]) else {
            return XCTFail("parsed")
        }
        XCTAssertEqual(error.summary, "invalid UTF-8 in string")
    }
}
