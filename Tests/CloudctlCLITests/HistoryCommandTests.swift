import XCTest
import FleetModel
import TestSupport
@testable import CloudctlCLI

final class HistoryCommandTests: RepoTestCase {
    func testSinceAcceptsDurationsAndISODates() throws {
        let now = CLITestClock.now  // 2026-11-22T03:00:00Z
        let cases: [(text: String, expected: Date?)] = [
            ("3650d", now.addingTimeInterval(-3650 * 86400)),
            ("87600h", now.addingTimeInterval(-87600 * 3600)),
            ("3651d", nil), ("99999999999999999999999h", nil), ("+3h", nil),
            ("45s", now.addingTimeInterval(-45)),
            ("30m", now.addingTimeInterval(-1800)),
            ("12h", now.addingTimeInterval(-12 * 3600)),
            ("2d", now.addingTimeInterval(-2 * 86400)),
            ("0h", now),
            ("2026-11-20", try Date("2026-11-20T00:00:00Z", strategy: .iso8601)),
            ("2026-11-20T18:30:00Z", try Date("2026-11-20T18:30:00Z", strategy: .iso8601)),
            ("2026-11-20T18:30:00+02:00", try Date("2026-11-20T16:30:00Z", strategy: .iso8601)),
            ("", nil), ("h", nil), ("12", nil), ("12w", nil), ("-3h", nil), ("1.5h", nil), ("yesterday", nil),
            ("2026-13-40", nil), ("20/11/2026", nil),
        ]
        for (text, expected) in cases {
            XCTAssertEqual((try? Since(text))?.start(now: now), expected, "'\(text)'")
        }
    }

    func testSinceFiltersOperationsAndRejectsBadValues() async throws {
        _ = await runCLI(["apply", "--auto-approve"], repo: repo)
        let recent = await runCLI(
            ["history", "--since", "1h"], repo: repo, now: CLITestClock.now.addingTimeInterval(1800))
        XCTAssertEqual(recent.code, 0, recent.err)
        XCTAssertTrue(recent.out.hasPrefix("#1 acme apply succeeded"), recent.out)

        let later = await runCLI(
            ["history", "acme", "--since=1h"], repo: repo, now: CLITestClock.now.addingTimeInterval(7200))
        XCTAssertEqual(later.code, 0, later.err)
        XCTAssertEqual(later.out, "No operations recorded for acme since 2026-11-22T04:00:00Z.\n")

        let bad = await runCLI(["history", "--since", "yesterday"], repo: repo)
        XCTAssertEqual(bad.code, 1)
        let expected = "error: --since must be a duration like 30m, 12h or 7d, or an ISO 8601 date"
        XCTAssertTrue(bad.err.hasPrefix(expected), bad.err)
        XCTAssertTrue(bad.err.contains(", got 'yesterday'\n"), bad.err)
        XCTAssertEqual(bad.out, "")
    }
}
