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

    /// A pretty-printed array of objects (as plans are written) is split at its closing lines without walking every
    /// byte; the elements and names are the ones the byte walk finds in the same document laid out otherwise, and a
    /// layout that only looks right up to some point is walked byte by byte from the start.
    func testPrettyPrintedElementsAreFoundByLayoutAsTheByteWalkFindsThem() throws {
        struct Item: Encodable {
            var name: String
            var nested: [String: [String: String]]
            var text: String
        }
        struct Document: Encodable {
            var a = "x"
            var items: [Item]
            var z = 1
        }
        let items = [
            Item(name: "first", nested: ["b": ["c": "    }"]], text: "{ \n    } ]"),
            Item(name: "second", nested: [:], text: "\",\n    {"),
            Item(name: "third", nested: ["d": [:]], text: ""),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let pretty = String(decoding: try encoder.encode(Document(items: items)), as: UTF8.self)
        let compact = String(decoding: try JSONEncoder().encode(Document(items: items)), as: UTF8.self)
        let laidOut = try outline(pretty)
        let walked = try outline(compact)
        XCTAssertEqual(laidOut.members, ["a", "items", "z"])
        XCTAssertEqual(laidOut.elements.map(\.1), ["first", "second", "third"])
        XCTAssertEqual(walked.elements.map(\.1), ["first", "second", "third"])
        for (pretty, compact) in zip(laidOut.elements, walked.elements) {
            let decoded = try JSONSerialization.jsonObject(with: Data(pretty.0.utf8)) as? NSDictionary
            XCTAssertEqual(decoded, try JSONSerialization.jsonObject(with: Data(compact.0.utf8)) as? NSDictionary)
        }
        // The second separator is not the pretty one: the whole array is walked, and finds the same elements.
        let mixed = try XCTUnwrap(pretty.range(of: "\n    },\n    {", options: .backwards))
        let uneven = pretty.replacingCharacters(in: mixed, with: "\n    } ,\n    {")
        XCTAssertEqual(try outline(uneven).elements.map(\.1), ["first", "second", "third"])
        // Broken after the laid-out part: the byte walk reports it.
        XCTAssertThrowsError(try outline(pretty.replacingOccurrences(of: "\n  ],", with: "\n  ]]")))
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
