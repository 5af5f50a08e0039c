import XCTest
import FleetModel
import Planner
import TestSupport

/// One instance, before (applied) and after (desired): the exact steps, then convergence after recording them.
final class PlannerScenarioTests: XCTestCase {
    private typealias Sim = ExecutorRecordingSimulation
    private static let provision = [
        "create network", "create security-rules", "create key", "create bucket", "create secret",
        "create log-group", "create database", "create cluster", "create execution-role", "create task-role",
        "create task-definition", "create service", "create dns-record",
    ]
    private static let hop = [
        "snapshot database", "migrate database", "deploy task-definition", "health-check service",
    ]
    private static let teardown = [
        "snapshot database", "snapshot bucket", "delete dns-record", "delete service",
        "delete task-definition", "delete task-role", "delete execution-role", "delete cluster", "delete database",
        "delete log-group", "delete secret", "delete bucket", "delete key", "delete security-rules", "delete network",
    ]

    private struct Row {
        var name: String
        var before: InstanceSpec?
        var after: InstanceSpec
        var steps: [String]
        var disruptive: Bool
        var changes: [InstanceIntent]
    }

    private let rows: [Row] = [
        Row(
            name: "provision", before: nil, after: Fixtures.spec(), steps: provision, disruptive: false,
            changes: [.provision]),
        Row(
            name: "provision suspended", before: nil, after: Fixtures.spec(state: .suspended),
            steps: provision + ["stop database"], disruptive: false,
            changes: [.provision]),
        Row(
            name: "converged", before: Fixtures.spec(), after: Fixtures.spec(), steps: [], disruptive: false,
            changes: []),
        Row(
            name: "patch upgrade", before: Fixtures.spec(version: Version(5, 2, 0)), after: Fixtures.spec(), steps: hop,
            disruptive: true,
            changes: [.upgrade(from: Version(5, 2, 0), to: Version(5, 2, 3), hops: [Version(5, 2, 3)])]),
        Row(
            name: "two hops", before: Fixtures.spec(version: Version(5, 0, 0)), after: Fixtures.spec(),
            steps: hop + hop, disruptive: true,
            changes: [
                .upgrade(from: Version(5, 0, 0), to: Version(5, 2, 3), hops: [Version(5, 1, 0), Version(5, 2, 3)])
            ]),
        Row(
            name: "jump", before: Fixtures.spec(version: Version(5, 1, 0)),
            after: Fixtures.spec(version: Version(5, 3, 0)),
            steps: hop, disruptive: true,
            changes: [.upgrade(from: Version(5, 1, 0), to: Version(5, 3, 0), hops: [Version(5, 3, 0)])]),
        Row(
            name: "resize grow", before: Fixtures.spec(), after: Fixtures.spec(size: "medium"),
            steps: ["update database", "update task-definition", "update service"], disruptive: true,
            changes: [
                .resize(what: .database, from: "small", to: "medium"),
                .resize(what: .taskDefinition, from: "small", to: "medium"),
                .resize(what: .service, from: "small", to: "medium"),
            ]),
        Row(
            name: "resize and upgrade", before: Fixtures.spec(version: Version(5, 1, 0)),
            after: Fixtures.spec(size: "large"),
            steps: ["update database"] + hop + ["update service"], disruptive: true,
            changes: [
                .resize(what: .database, from: "small", to: "large"),
                .upgrade(from: Version(5, 1, 0), to: Version(5, 2, 3), hops: [Version(5, 2, 3)]),
                .resize(what: .service, from: "small", to: "large"),
            ]),
        Row(
            name: "suspend", before: Fixtures.spec(), after: Fixtures.spec(state: .suspended),
            steps: ["update service", "stop database"], disruptive: true,
            changes: [.suspend]),
        Row(
            name: "resume", before: Fixtures.spec(state: .suspended), after: Fixtures.spec(),
            steps: ["start database", "update service", "health-check service"], disruptive: true,
            changes: [.resume]),
        Row(
            name: "upgrade while suspended", before: Fixtures.spec(version: Version(5, 2, 0), state: .suspended),
            after: Fixtures.spec(state: .suspended), steps: ["start database"] + hop + ["stop database"],
            disruptive: true,
            changes: [.upgrade(from: Version(5, 2, 0), to: Version(5, 2, 3), hops: [Version(5, 2, 3)])]),
        Row(
            name: "domain change", before: Fixtures.spec(), after: Fixtures.spec(domain: "shop.cloud.example.com"),
            // The application learns its new URL (CLOUDCTL_EXTERNAL_URL): its task definition rolls.
            steps: ["update task-definition", "update dns-record"], disruptive: true,
            changes: [
                .reconfigure(what: .taskDefinition),
                .domain(from: "acme.cloud.example.com", to: "shop.cloud.example.com"),
            ]),
        Row(
            name: "teardown", before: Fixtures.spec(), after: Fixtures.spec(state: .deleted), steps: teardown,
            disruptive: true,
            changes: [.teardown]),
        Row(
            name: "teardown of a suspended instance", before: Fixtures.spec(state: .suspended),
            after: Fixtures.spec(state: .deleted), steps: teardown, disruptive: true,
            changes: [.teardown]),
        Row(
            name: "deleted, nothing recorded", before: nil, after: Fixtures.spec(state: .deleted), steps: [],
            disruptive: false,
            changes: []),
    ]

