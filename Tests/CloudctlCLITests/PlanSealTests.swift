import XCTest
import FleetModel
@testable import FleetFiles
import AWSProvider
import TestSupport
@testable import CloudctlCLI

/// A sealed saved plan (`PlanSeal`) is checked by its seal when nothing it was made from changed, and the long way
/// (planning again) otherwise, with the same outcome and the same errors.
final class PlanSealTests: RepoTestCase {
    private var planFile: URL { repo.url.appendingPathComponent("p.json") }

    private func savePlan(_ arguments: [String] = []) async throws -> String {
        let saved = await runCLI(["plan", "--out", "p.json"] + arguments, repo: repo)
        XCTAssertEqual(saved.code, 0, saved.err)
        return try String(contentsOf: planFile, encoding: .utf8)
    }

    private func sealedCheck() throws -> SealedPlanCheck {
        let scan = try XCTUnwrap(FleetLoader.scan(repo: repo.url, rules: AWSRules()))
        return SealedPlanCheck(
            reader: try SavedPlanReader(planFile), scan: scan, recorded: [], fullCheck: { throw CancellationError() })
    }

    func testSavedPlanIsSealedAndItsSealHandsOverExactlyTheCheckedInstances() async throws {
        try repo.writeSpec(Fixtures.spec("globex", size: "medium"))
        let text = try await savePlan()
        XCTAssertTrue(text.contains("\n  \"inputs\" : \""), text)
        XCTAssertTrue(text.contains("\n  \"seal\" : \""), text)
        let check = try sealedCheck()
        XCTAssertTrue(check.inputsUnchanged)
        var sealed: [InstancePlan] = []
        let summary = check.check { sealed.append($0) }
        // The steps' hashes and reasons were taken as written: the values equal a full, checked read.
        let checked = try check.reader.plan()
        XCTAssertEqual(summary, checked.summary)
        XCTAssertEqual(sealed, checked.instances)
        XCTAssertEqual(sealed.map(\.name), ["acme", "globex"])
    }

    /// Each input moves the digest: a plan made from anything else is never taken as current.
    func testInputsDigestCoversFilesRecordsSelectionAndVersion() throws {
        let files = FleetFilesDigest(bytes: Array(repeating: 1, count: 32))
        var record = RecordedInstance(name: "acme", region: "us-east-1")
        record.resources[.database] = RecordedResource(cloudId: "db-1", inputsHash: "h")
        var moved = record
        moved.storageGB = 50
        // The same hash, but attributes now recorded (a record from before they were kept, filled in later).
        var withAttributes = record
        withAttributes.resources[.database]?.attributes = .service(ServiceAttributes(replicas: 1))
        let base = PlanSeal.inputs(files: files, recorded: [record], selection: .all, toolVersion: "1.0.0")
        let variants = [
            PlanSeal.inputs(
                files: FleetFilesDigest(bytes: Array(repeating: 2, count: 32)), recorded: [record], selection: .all,
                toolVersion: "1.0.0"),
            PlanSeal.inputs(files: files, recorded: [], selection: .all, toolVersion: "1.0.0"),
            PlanSeal.inputs(files: files, recorded: [moved], selection: .all, toolVersion: "1.0.0"),
            PlanSeal.inputs(files: files, recorded: [record], selection: .names(["acme"]), toolVersion: "1.0.0"),
            PlanSeal.inputs(files: files, recorded: [record], selection: .all, toolVersion: "1.0.1"),
            PlanSeal.inputs(files: files, recorded: [record], selection: .all, toolVersion: "1.0.0", build: "other"),
            PlanSeal.inputs(files: files, recorded: [withAttributes], selection: .all, toolVersion: "1.0.0"),
        ]
        XCTAssertEqual(Set(variants + [base]).count, variants.count + 1)
        XCTAssertFalse(variants.contains { $0 == nil })
        // A build that cannot identify itself seals nothing.
        XCTAssertNil(PlanSeal.inputs(files: files, recorded: [], selection: .all, toolVersion: "1", build: nil))
        // Records count by name, not by the order the store returns them.
        let other = RecordedInstance(name: "globex", region: "us-east-1")
        XCTAssertEqual(
            PlanSeal.inputs(files: files, recorded: [record, other], selection: .all, toolVersion: "1"),
            PlanSeal.inputs(files: files, recorded: [other, record], selection: .all, toolVersion: "1"))
    }

    /// An edit that keeps the file's layout (so only the seal can notice it) is refused exactly as before: the seal
    /// does not hold, and planning again finds the difference.
    func testEditsBehindAnIntactLayoutFallBackToTheFullCheck() async throws {
        struct Case {
            var from: String
            var to: String
            var error: String
        }
        let cases = [
            Case(
                from: "\"reason\" : \"PostgreSQL db.t3.micro, 20 GiB\"",
                to: "\"reason\" : \"PostgreSQL db.t3.micro, 2 TiB\"",
                error: "does not match the step's cause (edited by hand?)"),
            Case(
                from: "\"disruptive\" : false", to: "\"disruptive\" : true",
                error: "error: Saved plan does not match a fresh plan"),
            Case(from: "\"wave\" : 0", to: "\"wave\" : 1", error: "error: Saved plan does not match a fresh plan"),
        ]
        for testCase in cases {
            let text = try await savePlan()
            let edited = text.replacingOccurrences(of: testCase.from, with: testCase.to)
            XCTAssertNotEqual(edited, text, testCase.from)
            try edited.write(to: planFile, atomically: true, encoding: .utf8)
            XCTAssertNil(try sealedCheck().check { _ in }, testCase.from)
            let provider = FakeCloudProvider()
            let run = await runCLI(["apply", "p.json", "--auto-approve"], repo: repo, provider: provider)
            XCTAssertEqual(run.code, 1, testCase.from)
            XCTAssertTrue(run.err.contains(testCase.error), "\(testCase.from): \(run.err)")
            let steps = await provider.steps
            XCTAssertEqual(steps, [], testCase.from)
            // show refuses the edits it can see without the repository, and prints nothing.
            let shown = await runCLI(["show", "p.json"], repo: repo)
            if testCase.error.contains("edited by hand") {
                XCTAssertEqual(shown.code, 1)
                XCTAssertEqual(shown.out, "")
            } else {
                // What it prints as JSON is not sealed again: apply still plans again and refuses the edit.
                let json = await runCLI(["show", "p.json", "--json"], repo: repo)
                XCTAssertEqual(json.code, 0, json.err)
                XCTAssertFalse(json.out.contains("\"seal\""), testCase.from)
                try json.out.write(to: planFile, atomically: true, encoding: .utf8)
                let again = await runCLI(["apply", "p.json", "--auto-approve"], repo: repo, provider: provider)
                XCTAssertTrue(again.err.contains(testCase.error), "\(testCase.from): \(again.err)")
                let none = await provider.steps
                XCTAssertEqual(none, [], testCase.from)
            }
        }
    }

