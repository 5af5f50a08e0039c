import XCTest
import FleetModel
import Planner
import TestSupport

/// Classification of the cloud against files and records, and planning from the corrected records (`--refresh`).
final class DriftClassifierTests: XCTestCase {
    static let spec = Fixtures.spec("acme")
    static let recorded = ExecutorRecordingSimulation.provisioned(spec)

    /// The cloud exactly as recorded: every resource, with the recorded id and attributes.
    static func inSync(_ record: RecordedInstance = recorded) -> [ObservedResource] {
        record.resources.sorted { $0.key < $1.key }.map { kind, resource in
            ObservedResource(
                kind: kind, cloudId: resource.cloudId, region: record.region,
                tags: ResourceTags.tags(instance: record.name, fleet: "test"), attributes: resource.attributes)
        }
    }

    static func observation(_ resources: [ObservedResource]) -> CloudObservation {
        var observation = CloudObservation(regions: ["us-east-1"])
        resources.forEach { observation.add($0) }
        return observation
    }

    static func edit(_ kind: ResourceKind, _ change: (inout ObservedResource) -> Void) -> [ObservedResource] {
        inSync().map { resource in
            var resource = resource
            if resource.kind == kind { change(&resource) }
            return resource
        }
    }

    static func findings(
        _ resources: [ObservedResource], specs: [InstanceSpec] = [spec], recorded: [RecordedInstance] = [recorded],
        selection: Set<String>? = nil
    ) -> [DriftFinding] {
        DriftClassifier.findings(
            DriftInput(specs: specs, recorded: recorded, observation: observation(resources), selection: selection))
    }

    func testEachKindOfDriftIsClassified() {
        let stranger = ObservedResource(
            kind: .network, cloudId: "vpc-ghost", region: "us-east-1",
            tags: ResourceTags.tags(instance: "ghost", fleet: "test"))
        let cases: [(String, [ObservedResource], [DriftFinding])] = [
            ("in sync", Self.inSync(), []),
            (
                "service scaled by hand",
                Self.edit(.service) { $0.attributes = .service(ServiceAttributes(replicas: 5)) },
                [
                    DriftFinding(
                        instance: "acme", resource: .service, drift: .changed, attribute: "replicas", expected: "1",
                        observed: "5", cloudId: "service-acme")
                ]
            ),
            (
                "bucket deleted", Self.inSync().filter { $0.kind != .bucket },
                [
                    DriftFinding(
                        instance: "acme", resource: .bucket, drift: .missing, expected: "us-east-1",
                        cloudId: "bucket-acme")
                ]
            ),
            (
                "database class changed",
                Self.edit(.database) {
                    $0.attributes = .database(
                        DatabaseAttributes(region: "us-east-1", databaseClass: "db.m5.xlarge", storageGB: 20))
                },
                [
                    DriftFinding(
                        instance: "acme", resource: .database, drift: .changed, attribute: "databaseClass",
                        expected: "db.t3.micro", observed: "db.m5.xlarge", cloudId: "database-acme")
                ]
            ),
            (
                "key disabled",
                Self.edit(.key) {
                    $0.deviations = [SettingDeviation(attribute: "keyState", expected: "Enabled", observed: "Disabled")]
                },
                [
                    DriftFinding(
                        instance: "acme", resource: .key, drift: .changed, attribute: "keyState", expected: "Enabled",
                        observed: "Disabled", cloudId: "key-acme")
                ]
            ),
            (
                "a VPC tagged for an instance nobody knows", Self.inSync() + [stranger],
                [DriftFinding(instance: "ghost", resource: .network, drift: .unmanaged, cloudId: "vpc-ghost")]
            ),
            (
                "a second VPC tagged for a known instance",
                Self.inSync() + [
                    ObservedResource(kind: .network, cloudId: "vpc-2", region: "us-east-1", tags: Self.tags)
                ],
                [DriftFinding(instance: "acme", resource: .network, drift: .unmanaged, cloudId: "vpc-2")]
            ),
        ]
        for (name, resources, expected) in cases {
            XCTAssertEqual(Self.findings(resources), expected, name)
        }
    }

    static let tags = ResourceTags.tags(instance: "acme", fleet: "test")