    func testScenariosPlanExactStepsAndConverge() {
        for row in rows {
            let recorded = row.before.map(Sim.provisioned)
            let (plan, diagnostics) = Sim.plan(row.after, recorded: recorded)
            XCTAssertEqual(diagnostics, [], row.name)
            XCTAssertEqual(plan.status, .planned, row.name)
            XCTAssertEqual(plan.steps.map { "\($0.action.rawValue) \($0.resource.rawValue)" }, row.steps, row.name)
            XCTAssertEqual(plan.steps.contains(where: \.disruptive), row.disruptive, row.name)

            let applied = Sim.record(plan, spec: row.after, onto: recorded)
            let (again, _) = Sim.plan(row.after, recorded: applied)
            XCTAssertEqual(again.steps, [], "\(row.name): a recorded plan must converge")
            XCTAssertEqual(again.changes, [], "\(row.name): a recorded plan must converge")
            XCTAssertEqual(plan.changes, row.changes, row.name)
        }
    }

    func testProvisionInputsAndHashes() {
        let spec = Fixtures.spec(state: .suspended)
        let (plan, _) = Sim.plan(spec, recorded: nil)
        let byResource = Dictionary(plan.steps.filter { $0.action == .create }.map { ($0.resource, $0) }) { a, _ in a }
        XCTAssertEqual(
            byResource[.database]?.after,
            .database(
                DatabaseAttributes(
                    region: "us-east-1", databaseClass: "db.t3.micro", storageGB: 20, backupRetentionDays: 7,
                    deletionProtection: false)))
        XCTAssertEqual(
            byResource[.taskDefinition]?.after,
            .taskDefinition(
                TaskDefinitionAttributes(
                    image: "registry.example.com/app", version: Version(5, 2, 3), cpu: 256, memory: 512,
                    environment: [
                        "AWS_REGION": "us-east-1", "CLOUDCTL_EXTERNAL_URL": "https://acme.cloud.example.com",
                        "CLOUDCTL_VERSION": "5.2.3", "CLOUDCTL_INSTANCE": "acme",
                    ])))
        XCTAssertEqual(
            byResource[.logGroup]?.after, .logGroup(LogGroupAttributes(region: "us-east-1", retentionDays: 30)))
        XCTAssertEqual(byResource[.taskRole]?.after, .role(RoleAttributes(grants: ["bucket:read-write", "key:use"])))
        XCTAssertEqual(
            byResource[.executionRole]?.after,
            .role(
                RoleAttributes(grants: ["image:pull", "logs:write", "secret:read"], image: "registry.example.com/app")))
        XCTAssertEqual(
            byResource[.securityRules]?.after,
            .securityRules(SecurityRulesAttributes(region: "us-east-1", ingress: [], appPort: 8080, databasePort: 5432))
        )
        XCTAssertEqual(byResource[.service]?.after, .service(ServiceAttributes(replicas: 0)))
        XCTAssertEqual(
            byResource[.dnsRecord]?.after,
            .dnsRecord(
                DNSRecordAttributes(
                    domain: "acme.cloud.example.com", zone: "cloud.example.com", target: "ingress.cloud.example.com")))
        for step in byResource.values {
            XCTAssertNil(step.before, step.resource.rawValue)
            // Format 1 hashed the same `key=value` lines: records of earlier versions stay unchanged.
            let lines = step.after!.fields.map { "\($0.name)=\($0.value.text)" }.joined(separator: "\n")
            XCTAssertEqual(step.inputsHash, ContentHash.sha256Hex(lines), step.resource.rawValue)
        }
        XCTAssertEqual(byResource[.database]?.reasonText, "PostgreSQL db.t3.micro, 20 GiB")
        XCTAssertEqual(
            byResource[.taskDefinition]?.reasonText, "registry.example.com/app:5.2.3, 256 CPU units, 512 MiB")
        XCTAssertEqual(byResource[.service]?.reasonText, "0 replicas (suspended)")
        XCTAssertEqual(byResource[.dnsRecord]?.reasonText, "acme.cloud.example.com → ingress.cloud.example.com")
    }

