import XCTest
import FleetModel
import TestSupport
@testable import CloudctlCLI

/// `rollout advance` with an injected clock: the bake gate, approval, never a paused file, idempotence.
final class RolloutCommandTests: RepoTestCase {
    private func writeGatedFleet() throws {
        let staged =
            #""staged": {"waves": [{"name": "internal", "types": ["internal"], "bake": "48h"}, "#
            + #"{"name": "rest", "approval": true}]}, "stable""#
        try repo.write("_fleet.json", TemporaryRepo.fleetFile.replacingOccurrences(of: #""stable""#, with: staged))
        try repo.writeSpec(Fixtures.spec("acme", channel: "staged"))
        try repo.writeSpec(Fixtures.spec("inhouse", type: .internal, channel: "staged"))
        try repo.writeSpec(Fixtures.spec("frozen", channel: "pause"))
    }

    private func file(_ name: String) throws -> String {
        try String(contentsOf: repo.url.appendingPathComponent("Instances/\(name).json"), encoding: .utf8)
    }

    func testGatesHoldThenOpen() async throws {
        try writeGatedFleet()
        let provisioned = await runCLI(["apply", "--auto-approve"], repo: repo)
        XCTAssertEqual(provisioned.code, 0, provisioned.out + provisioned.err)
        let acmeBefore = try file("acme")
        let frozenBefore = try file("frozen")

        let first = await runCLI(["rollout", "advance", "5.3.0"], repo: repo)
        XCTAssertEqual(first.code, 0, first.out + first.err)
        XCTAssertTrue(first.out.contains("wave internal: set version 5.3.0 in 1 file(s): inhouse"), first.out)
        XCTAssertTrue(try file("inhouse").contains(#""version" : "5.3.0""#))
        let applied = await runCLI(["apply", "--auto-approve"], repo: repo)
        XCTAssertEqual(applied.code, 0, applied.out + applied.err)

        let hour: TimeInterval = 3600
        let cases: [(after: TimeInterval, arguments: [String], code: Int32, lines: [String])] = [
            (
                17 * hour, [], 1,
                ["wave internal: bake 31h of 48h left", "wave rest: needs approval"]
            ),
            (49 * hour, [], 1, ["wave rest: needs approval (rollout advance VERSION --approve rest)"]),
            (
                49 * hour, ["--approve", "rest"], 0,
                ["Approved wave rest of 5.3.0.", "wave rest: set version 5.3.0 in 1 file(s): acme"]
            ),
            (50 * hour, [], 0, ["Every instance file of the rollout names 5.3.0 already"]),
        ]
        for (after, arguments, code, lines) in cases {
            let run = await runCLI(
                ["rollout", "advance", "5.3.0"] + arguments, repo: repo, now: CLITestClock.now + after)
            XCTAssertEqual(run.code, code, "\(arguments) after \(after / hour)h: " + run.out + run.err)
            for line in lines { XCTAssertTrue(run.out.contains(line), "\(line)\n---\n\(run.out)") }
            if code == 1 { XCTAssertEqual(try file("acme"), acmeBefore, "a closed gate edits nothing") }
        }
        // Only the version value changed, and the paused instance was never edited.
        XCTAssertEqual(
            try file("acme"),
            acmeBefore.replacingOccurrences(of: #""version" : "5.2.3""#, with: #""version" : "5.3.0""#))
        XCTAssertEqual(try file("frozen"), frozenBefore)

        let history = await runCLI(["history"], repo: repo, now: CLITestClock.now + 50 * hour)
        XCTAssertTrue(history.out.contains("rollout 5.3.0 approve wave rest (channel staged)"), history.out)
        XCTAssertTrue(history.out.contains("rollout 5.3.0 advance wave internal (channel staged)"), history.out)
    }

    /// A hand-edited bump of two waves at once: apply upgrades the first and holds the second at its closed gate.
    func testApplyStopsAtAClosedGateBetweenWaves() async throws {
        try writeGatedFleet()
        let provisioned = await runCLI(["apply", "--auto-approve"], repo: repo)
        XCTAssertEqual(provisioned.code, 0, provisioned.out + provisioned.err)
        try repo.writeSpec(Fixtures.spec("acme", version: Version(5, 3, 0), channel: "staged"))
        try repo.writeSpec(Fixtures.spec("inhouse", version: Version(5, 3, 0), type: .internal, channel: "staged"))
        let provider = FakeCloudProvider()
        let applied = await runCLI(["apply", "--auto-approve"], repo: repo, provider: provider)
        XCTAssertEqual(applied.code, 1, applied.out + applied.err)
        XCTAssertTrue(
            applied.out.contains("rollout gate closed: wave internal: bake 48h of 48h left; wave rest: needs approval"),
            applied.out)
        let steps = await provider.steps
        XCTAssertTrue(steps.contains("inhouse health-check service"), "\(steps)")
        XCTAssertFalse(steps.contains { $0.hasPrefix("acme ") }, "\(steps)")
    }

    func testUnknownWaveAndVersionAreErrors() async throws {
        try writeGatedFleet()
        let cases: [(arguments: [String], message: String)] = [
            (["rollout", "advance", "5.3.0", "--approve", "nope"], "No wave 'nope' in the rollout of 5.3.0"),
            (["rollout", "plan", "9.9.9"], "Version 9.9.9 is not in the release catalog"),
            (["rollout", "plan", "5.3.0", "--commit"], "--commit does not apply to 'rollout plan'"),
            (["rollout", "launch", "5.3.0"], "rollout action"),
        ]
        for (arguments, message) in cases {
            let run = await runCLI(arguments, repo: repo)
            XCTAssertEqual(run.code, 1, arguments.joined(separator: " "))
            XCTAssertTrue(run.err.contains(message), "\(message)\n---\n\(run.err)")
        }
    }
}