    func testAFileNeverAppliedIsOnlyInGitAndAnUnscannedRegionIsNotJudged() {
        let newco = Fixtures.spec("newco")
        let faraway = Fixtures.spec("faraway", region: "ap-south-1")
        let found = Self.findings(Self.inSync(), specs: [Self.spec, newco, faraway])
        XCTAssertEqual(found, [DriftFinding(instance: "newco", resource: nil, drift: .onlyInGit)])
    }

    func testASelectionLeavesOtherInstancesAndUnknownOnesOut() {
        let stranger = ObservedResource(
            kind: .network, cloudId: "vpc-ghost", region: "us-east-1",
            tags: ResourceTags.tags(instance: "ghost", fleet: "test"))
        XCTAssertEqual(Self.findings(Self.inSync() + [stranger], selection: ["acme"]), [])
    }

    func testLeftoversOfATeardownAreUnmanaged() {
        var deleted = Self.recorded
        deleted.state = .deleted
        deleted.resources = [:]
        let found = Self.findings(
            Self.inSync().filter { $0.kind == .bucket }, specs: [Fixtures.spec("acme", state: .deleted)],
            recorded: [deleted])
        let leftover = DriftFinding(
            instance: "acme", resource: .bucket, drift: .unmanaged, observed: "us-east-1", cloudId: "bucket-acme")
        XCTAssertEqual(found, [leftover])
    }

    func testRefreshDropsMissingResourcesAndTakesObservedAttributes() {
        var observed = Self.edit(.service) { $0.attributes = .service(ServiceAttributes(replicas: 5)) }
        observed.removeAll { $0.kind == .database }
        let outcome = RecordRefresh.refreshed(Self.recorded, observed: observed)
        XCTAssertNil(outcome.record.resources[.database])
        XCTAssertNil(outcome.record.storageGB)
        XCTAssertEqual(outcome.record.resources[.service]?.attributes, .service(ServiceAttributes(replicas: 5)))
        XCTAssertEqual(outcome.drifted, [.service])
        XCTAssertTrue(outcome.corrected)
        XCTAssertFalse(RecordRefresh.refreshed(Self.recorded, observed: Self.inSync()).corrected)
    }

    /// The plan from the corrected record: a missing resource is created, a drifted one set back (and disruptive,
    /// since the instance serves traffic), the ensured settings of a region-only resource re-applied.
    func testPlanningFromARefreshedRecordRepairs() {
        var observed = Self.edit(.service) { $0.attributes = .service(ServiceAttributes(replicas: 5)) }
        observed.removeAll { $0.kind == .bucket }
        observed = observed.map { resource in
            var resource = resource
            if resource.kind == .key {
                resource.deviations = [
                    SettingDeviation(attribute: "keyState", expected: "Enabled", observed: "Disabled")
                ]
            }
            return resource
        }
        let outcome = RecordRefresh.refreshed(Self.recorded, observed: observed)
        var input = PlanInput(
            fleet: Fixtures.fleet(), specs: [Self.spec], recorded: [outcome.record], toolVersion: "test")
        input.drifted = ["acme": outcome.drifted]
        let plan = Planner.plan(input).plan.instances[0]
        let steps = plan.steps.map { "\($0.action.rawValue) \($0.resource.rawValue) \($0.reasonText)" }
        XCTAssertEqual(
            steps,
            [
                "update key drifted in the cloud: ensured settings set back",
                "create bucket missing: bucket, encrypted with the key, no public access",
                "update service drifted in the cloud: replicas 5 → 1",
            ])
        XCTAssertEqual(plan.steps.map(\.disruptive), [true, false, true])
        XCTAssertEqual(plan.changes, [.repair(what: .key), .repair(what: .bucket), .repair(what: .service)])
    }

    /// A kind no reader covers yet (a provider that reads fewer kinds than are recorded) is neither reported missing
    /// nor dropped from the record, so `apply --refresh` never creates it again.
    func testKindsTheObservationDoesNotCoverAreLeftAlone() {
        var observation = Self.observation(Self.inSync().filter { $0.kind != .dnsRecord })
        observation.kinds.remove(.dnsRecord)
        let input = DriftInput(specs: [Self.spec], recorded: [Self.recorded], observation: observation)
        XCTAssertEqual(DriftClassifier.findings(input), [])
        let outcome = RecordRefresh.refreshed(
            Self.recorded, observed: observation.resources(of: "acme"), kinds: observation.kinds)
        XCTAssertFalse(outcome.corrected)
    }

