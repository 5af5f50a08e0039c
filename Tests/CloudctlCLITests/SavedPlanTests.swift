import XCTest
import FleetModel
import ProviderAPI
import TestSupport
@testable import CloudctlCLI

/// `apply PLANFILE`: only a plan this cloudctl would make now, from the same files and recorded state, is applied.
final class SavedPlanTests: RepoTestCase {
    /// A refusal that concerns a whole fleet names a few instances and counts the rest.
    func testMessagesNameAtMostTenInstances() {
        let names = (0..<100_000).map { String(format: "cust-%06d", $0) }
        XCTAssertEqual(InstanceChange.names(Array(names.prefix(3))), "cust-000000, cust-000001 and cust-000002")
        let many = InstanceChange.names(names)
        XCTAssertTrue(many.hasSuffix("cust-000009 and 99990 more"), many)
        XCTAssertLessThan(many.count, 200)
    }

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
        XCTAssertEqual(steps.count, 13)
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
            edit(&steps[6])
            instances[0]["steps"] = steps
            plan["instances"] = instances
        }
        let cases = [
            Case(
                edit: { plan in editStep(&plan) { $0["disruptive"] = true } },
                error: "error: Saved plan does not match a fresh plan\n  For acme, the steps in p.json differ"),
            // A value changed without its hash: the step no longer hashes to what it claims.
            Case(
                edit: { plan in
                    editStep(&plan) { step in
                        var after = step["after"] as! [String: Any]
                        after["databaseClass"] = "db.r5.24xlarge"
                        step["after"] = after
                    }
                }, error: "error: ",
                hint: "does not match the step's attributes (edited by hand?) at instances[0].steps[6].inputsHash"),
            // The same with the hash recomputed: a consistent step, but not what cloudctl plans.
            Case(
                edit: { plan in
                    editStep(&plan) { step in
                        let tampered = ResourceAttributes.database(
                            DatabaseAttributes(
                                region: "us-east-1", databaseClass: "db.r5.24xlarge", storageGB: 20,
                                backupRetentionDays: 7))
                        step["after"] = [
                            "region": "us-east-1", "databaseClass": "db.r5.24xlarge", "storageGB": 20,
                            "backupRetentionDays": 7, "deletionProtection": false,
                        ]
                        step["inputsHash"] = tampered.hash
                        step["reason"] = "PostgreSQL db.r5.24xlarge, 20 GiB"
                    }
                }, error: "error: Saved plan does not match a fresh plan\n  For acme, the steps in p.json differ"),
            Case(
                edit: { plan in
                    var instances = plan["instances"] as! [[String: Any]]
                    instances[0]["wave"] = 3
                    plan["instances"] = instances
                }, error: "error: Saved plan does not match a fresh plan"),
            Case(
                edit: { plan in
                    let instances = plan["instances"] as! [[String: Any]]
                    plan["instances"] = instances + [instances[0]]
                }, error: "error: Saved plan names acme more than once\n  Each instance appears once"),
            Case(
                edit: { $0["toolVersion"] = "0.0.1" },
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

/// Every part of a saved plan is checked, not only the steps: summary, fleet, selection, instance list, unknown keys.
final class SavedPlanIntegrityTests: RepoTestCase {
    private typealias JSONObject = [String: Any]

    private static func instances(_ plan: JSONObject) -> [JSONObject] { plan["instances"] as! [JSONObject] }

    /// Recounts the summary as cloudctl would, so only the edit under test differs.
    private static func recount(_ plan: inout JSONObject) {
        let instances = instances(plan)
        let steps = instances.map { ($0["steps"] as! [JSONObject]).count }
        plan["summary"] = [
            "create": steps.reduce(0, +), "delete": 0, "instances": instances.count,
            "instancesWithChanges": steps.filter { $0 > 0 }.count, "orphaned": 0, "other": 0, "refused": 0, "update": 0,
        ]
    }

    func testEditedSummaryFleetListSelectionAndUnknownKeysAreRefusedWithoutACloudCall() async throws {
        try repo.writeSpec(Fixtures.spec("globex"))
        struct Case {
            var name: String
            var edit: (inout JSONObject) -> Void
            var error: String
        }
        let cases = [
            Case(
                name: "summary",
                edit: { plan in
                    var summary = plan["summary"] as! JSONObject
                    summary["create"] = 1
                    plan["summary"] = summary
                }, error: "error: Saved plan's summary does not match its instances\n"),
            Case(
                name: "fleet", edit: { $0["fleet"] = "other" },
                error: "error: Saved plan is for fleet \"other\"; this repository's fleet is \"test\""),
            Case(
                name: "instance removed, summary fixed",
                edit: { plan in
                    plan["instances"] = Array(Self.instances(plan).prefix(1))
                    Self.recount(&plan)
                },
                error:
                    "error: Saved plan does not list the instances a fresh plan lists\n"
                    + "  A fresh plan of the whole fleet also lists globex"
            ),
            Case(
                name: "instances reordered",
                edit: { plan in
                    plan["instances"] = Array(Self.instances(plan).reversed())
                }, error: "error: Saved plan does not match a fresh plan\n  For acme and globex"),
            Case(
                name: "selection narrowed", edit: { $0["selection"] = ["acme"] },
                error:
                    "error: Saved plan does not list the instances a fresh plan lists\n"
                    + "  A fresh plan of acme no longer lists globex"
            ),
            Case(
                name: "selection removed", edit: { $0["selection"] = nil },
                error: "error: Saved plan does not say which instances it covers\n"),
            Case(
                name: "top-level key", edit: { $0["approvedBy"] = "me" },
                error: "p.json is not a valid saved plan: unknown key \"approvedBy\" at the top level\n"),
            Case(
                name: "instance key",
                edit: { plan in
                    var instances = Self.instances(plan)
                    instances[1]["owner"] = "me"
                    plan["instances"] = instances
                }, error: "p.json is not a valid saved plan: unknown key \"owner\" at instances[1].owner\n"),
            Case(
                name: "step key",
                edit: { plan in
                    var instances = Self.instances(plan)
                    var steps = instances[0]["steps"] as! [JSONObject]
                    steps[2]["skip"] = true
                    instances[0]["steps"] = steps
                    plan["instances"] = instances
                }, error: "p.json is not a valid saved plan: unknown key \"skip\" at instances[0].steps[2].skip\n"),
        ]
        let planFile = repo.url.appendingPathComponent("p.json")
        for testCase in cases {
            let saved = await runCLI(["plan", "--out", "p.json"], repo: repo)
            XCTAssertEqual(saved.code, 0, saved.err)
            var plan = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: planFile)) as? JSONObject)
            XCTAssertEqual(Self.instances(plan).map { $0["name"] as? String }, ["acme", "globex"])
            testCase.edit(&plan)
            try JSONSerialization.data(withJSONObject: plan, options: [.sortedKeys]).write(to: planFile)

            let provider = FakeCloudProvider()
            let run = await runCLI(["apply", "p.json", "--auto-approve"], repo: repo, provider: provider)
            XCTAssertEqual(run.code, 1, testCase.name)
            // The file's full path is named where it may not be the argument (a temporary directory here).
            XCTAssertTrue(
                run.err.hasPrefix(testCase.error)
                    || run.err.hasPrefix("error: /") && run.err.contains("/" + testCase.error),
                "\(testCase.name): \(run.err)")
            XCTAssertEqual(run.out, "", testCase.name)
            let steps = await provider.steps
            XCTAssertEqual(steps, [], testCase.name)
        }
    }

    func testShowRefusesAnEditedSummaryOrUnknownKeyAndPrintsNothing() async throws {
        let planFile = repo.url.appendingPathComponent("p.json")
        let edits: [(String, (inout JSONObject) -> Void)] = [
            (
                "Saved plan's summary does not match its instances",
                { plan in
                    var summary = plan["summary"] as! JSONObject
                    summary["instances"] = 7
                    plan["summary"] = summary
                }
            ),
            (
                "unknown key \"later\" at instances[0].later",
                { plan in
                    var instances = Self.instances(plan)
                    instances[0]["later"] = 1
                    plan["instances"] = instances
                }
            ),
        ]
        for (error, edit) in edits {
            _ = await runCLI(["plan", "--out", "p.json"], repo: repo)
            var plan = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: planFile)) as? JSONObject)
            edit(&plan)
            try JSONSerialization.data(withJSONObject: plan).write(to: planFile)
            let run = await runCLI(["show", "p.json"], repo: repo)
            XCTAssertEqual(run.code, 1)
            XCTAssertTrue(run.err.contains(error), run.err)
            XCTAssertEqual(run.out, "")
        }
    }

    func testNamedSelectionIsSavedAndAppliedExactly() async throws {
        try repo.writeSpec(Fixtures.spec("globex"))
        _ = await runCLI(["plan", "globex", "--out", "p.json"], repo: repo)
        let plan = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: repo.url.appendingPathComponent("p.json")))
                as? JSONObject)
        XCTAssertEqual(plan["selection"] as? [String], ["globex"])
        let provider = FakeCloudProvider()
        let run = await runCLI(["apply", "p.json", "--auto-approve"], repo: repo, provider: provider)
        XCTAssertEqual(run.code, 0, run.err)
        let steps = await provider.steps
        XCTAssertEqual(steps.count, 13)
        let shown = await runCLI(["show", "p.json", "--json"], repo: repo)
        XCTAssertEqual(
            try JSONSerialization.jsonObject(with: Data(shown.out.utf8)) as? NSDictionary, plan as NSDictionary)
    }

    func testOrphansMakeDetailedExitcode2AndNeverClaimTheFleetMatches() async throws {
        try repo.writeSpec(Fixtures.spec("globex"))
        _ = await runCLI(["apply", "--auto-approve"], repo: repo)
        let clean = await runCLI(["plan", "--detailed-exitcode"], repo: repo)
        XCTAssertEqual(clean.code, 0, clean.err)
        XCTAssertEqual(clean.out, "No changes. Your fleet matches the instance files.\n")
        try FileManager.default.removeItem(at: repo.url.appendingPathComponent("Instances/acme.json"))
        let run = await runCLI(["plan", "--detailed-exitcode"], repo: repo)
        XCTAssertEqual(run.code, 2, run.err)
        XCTAssertFalse(run.out.contains("matches"), run.out)
        XCTAssertTrue(
            run.out.hasSuffix(
                "No changes to apply, but the fleet does not match the instance files: 1 orphaned (left untouched).\n"),
            run.out)
    }

    func testOutIntoInstancesIsRefused() async throws {
        for out in ["Instances/plan.json", "Instances/../Instances/p.json"] {
            let run = await runCLI(["plan", "--out", out], repo: repo)
            XCTAssertEqual(run.code, 1, out)
            XCTAssertTrue(run.err.hasPrefix("error: Refusing to save the plan to "), run.err)
            XCTAssertTrue(run.err.contains("it is inside Instances/"), run.err)
            XCTAssertFalse(
                FileManager.default.fileExists(atPath: repo.url.appendingPathComponent("Instances/plan.json").path))
            XCTAssertFalse(
                FileManager.default.fileExists(atPath: repo.url.appendingPathComponent("Instances/p.json").path))
        }
        let elsewhere = await runCLI(["plan", "--out", "Plans/p.json"], repo: repo)
        XCTAssertEqual(elsewhere.code, 0, elsewhere.err)
    }
}
