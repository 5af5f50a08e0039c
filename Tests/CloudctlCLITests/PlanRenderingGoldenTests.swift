import XCTest
import FleetModel
import TestSupport
@testable import CloudctlCLI

/// The three plan renderings of a fixed, hand-built plan, compared with files under Golden/.
/// Re-record with `RECORD_GOLDEN=1 swift test --filter PlanRenderingGoldenTests`.
final class PlanRenderingGoldenTests: XCTestCase {
    static func step(_ action: StepAction, _ resource: ResourceKind, _ reason: String, _ inputs: [String: String] = [:],
                     disruptive: Bool = false) -> PlanStep {
        PlanStep(action: action, resource: resource, reason: reason, inputs: inputs,
                 inputsHash: ContentHash.sha256Hex("\(action.rawValue) \(resource.rawValue) \(inputs.sorted { $0.key < $1.key })"),
                 disruptive: disruptive)
    }

    static func upgrade(from: String, to: String) -> [PlanStep] {
        [step(.snapshot, .database, "before upgrade to \(to)", ["purpose": "pre-upgrade", "version": to], disruptive: true),
         step(.migrate, .database, "schema for \(to)", ["version": to, "fromVersion": from], disruptive: true),
         step(.deploy, .taskDefinition, "run \(to)", ["version": to, "image": "registry.example.com/app", "cpu": "256", "memory": "512"], disruptive: true),
         step(.healthCheck, .service, "wait for \(to)", ["version": to], disruptive: true)]
    }

    /// Provisioning, two identical upgrades, a two-hop upgrade, a resize, a refusal, an orphan and an unchanged instance.
    static var plan: Plan {
        let provision = ResourceKind.allCases.map { step(.create, $0, "new instance", ["region": "us-east-1"]) }
        return Plan(toolVersion: "0.1.0", fleet: "test", instances: [
            InstancePlan(name: "acme", specFingerprint: "spec-acme", recordedFingerprint: RecordedInstance.noneFingerprint, steps: provision),
            InstancePlan(name: "globex", wave: 1, specFingerprint: "spec-globex", recordedFingerprint: "rec-globex",
                         steps: upgrade(from: "5.2.3", to: "5.3.0")),
            InstancePlan(name: "hooli", wave: 1, specFingerprint: "spec-hooli", recordedFingerprint: "rec-hooli",
                         steps: [step(.update, .database, "size small → medium", ["databaseClass": "db.t3.medium"], disruptive: true),
                                 step(.update, .service, "size small → medium", ["replicas": "2"], disruptive: true)]),
            InstancePlan(name: "initech", wave: 1, specFingerprint: "spec-initech", recordedFingerprint: "rec-initech",
                         steps: upgrade(from: "5.2.3", to: "5.3.0")),
            InstancePlan(name: "piedpiper", wave: 2, specFingerprint: "spec-pp", recordedFingerprint: "rec-pp",
                         steps: upgrade(from: "5.1.0", to: "5.2.0") + upgrade(from: "5.2.0", to: "5.2.3")),
            InstancePlan(name: "quiet", wave: 2, specFingerprint: "spec-quiet", recordedFingerprint: "rec-quiet", steps: []),
            InstancePlan(name: "umbrella", status: .refused, specFingerprint: "spec-umbrella", recordedFingerprint: "rec-umbrella", steps: [],
                         refusal: "Teardown refused: the instance is protected. Set \"protected\": false first."),
            InstancePlan(name: "oldco", status: .orphaned, specFingerprint: "", recordedFingerprint: "rec-oldco", steps: []),
        ])
    }

    static let diagnostics: [Diagnostic] = [
        .warning("instance \"oldco\" is recorded but has no file; it is left untouched (orphaned)",
                 detail: "restore the file with \"state\": \"deleted\" to tear it down", at: SourceLocation(file: "Instances/oldco.json")),
        .warning("trial expires in 3 days", detail: "extend trial.expires or suspend the instance",
                 at: SourceLocation(file: "Instances/hooli.json", fieldPath: "trial.expires")),
    ]

    func testTextRendering() throws {
        let details = PlanTextRenderer.details(for: [Fixtures.spec("acme"), Fixtures.spec("globex", type: .internal, region: "eu-west-1")])
        try assertGolden(PlanTextRenderer(details: details).render(Self.plan) + "\n", "plan.txt")
    }

    func testJSONRendering() throws {
        try assertGolden(PlanJSONRenderer.render(Self.plan) + "\n", "plan.json")
    }

    func testMarkdownRendering() throws {
        try assertGolden(PlanMarkdownRenderer.render(Self.plan, diagnostics: Self.diagnostics), "plan.md")
    }

    func testMarkdownHidesOnlyTheOrphansOwnWarning() {
        let plan = Plan(toolVersion: "0.1.0", fleet: "test", instances: [
            InstancePlan(name: "acme", status: .orphaned, specFingerprint: "", recordedFingerprint: "r", steps: [])])
        let markdown = PlanMarkdownRenderer.render(plan, diagnostics: [
            .warning("orphan warning of acme", at: SourceLocation(file: "Instances/acme.json")),
            .warning("trial of big-acme expires in 3 days", at: SourceLocation(file: "Instances/big-acme.json")),
        ])
        XCTAssertFalse(markdown.contains("orphan warning of acme"), markdown)
        XCTAssertTrue(markdown.contains("trial of big-acme expires in 3 days"), markdown)
    }

    func testColorOnlyWhenEnabled() {
        XCTAssertFalse(PlanTextRenderer().render(Self.plan).contains("\u{1B}["))
        XCTAssertTrue(PlanTextRenderer(terminal: Terminal(color: true)).render(Self.plan).contains("\u{1B}[32m+ create"))
        XCTAssertTrue(Terminal.colorEnabled(isTerminal: true, environment: [:]))
        XCTAssertTrue(Terminal.colorEnabled(isTerminal: true, environment: ["NO_COLOR": ""]))
        XCTAssertFalse(Terminal.colorEnabled(isTerminal: true, environment: ["NO_COLOR": "1"]))
        XCTAssertFalse(Terminal.colorEnabled(isTerminal: false, environment: [:]))
    }

    func testNoChangesSentence() {
        let plan = Plan(toolVersion: "0.1.0", fleet: "test",
                        instances: [InstancePlan(name: "quiet", specFingerprint: "s", recordedFingerprint: "r", steps: [])])
        XCTAssertEqual(PlanTextRenderer().render(plan), "No changes. Your fleet matches the instance files.")
    }

    private func assertGolden(_ actual: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(actual, expected, "\(name) differs; re-record with RECORD_GOLDEN=1 if the change is intended", file: file, line: line)
    }
}
