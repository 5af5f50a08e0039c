import XCTest
import FleetModel
import ProviderAPI
import TestSupport
@testable import CloudctlCLI

/// `apply PLANFILE`: only a plan this cloudctl would make now, from the same files and recorded state, is applied.
final class SavedPlanTests: RepoTestCase {
    func testStaleSavedPlanIsRefused() async throws {
        let saved = await runCLI(["plan", "--out", "p.json"], repo: repo)
        XCTAssertEqual(saved.code, 0, saved.err)
        try repo.writeSpec(Fixtures.spec("acme", size: "medium"))
        let provider = FakeCloudProvider()
        let run = await runCLI(["apply", "p.json", "--auto-approve"], repo: repo, provider: provider)
        XCTAssertEqual(run.code, 1)
        XCTAssertTrue(run.err.hasPrefix("error: Saved plan is stale\n"), run.err)
        XCTAssertTrue(run.err.contains("for acme"), run.err)
        XCTAssertTrue(run.err.contains("cloudctl plan"), run.err)
        let steps = await provider.steps
        XCTAssertEqual(steps, [])
    }

    func testFreshSavedPlanIsApplied() async throws {
        _ = await runCLI(["plan", "--out", "p.json"], repo: repo)
        let provider = FakeCloudProvider()
        let run = await runCLI(["apply", "p.json", "--auto-approve"], repo: repo, provider: provider)
        XCTAssertEqual(run.code, 0, run.err)
        let steps = await provider.steps
        XCTAssertEqual(steps.count, 9)
        // Applying it twice is refused: the recorded state moved on.
        let twice = await runCLI(["apply", "p.json", "--auto-approve"], repo: repo, provider: provider)
        XCTAssertTrue(twice.err.contains("Saved plan is stale"), twice.err)
    }

    func testEditedOrForeignSavedPlansAreRefused() async throws {
        struct Case {
            var edit: (inout [String: Any]) -> Void
            var error: String
            var hint = "Re-run `cloudctl plan --out p.json`"
        }
        func editStep(_ plan: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
            var instances = plan["instances"] as! [[String: Any]]
            var steps = instances[0]["steps"] as! [[String: Any]]
            edit(&steps[4])
            instances[0]["steps"] = steps
            plan["instances"] = instances
        }
        let cases = [
            Case(edit: { plan in editStep(&plan) { $0["disruptive"] = true } },
                 error: "error: Saved plan does not match a fresh plan\n  For acme, the steps in p.json differ"),
            // A value changed without its hash: the step no longer hashes to what it claims.
            Case(edit: { plan in
                editStep(&plan) { step in
                    var after = step["after"] as! [String: Any]
                    after["databaseClass"] = "db.r5.24xlarge"
                    step["after"] = after
                }
            }, error: "error: ", hint: "inputsHash: does not match the step's attributes"),
            // The same with the hash recomputed: a consistent step, but not what cloudctl plans.
            Case(edit: { plan in
                editStep(&plan) { step in
                    let tampered = ResourceAttributes.database(DatabaseAttributes(
                        region: "us-east-1", databaseClass: "db.r5.24xlarge", storageGB: 20))
                    step["after"] = ["region": "us-east-1", "databaseClass": "db.r5.24xlarge", "storageGB": 20]
                    step["inputsHash"] = tampered.hash
                }
            }, error: "error: Saved plan does not match a fresh plan\n  For acme, the steps in p.json differ"),
            Case(edit: { plan in
                var instances = plan["instances"] as! [[String: Any]]
                instances[0]["wave"] = 3
                plan["instances"] = instances
            }, error: "error: Saved plan does not match a fresh plan"),
            Case(edit: { plan in
                let instances = plan["instances"] as! [[String: Any]]
                plan["instances"] = instances + [instances[0]]
            }, error: "error: Saved plan names acme more than once\n  Each instance appears once"),
            Case(edit: { $0["toolVersion"] = "0.0.1" },
                 error: "error: Saved plan was made by cloudctl 0.0.1; this is cloudctl \(CLI.toolVersion)\n"),
        ]
        let planFile = repo.url.appendingPathComponent("p.json")
        for (index, testCase) in cases.enumerated() {
            let saved = await runCLI(["plan", "--out", "p.json"], repo: repo)
            XCTAssertEqual(saved.code, 0, saved.err)
            var plan = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: planFile)) as? [String: Any])
            testCase.edit(&plan)
            try JSONSerialization.data(withJSONObject: plan).write(to: planFile)

            let provider = FakeCloudProvider()
            let run = await runCLI(["apply", "p.json", "--auto-approve"], repo: repo, provider: provider)
            XCTAssertEqual(run.code, 1, "case \(index)")
            XCTAssertTrue(run.err.hasPrefix(testCase.error), "case \(index): \(run.err)")
            XCTAssertTrue(run.err.contains(testCase.hint), "case \(index): \(run.err)")
            let steps = await provider.steps
            XCTAssertEqual(steps, [], "case \(index)")
        }
    }
}