    func testUpgradeStepsCarryHopVersionsAndReasons() {
        let (plan, _) = Sim.plan(
            Fixtures.spec(version: Version(5, 3, 0)),
            recorded: Sim.provisioned(Fixtures.spec(version: Version(5, 0, 0))))
        let summary = plan.steps.map { "\($0.action.rawValue) \($0.resource.rawValue): \($0.reasonText)" }
        XCTAssertEqual(
            summary,
            [
                "snapshot database: before upgrade to 5.1.0", "migrate database: upgrade 5.0.0 → 5.1.0 (hop 1 of 2)",
                "deploy task-definition: upgrade 5.0.0 → 5.1.0 (hop 1 of 2)", "health-check service: verify 5.1.0",
                "snapshot database: before upgrade to 5.3.0", "migrate database: upgrade 5.1.0 → 5.3.0 (hop 2 of 2)",
                "deploy task-definition: upgrade 5.1.0 → 5.3.0 (hop 2 of 2)", "health-check service: verify 5.3.0",
            ])
        XCTAssertEqual(plan.steps[0].detail, .snapshot(.preUpgrade(Version(5, 1, 0))))
        let task53 = TaskDefinitionAttributes(
            image: "registry.example.com/app", version: Version(5, 3, 0), cpu: 256,
            memory: 512,
            environment: [
                "AWS_REGION": "us-east-1", "CLOUDCTL_EXTERNAL_URL": "https://acme.cloud.example.com",
                "CLOUDCTL_VERSION": "5.3.0", "CLOUDCTL_INSTANCE": "acme",
            ])
        XCTAssertEqual(plan.steps[5].detail, .migration(from: Version(5, 1, 0), task: task53))
        XCTAssertEqual(plan.steps[6].after, .taskDefinition(task53))
        XCTAssertEqual(plan.steps[6].before?.taskDefinition?.version, Version(5, 1, 0))
        XCTAssertEqual(plan.steps[7].detail, .healthCheck(expect: task53))
        XCTAssertTrue(plan.steps.allSatisfy(\.disruptive))
    }

    func testResizeReasonNamesTheTiers() {
        let (plan, _) = Sim.plan(Fixtures.spec(size: "medium"), recorded: Sim.provisioned(Fixtures.spec()))
        XCTAssertEqual(
            plan.steps.map(\.reasonText),
            [
                "tier small → medium: databaseClass db.t3.micro → db.t3.medium, storageGB 20 → 50",
                "tier small → medium: cpu 256 → 512, memory 512 → 1024",
                "tier small → medium: replicas 1 → 2",
            ])
    }

    func testNewImageRollsTheTaskDefinition() {
        var fleet = Fixtures.fleet()
        fleet.image = "registry.example.com/app-v2"
        let (plan, _) = Sim.plan(Fixtures.spec(), recorded: Sim.provisioned(Fixtures.spec()), fleet: fleet)
        XCTAssertEqual(
            plan.steps.map { "\($0.action.rawValue) \($0.resource.rawValue): \($0.reasonText)" },
            [
                // The execution role may pull from the image's repository (when it is in ECR).
                "update execution-role: settings changed",
                "update task-definition: fleet settings changed: image registry.example.com/app → "
                    + "registry.example.com/app-v2",
            ])
        XCTAssertEqual(plan.steps.last?.after?.taskDefinition?.image, "registry.example.com/app-v2")
        XCTAssertEqual(plan.changes, [.reconfigure(what: .executionRole), .reconfigure(what: .taskDefinition)])
        XCTAssertEqual(plan.steps.map(\.disruptive), [false, true])
    }

