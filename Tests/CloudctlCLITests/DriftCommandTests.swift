import XCTest
import FleetModel
import ProviderAPI
import TestSupport
@testable import CloudctlCLI

/// drift, plan --refresh and apply --refresh with a fake cloud whose observation the test sets.
final class DriftCommandTests: RepoTestCase {
    /// acme applied (fake cloud ids `<kind>-acme`), then observed with everything but `without`, and the service at
    /// `replicas`.
    func appliedAndObserved(without: ResourceKind? = nil, replicas: Int = 1) async throws -> FakeCloudProvider {
        let provider = FakeCloudProvider()
        let applied = await runCLI(["apply", "--auto-approve"], repo: repo, provider: provider)
        XCTAssertEqual(applied.code, 0, applied.err)
        let status = await runCLI(["status", "acme", "--json"], repo: repo)
        let json = try JSONSerialization.jsonObject(with: Data(status.out.utf8)) as? [String: Any]
        let resources = (json?["recorded"] as? [String: Any])?["resources"] as? [String: [String: Any]] ?? [:]
        var observation = CloudObservation()
        for kind in ResourceKind.allCases where kind != without {
            guard let attributes = resources[kind.rawValue]?["attributes"] else { continue }
            let data = try JSONSerialization.data(withJSONObject: attributes)
            var parsed = try ResourceAttributes(
                planJSON: try JSONDecoder().decode(PlanJSON.self, from: data), kind: kind)
            if kind == .service { parsed = .service(ServiceAttributes(replicas: replicas)) }
            observation.add(
                ObservedResource(
                    kind: kind, cloudId: "\(kind.rawValue)-acme", region: "us-east-1",
                    tags: ResourceTags.tags(instance: "acme", fleet: "test"), attributes: parsed))
        }
        await provider.setObservation(observation)
        return provider
    }

    func testEachKindOfFindingHasOneAlignedLine() {
        let cases: [(DriftFinding, String)] = [
            (
                DriftFinding(instance: "acme", resource: .database, drift: .missing, expected: "db.t3.small"),
                "missing    database: not in the cloud (expected db.t3.small)"
            ),
            (
                DriftFinding(
                    instance: "acme", resource: .database, drift: .changed, attribute: "class",
                    expected: "db.t3.small", observed: "db.t3.large", cloudId: "db-1"),
                "changed    database class: expected db.t3.small, observed db.t3.large [db-1]"
            ),
            (
                DriftFinding(instance: "acme", resource: .bucket, drift: .unmanaged, cloudId: "b-1"),
                "unmanaged  bucket: tagged for the fleet, no file and no record [b-1]"
            ),
            (
                DriftFinding(instance: "acme", resource: nil, drift: .onlyInGit),
                "only-in-git: the instance file was never applied"
            ),
        ]
        for (finding, line) in cases {
            XCTAssertEqual(DriftView.line(finding), line)
        }
    }

    func testInSyncExitsZeroAndDriftExitsTwoWithDetailedExitcode() async throws {
        let provider = try await appliedAndObserved()
        let calm = await runCLI(["drift", "--detailed-exitcode"], repo: repo, provider: provider)
        XCTAssertEqual(calm.code, 0, calm.err)
        XCTAssertTrue(calm.out.hasPrefix("No drift: the cloud matches what was applied"), calm.out)

        let drifted = try await appliedAndObserved(without: .bucket, replicas: 4)
        let run = await runCLI(["drift", "--json", "--detailed-exitcode"], repo: repo, provider: drifted)
        XCTAssertEqual(run.code, 2, run.err)
        let json = try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any]
        XCTAssertEqual(json?["formatVersion"] as? Int, 1)
        let findings = json?["findings"] as? [[String: Any]] ?? []
        XCTAssertEqual(findings.map { $0["drift"] as? String }, ["missing", "changed"])
        XCTAssertEqual(findings.map { $0["resource"] as? String }, ["bucket", "service"])
        XCTAssertEqual(findings[1]["observed"] as? String, "4")
        XCTAssertTrue(findings[0]["attribute"] is NSNull, "absent values are null, not left out")
        let plain = await runCLI(["drift"], repo: repo, provider: drifted)
        XCTAssertEqual(plain.code, 0, "without --detailed-exitcode drift is not an error")
        let steps = await drifted.steps
        XCTAssertTrue(steps.isEmpty, "drift performs no step: \(steps)")
    }

    func testReportRefreshShowsTheFindingsPerInstance() async throws {
        let provider = try await appliedAndObserved(without: .bucket, replicas: 4)
        let applied = await provider.steps.count
        let run = await runCLI(["report", "--refresh", "--out", "-"], repo: repo, provider: provider)
        XCTAssertEqual(run.code, 0, run.err)
        XCTAssertTrue(run.out.contains("<section id=\"drift\"><h2>Drift</h2>"), run.out)
        XCTAssertTrue(run.out.contains("<b>missing bucket</b>"), run.out)
        XCTAssertTrue(run.out.contains("replicas: expected 1, observed 4"), run.out)
        let steps = await provider.steps.dropFirst(applied)
        XCTAssertTrue(steps.isEmpty, "the page's drift check performs no step: \(steps)")
    }

    func testApplyRefreshRepairsAndRecordsTheCorrection() async throws {
        let provider = try await appliedAndObserved(without: .bucket, replicas: 4)
        let plan = await runCLI(["plan", "--refresh"], repo: repo, provider: provider)
        XCTAssertEqual(plan.code, 0, plan.err)
        XCTAssertTrue(plan.out.contains("missing: bucket"), plan.out)
        XCTAssertTrue(plan.out.contains("drifted in the cloud: replicas 4 → 1"), plan.out)
        let before = await provider.steps.count
        let applied = await runCLI(["apply", "--refresh", "--auto-approve"], repo: repo, provider: provider)
        XCTAssertEqual(applied.code, 0, applied.err)
        let repairs = await provider.steps.dropFirst(before)
        XCTAssertEqual(Array(repairs), ["acme create bucket", "acme update service"])
        let again = await runCLI(["plan", "--detailed-exitcode"], repo: repo)
        XCTAssertEqual(again.code, 0, "recorded state is what the repair applied: \(again.out)")
    }

    func testRefreshWithASavedPlanIsAUsageError() async {
        let plan = await runCLI(["plan", "--refresh", "--out", "p.json"], repo: repo)
        XCTAssertEqual(plan.code, 1)
        let apply = await runCLI(["apply", "p.json", "--refresh"], repo: repo)
        XCTAssertEqual(apply.code, 1)
        XCTAssertTrue(apply.err.contains("--refresh"), apply.err)
    }
}
