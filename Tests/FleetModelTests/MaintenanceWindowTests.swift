import Foundation
import XCTest
import FleetModel

final class MaintenanceWindowTests: XCTestCase {
    private func date(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    func testContainsAcrossTimeZonesAndWeekWrap() {
        // 2026-11-22 is a Sunday, 2026-11-23 a Monday.
        let cases: [(MaintenanceWindow, String, Bool)] = [
            (.init(day: .sun, start: "02:00", duration: "4h", timeZone: "UTC"), "2026-11-22T02:00:00Z", true),
            (.init(day: .sun, start: "02:00", duration: "4h", timeZone: "UTC"), "2026-11-22T05:59:59Z", true),
            (.init(day: .sun, start: "02:00", duration: "4h", timeZone: "UTC"), "2026-11-22T06:00:00Z", false),
            (.init(day: .sun, start: "02:00", duration: "4h", timeZone: "UTC"), "2026-11-22T01:59:00Z", false),
            (.init(day: .sun, start: "02:00", duration: "4h", timeZone: "UTC"), "2026-11-29T03:00:00Z", true),
            // Week wrap: Sunday 23:00 + 4h covers Monday 02:00.
            (.init(day: .sun, start: "23:00", duration: "4h", timeZone: "UTC"), "2026-11-23T02:00:00Z", true),
            (.init(day: .sun, start: "23:00", duration: "4h", timeZone: "UTC"), "2026-11-23T03:00:00Z", false),
            (.init(day: .sun, start: "23:00", duration: "4h", timeZone: "UTC"), "2026-11-22T22:59:00Z", false),
            // New York is UTC-5 in November: sun 02:00 local is 07:00Z.
            (
                .init(day: .sun, start: "02:00", duration: "4h", timeZone: "America/New_York"), "2026-11-22T03:00:00Z",
                false
            ),
            (
                .init(day: .sun, start: "02:00", duration: "4h", timeZone: "America/New_York"), "2026-11-22T07:30:00Z",
                true
            ),
            // Tokyo (UTC+9): mon 01:00 local + 90m is sun 16:00Z–17:30Z.
            (.init(day: .mon, start: "01:00", duration: "90m", timeZone: "Asia/Tokyo"), "2026-11-22T16:45:00Z", true),
            (.init(day: .mon, start: "01:00", duration: "90m", timeZone: "Asia/Tokyo"), "2026-11-23T01:00:00Z", false),
            // Berlin summer time (UTC+2): sat 22:00 + 1h30m.
            (
                .init(day: .sat, start: "22:00", duration: "1h30m", timeZone: "Europe/Berlin"), "2026-07-04T20:15:00Z",
                true
            ),
            (
                .init(day: .sat, start: "22:00", duration: "1h30m", timeZone: "Europe/Berlin"), "2026-07-04T21:30:00Z",
                false
            ),
            // A full day starting Monday 00:00 covers all of Monday, not Tuesday.
            (.init(day: .mon, start: "00:00", duration: "24h", timeZone: "UTC"), "2026-11-23T23:59:00Z", true),
            (.init(day: .mon, start: "00:00", duration: "24h", timeZone: "UTC"), "2026-11-24T00:00:00Z", false),
            // Malformed windows never match.
            (.init(day: .sun, start: "2am", duration: "4h", timeZone: "UTC"), "2026-11-22T02:30:00Z", false),
            (.init(day: .sun, start: "02:00", duration: "4h", timeZone: "Mars/Base"), "2026-11-22T02:30:00Z", false),
        ]
        for (window, instant, expected) in cases {
            XCTAssertEqual(window.contains(date(instant)), expected, "\(window) at \(instant)")
        }
    }

    func testParsesStartAndDuration() {
        XCTAssertEqual(MaintenanceWindow.minutes(ofStart: "23:59"), 1439)
        for bad in ["24:00", "2:00", "02:60", "0200", "ab:cd", ""] {
            XCTAssertNil(MaintenanceWindow.minutes(ofStart: bad), bad)
        }
        XCTAssertEqual(MaintenanceWindow.minutes(ofDuration: "90m"), 90)
        XCTAssertEqual(MaintenanceWindow.minutes(ofDuration: "1h30m"), 90)
        XCTAssertEqual(MaintenanceWindow.minutes(ofDuration: "24h"), 1440)
        for bad in ["29m", "25h", "4", "h", "4h4h", "30m1h", "4 h", "-1h", ""] {
            XCTAssertNil(MaintenanceWindow.minutes(ofDuration: bad), bad)
        }
    }
}