    /// The cloud forgot everything: every resource is missing and the plan provisions from scratch.
    func testAnEmptyCloudPlansAProvisioning() {
        let outcome = RecordRefresh.refreshed(Self.recorded, observed: [])
        XCTAssertTrue(outcome.record.resources.isEmpty)
        XCTAssertEqual(Self.findings([]).map(\.drift), Array(repeating: .missing, count: ResourceKind.allCases.count))
        let plan = Planner.plan(
            PlanInput(fleet: Fixtures.fleet(), specs: [Self.spec], recorded: [outcome.record], toolVersion: "test")
        ).plan.instances[0]
        XCTAssertEqual(plan.steps.map(\.action), Array(repeating: .create, count: ResourceKind.allCases.count))
        XCTAssertFalse(plan.steps.contains(where: \.disruptive))
    }

    /// The kinds of per-instance tenancy: a changed retention or ingress is an attribute that differs; an edited role
    /// document is a deviating ensured setting (roles are compared as documents, not attributes). Each is reported
    /// `changed`, and the plan from the refreshed record updates exactly that resource as a repair.
    func testTenantKindsDriftAndARefreshedPlanSetsThemBack() {
        let recordedRules = Self.recorded.resources[.securityRules]?.attributes?.securityRules
        let openRules = SecurityRulesAttributes(
            region: "us-east-1", ingress: (recordedRules?.ingress ?? []) + ["tcp 8080 from 0.0.0.0/0"])
        let policy = SettingDeviation(
            attribute: "policy", expected: #"{"Statement":[]}"#, observed: #"{"Statement":[{"Effect":"Allow"}]}"#)
        let trust = SettingDeviation(attribute: "trustPolicy", expected: "{}", observed: #"{"Version":"x"}"#)
        let cases: [(name: String, kind: ResourceKind, change: (inout ObservedResource) -> Void, attribute: String)] = [
            (
                "log retention shortened", .logGroup,
                { $0.attributes = .logGroup(LogGroupAttributes(region: "us-east-1", retentionDays: 7)) },
                "retentionDays"
            ),
            ("an inbound rule from anywhere", .securityRules, { $0.attributes = .securityRules(openRules) }, "ingress"),
            (
                "database group open to more than the app", .securityRules,
                {
                    $0.deviations = [
                        SettingDeviation(attribute: "databaseIngress", expected: "tcp 5432 from sg-1", observed: "none")
                    ]
                }, "databaseIngress"
            ),
            (
                "task role policy edited", .taskRole,
                {
                    $0.attributes = nil
                    $0.deviations = [policy]
                }, "policy"
            ),
            (
                "execution role trust edited", .executionRole,
                {
                    $0.attributes = nil
                    $0.deviations = [trust]
                }, "trustPolicy"
            ),
        ]
        for (name, kind, change, attribute) in cases {
            let observed = Self.edit(kind, change)
            let findings = Self.findings(observed)
            XCTAssertEqual(findings.map(\.drift), [.changed], name)
            XCTAssertEqual(findings.map(\.resource), [kind], name)
            XCTAssertEqual(findings.map(\.attribute), [attribute], name)
            let outcome = RecordRefresh.refreshed(Self.recorded, observed: observed)
            XCTAssertEqual(outcome.drifted, [kind], name)
            var input = PlanInput(
                fleet: Fixtures.fleet(), specs: [Self.spec], recorded: [outcome.record], toolVersion: "test")
            input.drifted = ["acme": outcome.drifted]
            let plan = Planner.plan(input).plan.instances[0]
            XCTAssertEqual(
                plan.steps.map { "\($0.action.rawValue) \($0.resource.rawValue)" }, ["update \(kind.rawValue)"], name)
            XCTAssertEqual(plan.changes, [.repair(what: kind)], name)
        }
        // Roles are read without attributes: nothing to compare, so a role whose documents match is in sync.
        let unread = Self.edit(.taskRole) { $0.attributes = nil }
        XCTAssertEqual(Self.findings(unread), [])
        XCTAssertFalse(RecordRefresh.refreshed(Self.recorded, observed: unread).corrected)
    }
}