    /// A feature reaches the application as an environment variable: turning one on rolls the service, in the window.
    func testFeatureChangeRollsTheTaskDefinition() {
        var withFeature = Fixtures.spec()
        withFeature.features = ["auditLog": true]
        let (plan, _) = Sim.plan(withFeature, recorded: Sim.provisioned(Fixtures.spec()))
        XCTAssertEqual(
            plan.steps.map { "\($0.action.rawValue) \($0.resource.rawValue): \($0.reasonText)" },
            ["update task-definition: settings changed"])
        XCTAssertEqual(plan.steps.first?.after?.taskDefinition?.environment["CLOUDCTL_FEATURE_AUDIT_LOG"], "true")
        XCTAssertNil(plan.steps.first?.before?.taskDefinition?.environment["CLOUDCTL_FEATURE_AUDIT_LOG"])
        XCTAssertEqual(plan.steps.first?.disruptive, true)
        XCTAssertEqual(plan.changes, [.reconfigure(what: .taskDefinition)])
    }

    func testDomainChangeNamesThePreviousDomain() {
        let (plan, _) = Sim.plan(
            Fixtures.spec(domain: "shop.cloud.example.com"), recorded: Sim.provisioned(Fixtures.spec()))
        let dns = plan.steps.last
        XCTAssertEqual(dns?.before?.dnsRecord?.domain, "acme.cloud.example.com")
        XCTAssertEqual(dns?.after?.dnsRecord?.domain, "shop.cloud.example.com")
        XCTAssertEqual(dns?.reasonText, "domain acme.cloud.example.com → shop.cloud.example.com")
        XCTAssertEqual(
            plan.steps.first?.after?.taskDefinition?.environment["CLOUDCTL_EXTERNAL_URL"],
            "https://shop.cloud.example.com")
    }

    func testMissingResourcesAreCreatedWithoutDisruptionButTheTaskDefinition() {
        var recorded = Sim.provisioned(Fixtures.spec(version: Version(5, 2, 0)))
        recorded.resources[.taskDefinition] = nil
        recorded.resources[.service] = nil
        recorded.resources[.dnsRecord] = nil
        let (plan, _) = Sim.plan(Fixtures.spec(), recorded: recorded)
        XCTAssertEqual(
            plan.steps.map { "\($0.action.rawValue) \($0.resource.rawValue)" },
            ["create task-definition", "create service", "create dns-record"])
        XCTAssertEqual(
            plan.steps[0].after?.taskDefinition?.version, Version(5, 2, 3),
            "a missing task definition is created at the desired version")
        XCTAssertEqual(
            plan.steps.map(\.reasonText),
            [
                "missing: registry.example.com/app:5.2.3, 256 CPU units, 512 MiB",
                "missing: 1 replica", "missing: acme.cloud.example.com → ingress.cloud.example.com",
            ])
        XCTAssertEqual(
            plan.steps.map(\.disruptive), [true, false, false],
            "creating the task definition rolls a service that may still run: it waits for the maintenance window")
    }

    func testTeardownDeletesOnlyRecordedResources() {
        var recorded = Sim.provisioned(Fixtures.spec())
        for kind in [
            ResourceKind.bucket, .database, .cluster, .taskDefinition, .service, .dnsRecord, .securityRules,
            .logGroup, .executionRole, .taskRole,
        ] {
            recorded.resources[kind] = nil
        }
        let (plan, _) = Sim.plan(Fixtures.spec(state: .deleted), recorded: recorded)
        XCTAssertEqual(
            plan.steps.map { "\($0.action.rawValue) \($0.resource.rawValue)" },
            ["delete secret", "delete key", "delete network"])
    }