    /// A broken seal, or a file whose bytes changed but not its meaning, only costs the long way round.
    func testBrokenSealOrReformattedInstanceFileStillApplies() async throws {
        let cases: [(String, () throws -> Void)] = [
            (
                "seal",
                {
                    let text = try String(contentsOf: self.planFile, encoding: .utf8)
                    let seal = try XCTUnwrap(text.range(of: #""seal" : "[0-9a-f]{64}""#, options: .regularExpression))
                    try text.replacingCharacters(in: seal, with: "\"seal\" : \"\(String(repeating: "0", count: 64))\"")
                        .write(to: self.planFile, atomically: true, encoding: .utf8)
                }
            ),
            (
                "instance file",
                {
                    let path = self.repo.url.appendingPathComponent("Instances/acme.json")
                    let text = try String(contentsOf: path, encoding: .utf8)
                    try (text + "\n\n").write(to: path, atomically: true, encoding: .utf8)
                }
            ),
        ]
        for (what, change) in cases {
            let fresh = try TemporaryRepo()
            defer { fresh.remove() }
            try fresh.writeSpec(Fixtures.spec("acme"))
            repo = fresh
            _ = try await savePlan()
            try change()
            let check = try sealedCheck()
            XCTAssertFalse(check.inputsUnchanged && check.check { _ in } != nil, what)
            let provider = FakeCloudProvider()
            let run = await runCLI(["apply", "p.json", "--auto-approve"], repo: repo, provider: provider)
            XCTAssertEqual(run.code, 0, "\(what): \(run.err)")
            let steps = await provider.steps
            XCTAssertEqual(steps.count, 13, what)
        }
    }

    /// The question may stay open for hours: the files are read again when it is answered.
    func testFilesChangedWhileTheQuestionWasOpenAreRefused() async throws {
        _ = try await savePlan()
        let repo = repo!
        let console = CapturedConsole(input: ["yes"], stdinIsTerminal: true) {
            try? repo.writeSpec(Fixtures.spec("acme", size: "medium"))
        }
        let provider = FakeCloudProvider()
        let run = await runCLI(["apply", "p.json"], repo: repo, console: console, provider: provider)
        XCTAssertEqual(run.code, 1, run.err)
        XCTAssertTrue(run.out.contains("Apply these changes?"), run.out)
        // Checked the long way, which says what changed.
        XCTAssertTrue(run.err.contains("Saved plan is stale"), run.err)
        let steps = await provider.steps
        XCTAssertEqual(steps, [])
    }

    /// A change that does not change the plan (here, layout) while the question was open: checked the long way, and
    /// applied.
    func testAChangeThatKeepsThePlanWhileTheQuestionWasOpenIsCheckedTheLongWay() async throws {
        _ = try await savePlan()
        let path = repo.url.appendingPathComponent("Instances/acme.json")
        let console = CapturedConsole(input: ["yes"], stdinIsTerminal: true) {
            guard let text = try? String(contentsOf: path, encoding: .utf8) else { return }
            try? (text + "\n").write(to: path, atomically: true, encoding: .utf8)
        }
        let provider = FakeCloudProvider()
        let run = await runCLI(["apply", "p.json"], repo: repo, console: console, provider: provider)
        XCTAssertEqual(run.code, 0, run.err)
        let steps = await provider.steps
        XCTAssertEqual(steps.count, 13)
    }

    /// `show` prints a sealed plan as it prints the same plan unsealed, and `show --json` gives back the file.
    func testShowOfASealedPlanIsTheSameAsOfTheUnsealedOne() async throws {
        try repo.writeSpec(Fixtures.spec("globex", size: "medium"))
        let text = try await savePlan()
        let sealed = await runCLI(["show", "p.json"], repo: repo)
        XCTAssertEqual(sealed.code, 0, sealed.err)
        let json = await runCLI(["show", "p.json", "--json"], repo: repo)
        XCTAssertEqual(json.out, text + "\n")
        let unsealed = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("  \"inputs\" : ") && !$0.hasPrefix("  \"seal\" : ") }
            .joined(separator: "\n")
        try unsealed.write(to: planFile, atomically: true, encoding: .utf8)
        let plain = await runCLI(["show", "p.json"], repo: repo)
        XCTAssertEqual(plain.code, 0, plain.err)
        XCTAssertEqual(plain.out, sealed.out)
        XCTAssertFalse(sealed.out.isEmpty)
    }
}
