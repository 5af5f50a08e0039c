import XCTest
import FleetModel
@testable import FleetFiles

/// The saved-plan reader's building blocks: outlining a document without decoding it, and strict per-part decoding.
final class JSONOutlineTests: XCTestCase {
    private func outline(_ text: String) throws -> (members: [String], elements: [(String, String?)]) {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer in
            let top = try JSONOutline(buffer).topLevel(arrayKey: "items", identityKey: "name")
            return (
                top.members.map(\.key),
                top.elements.map { (String(decoding: buffer[$0.range], as: UTF8.self), $0.identity) }
            )
        }
    }

    func testFindsMembersAndElementsWithBracketsAndEscapesInsideStrings() throws {
        let text =
            #"{"a": "x]}\"{", "items": [ {"v": "[", "name": "n1"}, {"name": "e\"s"} , 3, "#
            + #"[1, {"name": "deep"}] ], "z": null}"#
        let result = try outline(text)
        XCTAssertEqual(result.members, ["a", "items", "z"])
        XCTAssertEqual(
            result.elements.map(\.0),
            [#"{"v": "[", "name": "n1"}"#, #"{"name": "e\"s"}"#, "3", #"[1, {"name": "deep"}]"#])
        XCTAssertEqual(result.elements.map(\.1), ["n1", nil, nil, nil])
    }

    func testRefusesBrokenStructureWithLineAndColumn() {
        let cases: [(String, String, Int, Int)] = [
            ("[]", "expected a JSON object", 1, 1),
            ("{\"a\": 1,\n \"a\": 2}", "the key \"a\" appears more than once", 2, 7),
            ("{\"items\": [1 2]}", "expected ',' or ']' in an array", 1, 14),
            ("{\"a\": \"open}", "unterminated string", 1, 7),
            ("{\"a\": 1} x", "unexpected text after the end of the JSON object", 1, 10),
            ("{\"a\" 1}", "expected ':' after a key", 1, 6),
            ("{\"items\": [{\"name\": \"a\",}]}", "expected a string key", 1, 25),
        ]
        for (text, summary, line, column) in cases {
            XCTAssertThrowsError(try outline(text), text) { error in
                XCTAssertEqual(
                    error as? JSONOutlineError, JSONOutlineError(summary: summary, line: line, column: column), text)
            }
        }
    }

    /// Large objects repeated inside nested arrays are skipped by comparing bytes with one skipped before: the ranges
    /// stay the same, and a copy that differs (here: broken) is still scanned and refused where it breaks.
    func testRepeatedLargeObjectsKeepTheirRangesAndABrokenCopyIsStillRefused() throws {
        let step =
            #"{"action": "create", "after": {"region": "us-east-1", "note": "]}\"{"}, "#
            + #""reason": "a reason long enough to be remembered by the outline's memo of skipped objects"}"#
        let item = { (name: String, steps: [String]) in
            #"{"name": ""# + name + #"", "steps": ["# + steps.joined(separator: ", ") + "]}"
        }
        let items = [item("a", [step, step]), item("b", [step, step]), item("c", [step])]
        let result = try outline(#"{"items": ["# + items.joined(separator: ", ") + "]}")
        XCTAssertEqual(result.elements.map(\.0), items)
        XCTAssertEqual(result.elements.map(\.1), ["a", "b", "c"])

        let broken = step.replacingOccurrences(of: "\"note\": ", with: "\"note\" ")
        let text = #"{"items": ["# + [items[0], item("b", [step, broken])].joined(separator: ", ") + "]}"
        XCTAssertThrowsError(try outline(text)) { error in
            XCTAssertEqual((error as? JSONOutlineError)?.summary, "expected ':' after a key")
        }
    }

    private struct Step: Decodable, Equatable {
        var action: String
        var inputs: [String: String]
        var note: String?
    }

    private func decode(_ text: String) throws -> [Step] {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer in
            try StrictJSONDecoder.decode(
                [Step].self, from: buffer, range: 0..<buffer.count, path: [PathKey(stringValue: "steps")])
        }
    }

    func testDecodesWithTheTypesOwnConformanceAndNamesUnknownKeysAndBadValuesByPath() throws {
        XCTAssertEqual(
            try decode(#"[{"action": "a", "inputs": {"k": "v"}}, {"action": "b", "inputs": {}, "note": null}]"#),
            [Step(action: "a", inputs: ["k": "v"]), Step(action: "b", inputs: [:])])
        let cases: [(String, String)] = [
            (#"[{"action": "a", "inputs": {}, "extra": 1}]"#, "unknown key \"extra\" at steps[0].extra"),
            (#"[{"action": "a", "inputs": {}}, {"inputs": {}}]"#, "missing at steps[1].action"),
            (#"[{"action": 1, "inputs": {}}]"#, "expected a string, found the number 1 at steps[0].action"),
            (#"[{"action": "a", "inputs": {"k": 2}}]"#, "expected a string, found the number 2 at steps[0].inputs.k"),
            (
                #"[{"action": "a", "action": "b", "inputs": {}}]"#,
                "duplicate key \"action\" (line 1, column 18) at steps"
            ),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try decode(text), text) { error in
                XCTAssertEqual((error as? StrictDecodingError)?.description, message, text)
            }
        }
    }
}
