import XCTest
import FleetModel
import TestSupport
@testable import CloudctlCLI

/// validate, plan and show end to end on a temporary repository.
final class PlanCommandTests: RepoTestCase {
    func testValidateCleanRepo() async throws {
        try repo.writeSpec(Fixtures.spec("globex"))
        let run = await runCLI(["validate"], repo: repo)
        XCTAssertEqual(run.code, 0, run.err)
        XCTAssertEqual(run.out, "Validated 2 instance files: no problems.\n")
    }

    func testValidateReportsEveryProblemAndExits1() async throws {
        try repo.write("globex.json", "{\"name\": \"globex\", \"sise\": 1}")
        try repo.write("initech.json", "{ not json")
        let run = await runCLI(["validate", "--repo", repo.url.path], repo: nil)
        XCTAssertEqual(run.code, 1)
        XCTAssertTrue(run.err.contains("globex.json"), run.err)
        XCTAssertTrue(run.err.contains("initech.json"), run.err)
        XCTAssertTrue(run.out.hasSuffix(" in 2 files.\n"), run.out)
    }

    func testPlanShowsProvisioningWithoutCreatingADatabase() async throws {
        let run = await runCLI(["plan"], repo: repo)
        XCTAssertEqual(run.code, 0, run.err)
        // One wave: no wave header.
        XCTAssertTrue(run.out.hasPrefix("acme (production, us-east-1) will be provisioned\n  + create"), run.out)
        XCTAssertTrue(
            run.out.hasSuffix("Plan: 1 to provision (1 instance, 13 steps: 13 to create, 0 to update, 0 to delete).\n"),
            run.out)
        XCTAssertFalse(FileManager.default.fileExists(atPath: repo.dbPath))

        let detailed = await runCLI(["plan", "--detailed-exitcode"], repo: repo)
        XCTAssertEqual(detailed.code, 2)
    }

    func testPlanWithInvalidFilesPrintsThemAndExits1() async throws {
        try repo.write("globex.json", "{\"name\": \"globex\"}")
        let run = await runCLI(["plan"], repo: repo)
        XCTAssertEqual(run.code, 1)
        XCTAssertTrue(run.err.contains("globex.json"), run.err)
        XCTAssertEqual(run.out, "")
    }

    func testPlanUnknownInstanceIsAnError() async throws {
        let run = await runCLI(["plan", "nosuch"], repo: repo)
        XCTAssertEqual(run.code, 1)
        XCTAssertTrue(run.err.contains("nosuch"), run.err)
    }

    func testPlanJSONIsOneObjectWithTheContractKeys() async throws {
        let run = await runCLI(["plan", "--json"], repo: repo)
        XCTAssertEqual(run.code, 0, run.err)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        XCTAssertEqual(object["formatVersion"] as? Int, Plan.currentFormatVersion)
        let instances = try XCTUnwrap(object["instances"] as? [[String: Any]])
        XCTAssertEqual(instances.map { $0["name"] as? String }, ["acme"])
        let step = try XCTUnwrap((instances[0]["steps"] as? [[String: Any]])?.first)
        XCTAssertEqual(step["action"] as? String, "create")
        XCTAssertEqual(step["resource"] as? String, "network")
        XCTAssertNotNil(step["reason"] as? String)
        let summary = try XCTUnwrap(object["summary"] as? [String: Any])
        XCTAssertEqual(summary["create"] as? Int, 13)
        XCTAssertEqual(summary["delete"] as? Int, 0)
    }

    func testPlanOutSavesThePlanAndShowRendersIt() async throws {
        let plan = await runCLI(["plan", "--out", "Plans/next.json"], repo: repo)
        XCTAssertEqual(plan.code, 0, plan.err)
        XCTAssertTrue(plan.out.hasSuffix("To apply exactly this plan: cloudctl apply Plans/next.json\n"), plan.out)
        let saved = try String(contentsOf: repo.url.appendingPathComponent("Plans/next.json"), encoding: .utf8)

        let json = await runCLI(["show", "Plans/next.json", "--json"], repo: repo)
        XCTAssertEqual(json.code, 0, json.err)
        XCTAssertEqual(json.out, saved + "\n")
        let text = await runCLI(["show", "Plans/next.json"], repo: repo)
        // A saved plan carries wave numbers but not the waves' names.
        XCTAssertTrue(text.out.hasPrefix("── Wave 1\n\nacme will be provisioned\n"), text.out)
        let markdown = await runCLI(["show", "Plans/next.json", "--markdown"], repo: repo)
        XCTAssertTrue(markdown.out.contains("**acme**: provision (create)"), markdown.out)
    }

    func testAClosedStdoutStillSavesThePlanAndExits0() async throws {
        // `cloudctl plan --out FILE | head`: the reader is gone before the plan is printed.
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        close(ends[0])
        defer { close(ends[1]) }
        for format in [[], ["--json"]] {
            let plan = await runCLI(
                ["plan", "--out", "p.json"] + format, repo: repo, stdout: FileDescriptorWriter(ends[1]).write)
            XCTAssertEqual(plan.code, 0, plan.err)
            let saved = try Data(contentsOf: repo.url.appendingPathComponent("p.json"))
            XCTAssertNotNil(try JSONSerialization.jsonObject(with: saved), "a whole plan was saved (\(format))")
        }
    }

    func testPlanOutNamingADirectoryIsAClearErrorAndLeavesNoTemporaryFile() async throws {
        try FileManager.default.createDirectory(
            at: repo.url.appendingPathComponent("Plans"), withIntermediateDirectories: true)
        let plan = await runCLI(["plan", "--out", "Plans"], repo: repo)
        XCTAssertEqual(plan.code, 1)
        XCTAssertTrue(plan.err.contains("Cannot write the plan to \(repo.url.path)/Plans: it is a directory"), plan.err)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: repo.url.path).sorted(), ["Instances", "Plans"])

        // Past that check (the path became a directory while planning), the failed rename still removes the temporary
        // file.
        let writer = try AtomicFileWriter(repo.url.appendingPathComponent("Plans"))
        writer.write("{}")
        XCTAssertThrowsError(try writer.commit())
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: repo.url.path).sorted(), ["Instances", "Plans"])
    }

    func testShowRefusesMissingGarbledAndUnknownFormatFiles() async throws {
        try "{ nope".write(to: repo.url.appendingPathComponent("garbled.json"), atomically: true, encoding: .utf8)
        try "{\"formatVersion\": 99}".write(
            to: repo.url.appendingPathComponent("future.json"), atomically: true, encoding: .utf8)
        try "{\"formatVersion\": 2}".write(
            to: repo.url.appendingPathComponent("partial.json"), atomically: true, encoding: .utf8)
        let cases = [
            ("missing.json", "error: Cannot read plan file"),
            ("garbled.json", "is not a saved plan: it is not valid JSON"),
            ("future.json", "has plan format version 99; this cloudctl (0.1.0) reads version 2"),
            ("partial.json", "is not a valid saved plan: missing toolVersion"),
        ]
        for (file, message) in cases {
            let run = await runCLI(["show", file], repo: repo)
            XCTAssertEqual(run.code, 1, file)
            XCTAssertTrue(run.err.contains(message), "\(file): \(run.err)")
        }
    }
}
