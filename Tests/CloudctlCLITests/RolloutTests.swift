import XCTest
import FleetModel
import ProviderAPI
import TestSupport
@testable import CloudctlCLI

/// apply across rollout waves, and how plans name what happens to an instance.
final class RolloutTests: RepoTestCase {
    /// acme (production) in the second wave of a channel whose first wave takes internal instances (inhouse).
    private func writeStagedFleet() throws {
        let staged = #""staged": {"waves": [{"name": "internal", "types": ["internal"]}, {"name": "rest"}]}, "stable""#
        try repo.write("_fleet.json", TemporaryRepo.fleetFile.replacingOccurrences(of: #""stable""#, with: staged))
        try repo.writeSpec(Fixtures.spec("acme", channel: "staged"))
        try repo.writeSpec(Fixtures.spec("inhouse", type: .internal, channel: "staged"))
    }

    func testAFailedWaveStopsTheRolloutUnlessToldToContinue() async throws {
        try writeStagedFleet()
        let provider = FakeCloudProvider(failing: [.database])
        let stopped = await runCLI(["apply", "--auto-approve"], repo: repo, provider: provider)
        XCTAssertEqual(stopped.code, 1)
        XCTAssertTrue(
            stopped.out.contains("Apply complete: 0 succeeded, 1 failed, 0 deferred, 1 cancelled.\n  inhouse: step 7"),
            stopped.out)
        XCTAssertTrue(
            stopped.out.contains(
                "\n  1 instance not started: wave 0 of the plan had failures; fix them and apply again, "
                    + "or pass --continue-after-failed-wave\n"), stopped.out)
        let stoppedSteps = await provider.steps
        XCTAssertFalse(stoppedSteps.contains { $0.hasPrefix("acme ") }, "\(stoppedSteps)")

        let continued = await runCLI(
            ["apply", "--auto-approve", "--continue-after-failed-wave"], repo: repo, provider: provider)
        XCTAssertEqual(continued.code, 1)
        XCTAssertTrue(continued.out.contains("Apply complete: 0 succeeded, 2 failed, 0 deferred.\n"), continued.out)
        let continuedSteps = await provider.steps
        XCTAssertTrue(continuedSteps.contains("acme create database"), "\(continuedSteps)")
    }

    func testSuspendAndResumeAreNamedOnlyWhenTheStateChanges() async throws {
        try repo.writeSpec(Fixtures.spec("acme", state: .suspended))
        let provisioned = await runCLI(["apply", "--auto-approve"], repo: repo)
        XCTAssertEqual(provisioned.code, 0, provisioned.err)

        let cases: [(spec: InstanceSpec, header: String)] = [
            (
                Fixtures.spec("acme", size: "medium", state: .suspended),
                "acme (production, us-east-1) will be resized\n"
            ),
            (Fixtures.spec("acme", state: .active), "acme (production, us-east-1) will be resumed\n"),
            (
                Fixtures.spec("acme", size: "medium", state: .active),
                "acme (production, us-east-1) will be resumed and resized\n"
            ),
        ]
        for (spec, header) in cases {
            try repo.writeSpec(spec)
            let plan = await runCLI(["plan"], repo: repo)
            XCTAssertEqual(plan.code, 0, plan.err)
            XCTAssertTrue(plan.out.hasPrefix(header), plan.out)
        }
    }
}
