import XCTest
import FleetModel
import TestSupport
import Planner
import Executor
import ProviderAPI
import StateBackend
import FleetFiles
import AWSProvider
@testable import CloudctlCLI

/// The three plan renderings of `Planner.plan` on the real sample fleet (`Instances/`), compared with files under
/// Golden/: once from nothing, once on "day two" (recorded state from an older copy of the files, applied with the
/// executor's own recording rule). Re-record with `RECORD_GOLDEN=1 swift test --filter PlanRenderingGoldenTests`;
/// recording fails the run, so a re-record is always seen.
final class PlanRenderingGoldenTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The sample fleet as loaded by `cloudctl`.
    static var sample: LoadedFleet { FleetLoader.load(repo: repo, rules: AWSRules()) }

    /// How the files looked "yesterday": older versions, another size and domain, one instance not yet added and one
    /// since removed. Everything in the sample that is not named here was as it is now.
    static func yesterday(_ spec: InstanceSpec) -> InstanceSpec? {
        var old = spec
        switch spec.name {
        case "acme": old.version = Version(5, 1, 0)
        case "globex":
            old.size = "medium"
            old.labels = ["owner": "team-gamma", "costcenter": "cc-7"]
        case "dogfood": old.domain = "dogfood-old.demo.cloudctl.test"
        case "hooli": old.state = .active
        case "umbrella-trial": return nil
        case "oldco": old.state = .active
        default: break
        }
        return old
    }

    static func plan(recorded: [RecordedInstance]) -> PlanResult {
        let loaded = sample
        return Planner.plan(
            PlanInput(
                fleet: loaded.fleet!, specs: loaded.specs, files: loaded.files, recorded: recorded,
                toolVersion: "0.1.0"))
    }

    /// Recorded state after applying yesterday's files, plus an instance whose file was removed since.
    static var dayTwoRecorded: [RecordedInstance] {
        let loaded = sample
        let old = loaded.specs.compactMap(yesterday) + [Fixtures.spec("retired", region: "us-east-1")]
        let plan = Planner.plan(PlanInput(fleet: loaded.fleet!, specs: old, recorded: [], toolVersion: "0.1.0")).plan
        return plan.instances.compactMap { instance in
            guard let target = instance.target, !instance.steps.isEmpty else { return nil }
            var record = RecordedInstance.new(instance.name, for: target)
            for step in instance.steps {
                let outcome = StepOutcome(cloudId: "\(step.resource.rawValue)-\(instance.name)")
                record.record(step, outcome: outcome, labels: target.labels)
            }
            record.complete(as: target)
            return record
        }
    }

    static var fresh: PlanResult { plan(recorded: []) }
    static var dayTwo: PlanResult { plan(recorded: dayTwoRecorded) }

    /// A Wednesday noon UTC: outside every sample window, so disruptive changes say when their window opens.
    static let wednesday = Date(timeIntervalSince1970: 1_796_212_800)

    func testTextRendering() throws {
        let sample = Self.sample
        let details = PlanTextRenderer.details(for: sample.specs.map(\.heading))
        for (name, result, orphans) in [("fresh", Self.fresh, 0), ("day-two", Self.dayTwo, 1)] {
            let waves = PlanWaves(headings: sample.specs.map(\.heading), fleet: sample.fleet, orphans: orphans)
            let renderer = PlanTextRenderer(details: details, waves: waves, now: Self.wednesday)
            try assertGolden(renderer.render(result.plan) + "\n", "plan-\(name).txt")
        }
    }

    func testWaveHeadersAndSummaryCountChanges() {
        let sample = Self.sample
        let waves = PlanWaves(headings: sample.specs.map(\.heading), fleet: sample.fleet, orphans: 1)
        let text = PlanTextRenderer(waves: waves).render(Self.dayTwo.plan)
        XCTAssertTrue(text.hasPrefix("── Wave 1/"), text)
        XCTAssertTrue(text.contains("1 to provision, 1 to upgrade, 1 to resize"), text)
        XCTAssertFalse(text.contains("other steps"), text)
        XCTAssertFalse(text.contains("deferred:"), "no clock, no deferral note: \(text)")
    }

    func testDeferredInstanceSaysWhenItsWindowOpens() throws {
        let text = PlanTextRenderer(now: Self.wednesday).render(Self.dayTwo.plan)
        let acme = try XCTUnwrap(
            text.components(separatedBy: "\n\n").first { $0.contains("acme (") || $0.hasPrefix("acme") })
        // acme's window: sun 02:00 America/New_York, i.e. 07:00 UTC (standard time) the following Sunday.
        XCTAssertTrue(acme.contains("next opens 2026-12-06 07:00 UTC"), acme)
    }

    func testJSONRendering() throws {
        for (name, result) in [("fresh", Self.fresh), ("day-two", Self.dayTwo)] {
            try assertGolden(PlanJSONRenderer.render(result.plan) + "\n", "plan-\(name).json")
        }
    }

    func testMarkdownRendering() throws {
        for (name, result) in [("fresh", Self.fresh), ("day-two", Self.dayTwo)] {
            try assertGolden(
                PlanMarkdownRenderer.render(
                    result.plan, diagnostics: result.diagnostics,
                    provisioning: PlanMarkdownRenderer.provisioning(Self.sample.specs)),
                "plan-\(name).md")
        }
    }

    /// The status table on day two: every sync state the sample can show (last operations made up, times fixed).
    func testStatusTableGolden() throws {
        let sample = Self.sample
        let now = Self.wednesday
        let specs = Dictionary(uniqueKeysWithValues: sample.specs.map { ($0.name, $0) })
        var recorded = Dictionary(uniqueKeysWithValues: Self.dayTwoRecorded.map { ($0.name, $0) })
        recorded["initech"]?.provisioned = false  // its first apply stopped part-way
        let pending = Dictionary(uniqueKeysWithValues: Self.dayTwo.plan.instances.map { ($0.name, $0.hasChanges) })
        let results: [String: OperationResult] = [
            "globex": .deferred, "hooli": .failed, "initech": .failed, "acme": .succeeded, "dogfood": .succeeded,
        ]
        let names = Set(specs.keys).union(recorded.keys).sorted()
        let entries = names.map { name in
            let last = results[name].map {
                OperationRecord(
                    id: 1, instance: name, kind: "apply", holder: "ops@bastion pid 7", result: $0,
                    startedAt: now.addingTimeInterval(-7200), finishedAt: now.addingTimeInterval(-7000))
            }
            let spec = specs[name]
            return StatusCommand.Entry(
                name: name, spec: spec, recorded: recorded[name].map(StatusCommand.RecordedView.init),
                lastOperation: last.map(StatusCommand.OperationView.init),
                sync: .of(
                    spec: spec, recorded: recorded[name], last: last, hasChanges: pending[name] ?? false, now: now),
                trial: spec?.trial.flatMap { trial in
                    TrialExpiry.standing(trial, now: now).map { TrialExpiry.summary(name, trial, $0) }
                })
        }
        try assertGolden(StatusView.table(entries, now: now) + "\n", "status-day-two.txt")
    }

    /// Past its budget the comment summarizes and names the full plan file (recorded with a small budget, so the
    /// golden file shows the cut).
    func testMarkdownPastItsBudgetSummarizes() throws {
        let markdown = PlanMarkdownRenderer.render(
            Self.dayTwo.plan, diagnostics: Self.dayTwo.diagnostics,
            provisioning: PlanMarkdownRenderer.provisioning(Self.sample.specs), budget: 900,
            fullPlanFile: "Plans/pr-42.json")
        XCTAssertLessThanOrEqual(markdown.utf8.count, 900)
        try assertGolden(markdown, "plan-day-two-budget.md")
    }

    /// 100,000 instances in distinct groups still fit in one GitHub comment.
    func testMarkdownOfAHugePlanStaysUnderGitHubsLimit() {
        let instances = (0..<100_000).map { i in
            InstancePlan(
                name: "tenant-\(i)", specFingerprint: "s", recordedFingerprint: "r",
                changes: [.domain(from: "old-\(i).example.com", to: "t-\(i).example.com")],
                steps: [PlanStep(action: .update, resource: .dnsRecord, reason: .domainMove(from: "a", to: "b"))])
        }
        let markdown = PlanMarkdownRenderer.render(Plan(toolVersion: "0.1.0", fleet: "big", instances: instances))
        XCTAssertLessThan(markdown.count, 65_536)
        XCTAssertTrue(markdown.contains("more instances with changes"), String(markdown.suffix(300)))
        XCTAssertTrue(markdown.contains("cloudctl plan --out plan.json"), String(markdown.suffix(300)))
    }

    func testDayTwoHasEveryKindOfChange() {
        let changes = Self.dayTwo.plan.instances.flatMap(\.changes)
        XCTAssertTrue(
            changes.contains(
                .upgrade(
                    from: Version(5, 1, 0), to: Version(5, 2, 3),
                    hops: [Version(5, 2, 3)])), "\(changes)")
        XCTAssertTrue(changes.contains(.resize(what: .database, from: "medium", to: "large")), "\(changes)")
        XCTAssertTrue(
            changes.contains(.domain(from: "dogfood-old.demo.cloudctl.test", to: "dogfood.demo.cloudctl.test")))
        XCTAssertTrue(changes.contains(.suspend), "\(changes)")
        XCTAssertTrue(changes.contains(.teardown), "\(changes)")
        XCTAssertTrue(changes.contains(.provision), "\(changes)")
        XCTAssertEqual(Self.dayTwo.plan.instances.filter { $0.status == .orphaned }.map(\.name), ["retired"])
    }

    func testMarkdownHidesOnlyTheOrphansOwnWarning() {
        let plan = Plan(
            toolVersion: "0.1.0", fleet: "test",
            instances: [
                InstancePlan(name: "acme", status: .orphaned, specFingerprint: "", recordedFingerprint: "r", steps: [])
            ])
        let markdown = PlanMarkdownRenderer.render(
            plan,
            diagnostics: [
                .warning("orphan warning of acme", at: SourceLocation(file: "Instances/acme.json")),
                .warning("trial of big-acme expires in 3 days", at: SourceLocation(file: "Instances/big-acme.json")),
            ])
        XCTAssertFalse(markdown.contains("orphan warning of acme"), markdown)
        XCTAssertTrue(markdown.contains("trial of big-acme expires in 3 days"), markdown)
    }

    func testColorOnlyWhenEnabled() {
        XCTAssertFalse(PlanTextRenderer().render(Self.dayTwo.plan).contains("\u{1B}["))
        XCTAssertTrue(
            PlanTextRenderer(terminal: Terminal(color: true)).render(Self.dayTwo.plan).contains("\u{1B}[32m+ create"))
        XCTAssertTrue(Terminal.colorEnabled(isTerminal: true, environment: [:]))
        XCTAssertTrue(Terminal.colorEnabled(isTerminal: true, environment: ["NO_COLOR": ""]))
        XCTAssertFalse(Terminal.colorEnabled(isTerminal: true, environment: ["NO_COLOR": "1"]))
        XCTAssertFalse(Terminal.colorEnabled(isTerminal: false, environment: [:]))
    }

    func testNoChangesSentence() {
        let plan = Plan(
            toolVersion: "0.1.0", fleet: "test",
            instances: [InstancePlan(name: "quiet", specFingerprint: "s", recordedFingerprint: "r", steps: [])])
        XCTAssertEqual(PlanTextRenderer().render(plan), "No changes. Your fleet matches the instance files.")
    }

    private func assertGolden(_ actual: String, _ name: String, file: StaticString = #filePath, line: UInt = #line)
        throws
    {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            XCTFail("recorded Golden/\(name); run again without RECORD_GOLDEN to check it", file: file, line: line)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(
            actual, expected, "\(name) differs; re-record with RECORD_GOLDEN=1 if the change is intended", file: file,
            line: line)
    }
}
