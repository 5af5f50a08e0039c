import Foundation
import XCTest
@testable import AWSProvider

final class JSONValueTests: XCTestCase {
    func testExplicitNullCountsAsAbsent() throws {
        let value = try JSONValue(parsing: Data(#"{"DeletedDate": null, "Name": "x", "Flag": false, "N": 3}"#.utf8))
        XCTAssertNil(value["DeletedDate"], "AWS answers null for fields that are not set")
        XCTAssertNil(value["Missing"])
        XCTAssertEqual(value["Name"], "x")
        XCTAssertEqual(value["Flag"], .bool(false), "false is a value, not null")
        XCTAssertEqual(value["N"]?.int, 3)
    }

    func testSerializationIsCompactSortedAndEscaped() {
        let value: JSONValue = ["b": [1, true, .null], "a": "line\n\"q\"\u{1}"]
        XCTAssertEqual(
            String(decoding: value.serialized(), as: UTF8.self), #"{"a":"line\n\"q\"\u0001","b":[1,true,null]}"#)
    }
}