    func testFinalSnapshotsComeFirst() {
        let (plan, _) = Sim.plan(Fixtures.spec(state: .deleted), recorded: Sim.provisioned(Fixtures.spec()))
        XCTAssertEqual(plan.steps[0].detail, .snapshot(.final(.standard)))
        XCTAssertEqual(plan.steps[1].detail, .snapshot(.final(.standard)), "the bucket archive is kept as long")
        XCTAssertEqual(plan.steps[0].reasonText, "final snapshot before teardown")
        XCTAssertEqual(plan.steps[1].resource, .bucket)
    }

    /// A first provisioning that stopped part-way is finished at once: nothing serves customers yet.
    func testFinishingAnUnfinishedProvisioningIsNotDisruptive() {
        var recorded = Sim.provisioned(Fixtures.spec())
        recorded.provisioned = false
        for kind in [ResourceKind.taskDefinition, .service, .dnsRecord] { recorded.resources[kind] = nil }
        let (plan, _) = Sim.plan(Fixtures.spec(), recorded: recorded)
        XCTAssertEqual(
            plan.steps.map { "\($0.action.rawValue) \($0.resource.rawValue)" },
            ["create task-definition", "create service", "create dns-record"])
        XCTAssertEqual(plan.steps.map(\.disruptive), [false, false, false])
        let finished = Sim.record(plan, spec: Fixtures.spec(), onto: recorded)
        XCTAssertTrue(finished.provisioned)
    }

    /// Protection must be lifted by an earlier, applied change: lifting it with the teardown is refused.
    func testProtectionLiftedInTheSameChangeAsTheTeardownIsRefused() {
        var protectedSpec = Fixtures.spec()
        protectedSpec.protected = true
        let recorded = Sim.provisioned(protectedSpec)
        XCTAssertTrue(recorded.protected)

        let (sameChange, diagnostics) = Sim.plan(Fixtures.spec(state: .deleted), recorded: recorded)
        XCTAssertEqual(sameChange.status, .refused)
        XCTAssertEqual(sameChange.steps, [])
        XCTAssertEqual(diagnostics.map(\.location?.fieldPath), ["protected"])
        XCTAssertTrue(diagnostics[0].detail?.contains("earlier, applied change") ?? false, "\(diagnostics)")

        // Lifting protection turns the database's deletion protection off: in place, interrupting nothing.
        let (lift, _) = Sim.plan(Fixtures.spec(), recorded: recorded)
        XCTAssertEqual(lift.changes, [.reconfigure(what: .database), .protection(false)])
        XCTAssertEqual(lift.steps.map { "\($0.action.rawValue) \($0.resource.rawValue)" }, ["update database"])
        XCTAssertEqual(lift.steps.first?.before?.database?.deletionProtection, true)
        XCTAssertEqual(lift.steps.first?.after?.database?.deletionProtection, false)
        XCTAssertEqual(lift.steps.first?.disruptive, false)
        let lifted = Sim.record(lift, spec: Fixtures.spec(), onto: recorded)
        let (teardown, none) = Sim.plan(Fixtures.spec(state: .deleted), recorded: lifted)
        XCTAssertEqual(none, [])
        XCTAssertEqual(teardown.changes, [.teardown])
    }

    /// Every plan survives its own JSON: what `--out` saves is what apply reads.
    func testPlansRoundTripThroughJSON() throws {
        for row in rows {
            let (plan, _) = Sim.plan(row.after, recorded: row.before.map(Sim.provisioned))
            let data = try JSONEncoder().encode(plan)
            XCTAssertEqual(try JSONDecoder().decode(InstancePlan.self, from: data), plan, row.name)
        }
    }

    /// A record older than kept attributes still names its domain: a domain move removes the old record.
    func testDomainMoveOnARecordWithoutAttributesNamesTheOldDomain() {
        var recorded = Sim.provisioned(Fixtures.spec())
        recorded.resources[.dnsRecord]?.attributes = nil
        let (plan, _) = Sim.plan(Fixtures.spec(domain: "shop.cloud.example.com"), recorded: recorded)
        XCTAssertEqual(plan.steps.last?.before?.dnsRecord?.domain, "acme.cloud.example.com")
        XCTAssertEqual(plan.steps.last?.after?.dnsRecord?.domain, "shop.cloud.example.com")
    }
}
