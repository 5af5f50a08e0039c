import XCTest
@testable import FleetFiles

final class InstanceFileEditorTests: XCTestCase {
    func testEditsChangeOnlyTheValue() throws {
        let cases: [(name: String, input: String, path: [String], value: InstanceFileValue, expected: String)] = [
            (
                "top-level string",
                "{\n  \"name\": \"acme\",\n  \"version\": \"5.2.3\",\n  \"size\": \"small\"\n}\n", ["version"],
                .string("5.4.0"),
                "{\n  \"name\": \"acme\",\n  \"version\": \"5.4.0\",\n  \"size\": \"small\"\n}\n"
            ),
            (
                "odd whitespace kept",
                "{ \"version\"  :\t\"5.2.3\"   , \"a\":1}", ["version"], .string("5.4.0"),
                "{ \"version\"  :\t\"5.4.0\"   , \"a\":1}"
            ),
            (
                "nested object value",
                #"{"maintenanceWindow": {"day": "sun", "start": "02:00"}, "state": "active"}"#,
                ["maintenanceWindow", "day"],
                .string("sat"),
                #"{"maintenanceWindow": {"day": "sat", "start": "02:00"}, "state": "active"}"#
            ),
            (
                "number",
                #"{"a": {"n": 12}, "b": 1}"#, ["a", "n"], .integer(-7),
                #"{"a": {"n": -7}, "b": 1}"#
            ),
            (
                "number at the end of an object",
                #"{"b": 1.5e3}"#, ["b"], .integer(2),
                #"{"b": 2}"#
            ),
            (
                "bool",
                "{\"protected\": false,\n\"state\": \"active\"}", ["protected"], .bool(true),
                "{\"protected\": true,\n\"state\": \"active\"}"
            ),
            (
                "escaped old value and key",
                #"{"we\"ird": "a\"b\\c\u00e9}", "next": "x"}"#, ["we\"ird"], .string("plain"),
                #"{"we\"ird": "plain", "next": "x"}"#
            ),
            (
                "new value needs escaping",
                #"{"customer": "Acme"}"#, ["customer"], .string("line\n\"q\"\\"),
                #"{"customer": "line\n\"q\"\\"}"#
            ),
            (
                "unicode around the edit, BOM kept",
                "\u{FEFF}{\"customer\": \"Müller 🚀\", \"version\": \"5.2.3\", \"x\": \"ü\"}", ["version"],
                .string("5.4.0"),
                "\u{FEFF}{\"customer\": \"Müller 🚀\", \"version\": \"5.4.0\", \"x\": \"ü\"}"
            ),
            (
                "unicode new value",
                #"{"customer": "Acme"}"#, ["customer"], .string("Zoë 🚀"),
                #"{"customer": "Zoë 🚀"}"#
            ),
            (
                "CRLF line endings",
                "{\r\n  \"version\": \"5.2.3\",\r\n  \"state\": \"active\"\r\n}\r\n", ["version"], .string("5.4.0"),
                "{\r\n  \"version\": \"5.4.0\",\r\n  \"state\": \"active\"\r\n}\r\n"
            ),
            (
                "whole object replaced, braces inside strings skipped",
                #"{"a": {"x": [1, {"y": "}]"}], "z": null}, "b": true}"#, ["a"], .string("z"),
                #"{"a": "z", "b": true}"#
            ),
        ]
        for c in cases {
            let edited = try InstanceFileEditor.setting(path: c.path, to: c.value, in: Array(c.input.utf8))
            XCTAssertEqual(String(decoding: edited, as: UTF8.self), c.expected, c.name)
            if case .failure(let problem) = JSONParser.parse(edited) {
                XCTFail("\(c.name): result is not JSON: \(problem)")
            }
        }
    }

    func testRefusals() {
        let file = #"{"version": "5.2.3", "maintenanceWindow": {"day": "sun"}}"#
        let cases: [(name: String, input: String, path: [String], error: InstanceFileEditError)] = [
            ("missing key", file, ["versio"], .missingKey(path: ["versio"])),
            (
                "missing nested key", file, ["maintenanceWindow", "dayy"],
                .missingKey(path: ["maintenanceWindow", "dayy"])
            ),
            ("through a string", file, ["version", "major"], .notAnObject(path: ["version"])),
            ("empty path", file, [], .emptyPath),
            ("top level is not an object", "[1]", ["version"], .notAnObject(path: [])),
            (
                "comment", "{\"version\": \"5.2.3\" // pinned\n}", ["version"],
                .invalidJSON(summary: "expected ',' or '}' after object member, found '/'", line: 1, column: 21)
            ),
            (
                "trailing comma", "{\"version\": \"5.2.3\",}", ["version"],
                .invalidJSON(summary: "trailing comma in object", line: 1, column: 20)
            ),
            ("empty file", "", ["version"], .invalidJSON(summary: "the file is empty", line: 1, column: 1)),
        ]
        for c in cases {
            XCTAssertThrowsError(
                try InstanceFileEditor.setting(path: c.path, to: .string("5.4.0"), in: Array(c.input.utf8)),
                c.name
            ) { error in
                XCTAssertEqual(error as? InstanceFileEditError, c.error, c.name)
            }
        }
    }
}
