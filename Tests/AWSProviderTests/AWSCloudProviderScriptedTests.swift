import Foundation
import XCTest
import Synchronization
import FleetModel
import ProviderAPI
import TestSupport
@testable import AWSProvider

/// Offline checks of state handling, with a transport that answers each operation from a script of successive
/// responses.
final class AWSCloudProviderScriptedTests: XCTestCase {
    /// Answers per operation, in order; the last answer repeats. Records the operations asked for.
    final class Script: Sendable {
        let answers: Mutex<[String: [HTTPResponse]]>
        let asked = Mutex<[String]>([])
        /// Request bodies, in order.
        let bodies = Mutex<[String]>([])
        init(_ answers: [String: [HTTPResponse]]) { self.answers = Mutex(answers) }

        var transport: HTTPTransport {
            { request in
                let operation = AWSCloudProviderTests.operation(of: request)
                self.asked.withLock { $0.append(operation) }
                self.bodies.withLock { $0.append(String(decoding: request.body, as: UTF8.self)) }
                return self.answers.withLock { answers in
                    guard var queue = answers[operation], let next = queue.first else {
                        return HTTPResponse(status: 500)
                    }
                    if queue.count > 1 {
                        queue.removeFirst()
                        answers[operation] = queue
                    }
                    return next
                }
            }
        }
    }

    static func xml(_ text: String) -> HTTPResponse { AWSCloudProviderTests.xml(text) }
    static let tags =
        "<TagList><Tag><Key>cloudctl:instance</Key><Value>acme</Value></Tag>"
        + "<Tag><Key>cloudctl:fleet</Key><Value>\(Fixtures.fleet().name)</Value></Tag></TagList>"
    static func database(_ status: String) -> HTTPResponse {
        xml(
            "<R><DBInstances><DBInstance><DBInstanceStatus>\(status)</DBInstanceStatus>"
                + "<DBInstanceClass>db.t3.micro</DBInstanceClass><AllocatedStorage>20</AllocatedStorage>"
                + "<InstanceCreateTime>2026-11-21T20:06:37.565Z</InstanceCreateTime>\(tags)"
                + "<BackupRetentionPeriod>7</BackupRetentionPeriod><DeletionProtection>false</DeletionProtection>"
                + "<Endpoint><Address>db.example.internal</Address><Port>5432</Port></Endpoint>"
                + "</DBInstance></DBInstances></R>"
        )
    }

    /// What a task definition's wiring reads: recorded key, secret and role ARNs, and the answers for the database
    /// endpoint and the key's tag check.
    static let wiredIds: [ResourceKind: String] = [
        .key: "arn:aws:kms:us-east-1:123456789012:key/k",
        .secret: "arn:aws:secretsmanager:us-east-1:123456789012:secret:s",
        .executionRole: "arn:aws:iam::123456789012:role/e", .taskRole: "arn:aws:iam::123456789012:role/t",
    ]
    static var wiringAnswers: [String: [HTTPResponse]] {
        let tags = JSONValue.object([
            "Tags": .array(
                ["cloudctl:instance": "acme", "cloudctl:fleet": .string(Fixtures.fleet().name)]
                    .map { JSONValue.object(["TagKey": .string($0.key), "TagValue": $0.value]) })
        ])
        return [
            "DescribeDBInstances": [database("available")],
            "ListResourceTags": [HTTPResponse(status: 200, body: tags.serialized())],
        ]
    }

    @discardableResult
    func run(
        _ script: Script, _ action: StepAction, _ resource: ResourceKind, _ inputs: [String: String] = [:],
        recorded: RecordedInstance? = nil
    ) async throws -> StepOutcome {
        let config = AWSConfig(
            region: "us-east-1", endpoint: URL(string: "http://127.0.0.1:1"),
            credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "SECRET"))
        let provider = AWSCloudProvider(
            config: config, transport: script.transport,
            backoff: Backoff(initial: .milliseconds(1), maximum: .milliseconds(1), attempts: 5))
        let step = PlanStep(action: action, resource: resource, reason: "", inputs: inputs, inputsHash: "h")
        return try await provider.perform(
            step,
            context: StepContext(
                spec: Fixtures.spec(), fleet: Fixtures.fleet(),
                recorded: recorded))
    }

    func testStartingAStoppingDatabaseWaitsForStoppedThenStartsIt() async throws {
        let script = Script([
            "DescribeDBInstances": [
                Self.database("stopping"), Self.database("stopping"), Self.database("stopped"),
                Self.database("available"),
            ],
            "StartDBInstance": [Self.xml("<R/>")],
        ])
        try await run(script, .start, .database)
        XCTAssertEqual(
            script.asked.withLock { $0 },
            [
                "DescribeDBInstances", "DescribeDBInstances", "DescribeDBInstances", "StartDBInstance",
                "DescribeDBInstances",
            ])
    }

    func testEnsureWaitsForASettlingDatabaseBeforeConverging() async throws {
        let script = Script([
            "DescribeDBInstances": [Self.database("creating"), Self.database("creating"), Self.database("available")]
        ])
        let outcome = try await run(
            script, .create, .database,
            [StepInput.databaseClass: "db.t3.micro", StepInput.storageGB: "20"],
            recorded: Self.recorded([.database: "cloudctl-db"]))
        XCTAssertNotNil(outcome.cloudId)
        XCTAssertEqual(
            script.asked.withLock { $0 }, Array(repeating: "DescribeDBInstances", count: 3),
            "nothing to modify once available")
    }

    func testFinalSnapshotIsNamedByTheDatabaseCreationTime() async throws {
        let script = Script([
            "DescribeDBInstances": [Self.database("available")],
            "DescribeDBSnapshots": [
                Self.xml("<R><DBSnapshots><DBSnapshot><Status>available</Status></DBSnapshot></DBSnapshots></R>")
            ],
            "DeleteDBSnapshot": [Self.xml("<R/>")],
        ])
        let outcome = try await run(script, .snapshot, .database, [StepInput.purpose: "final"])
        XCTAssertEqual(outcome.note, "snapshot cloudctl-\(Fixtures.fleet().name)-acme-final-20261121t200637-archive")
        let asked = script.asked.withLock { $0 }
        XCTAssertFalse(
            asked.contains("CreateDBSnapshot") || asked.contains("CopyDBSnapshot"),
            "the existing archive copy is reused")
    }

    /// The final snapshot is copied under the fleet's archive key, then the instance-key snapshot is deleted.
    func testFinalSnapshotIsCopiedUnderTheArchiveKey() async throws {
        let notFound = AWSCloudProviderTests.xml(
            "<ErrorResponse><Error><Code>DBSnapshotNotFound</Code><Message>none</Message></Error></ErrorResponse>",
            status: 404)
        let available = Self.xml(
            "<R><DBSnapshots><DBSnapshot><Status>available</Status></DBSnapshot></DBSnapshots></R>")
        let arn = "arn:aws:kms:us-east-1:123456789012:key/archive"
        let script = Script([
            "DescribeDBInstances": [Self.database("available")],
            // copy absent, source absent (twice: before and in `take`), then source and copy available
            "DescribeDBSnapshots": [notFound, notFound, notFound, available],
            "CreateDBSnapshot": [Self.xml("<R/>")],
            "DescribeKey": [
                HTTPResponse(
                    status: 200,
                    body: Data(#"{"KeyMetadata":{"KeyId":"archive","Arn":"\#(arn)","KeyState":"Enabled"}}"#.utf8))
            ],
            "ListResourceTags": [
                HTTPResponse(
                    status: 200,
                    body: Data(#"{"Tags":[{"TagKey":"cloudctl:fleet","TagValue":"\#(Fixtures.fleet().name)"}]}"#.utf8))
            ],
            "CopyDBSnapshot": [Self.xml("<R/>")],
            "DeleteDBSnapshot": [Self.xml("<R/>")],
        ])
        try await run(script, .snapshot, .database, [StepInput.purpose: "final"])
        let asked = script.asked.withLock { $0 }
        XCTAssertEqual(
            asked.filter { ["CreateDBSnapshot", "CopyDBSnapshot", "DeleteDBSnapshot"].contains($0) },
            ["CreateDBSnapshot", "CopyDBSnapshot", "DeleteDBSnapshot"])
        let copy = try XCTUnwrap(
            script.bodies.withLock { bodies in zip(asked, bodies).first { $0.0 == "CopyDBSnapshot" }?.1 })
        XCTAssertTrue(copy.contains("KmsKeyId=\(URIEncoding.encode(arn, keepingSlash: false))"), copy)
        XCTAssertTrue(copy.contains("cloudctl%3Aretain-until"), copy)
    }

    func testPreUpgradeSnapshotIsNamedByVersionAndCreationTime() async throws {
        let script = Script([
            "DescribeDBInstances": [Self.database("storage-optimization")],
            "DescribeDBSnapshots": [
                AWSCloudProviderTests.xml(
                    "<ErrorResponse><Error><Code>DBSnapshotNotFound</Code></Error></ErrorResponse>", status: 404),
                Self.xml("<R><DBSnapshots><DBSnapshot><Status>available</Status></DBSnapshot></DBSnapshots></R>"),
            ],
            "CreateDBSnapshot": [Self.xml("<R/>")],
        ])
        let outcome = try await run(
            script, .snapshot, .database, [StepInput.purpose: "pre-upgrade", StepInput.version: "5.3.0"])
        XCTAssertEqual(
            outcome.note, "snapshot cloudctl-\(Fixtures.fleet().name)-acme-pre-upgrade-5-3-0-20261121t200637")
        XCTAssertEqual(
            script.asked.withLock { $0 },
            ["DescribeDBInstances", "DescribeDBSnapshots", "CreateDBSnapshot", "DescribeDBSnapshots"])
    }

    /// `storage-optimization` follows a storage change for hours; the database is usable meanwhile.
    func testStorageOptimizationCountsAsUsable() async throws {
        let optimizing = Self.database("storage-optimization")
        let stop = Script(["DescribeDBInstances": [optimizing], "StopDBInstance": [Self.xml("<R/>")]])
        try await run(stop, .stop, .database)
        XCTAssertEqual(stop.asked.withLock { $0 }, ["DescribeDBInstances", "StopDBInstance"])
        let start = Script(["DescribeDBInstances": [optimizing]])
        try await run(start, .start, .database)
        XCTAssertEqual(start.asked.withLock { $0 }, ["DescribeDBInstances"])
        let resize = Script([
            "DescribeDBInstances": [Self.database("available"), Self.database("modifying"), optimizing],
            "ModifyDBInstance": [Self.xml("<R/>")],
        ])
        try await run(resize, .update, .database, [StepInput.databaseClass: "db.t3.micro", StepInput.storageGB: "30"])
        XCTAssertEqual(
            resize.asked.withLock { $0 },
            ["DescribeDBInstances", "ModifyDBInstance", "DescribeDBInstances", "DescribeDBInstances"])
    }

    func testRefusedTagSearchMeansNoOrphanKeyAndPagesAreFollowed() async throws {
        let notFound = HTTPResponse(
            status: 400, body: Data(#"{"__type":"NotFoundException","message":"Alias not found"}"#.utf8))
        let created = HTTPResponse(
            status: 200, body: Data(#"{"KeyMetadata":{"Arn":"arn:new","KeyId":"new","KeyState":"Enabled"}}"#.utf8))
        let refused = Script([
            "DescribeKey": [notFound],
            "GetResources": [
                HTTPResponse(status: 400, body: Data(#"{"__type":"InvalidParameterException","message":"no"}"#.utf8))
            ],
            "CreateKey": [created], "CreateAlias": [HTTPResponse(status: 200)],
        ])
        let outcome = try await run(refused, .create, .key)
        XCTAssertEqual(outcome.cloudId, "arn:new")
        XCTAssertEqual(refused.asked.withLock { $0 }, ["DescribeKey", "GetResources", "CreateKey", "CreateAlias"])

        let paged = Script([
            "DescribeKey": [notFound],
            "GetResources": [
                HTTPResponse(status: 200, body: Data(#"{"ResourceTagMappingList":[],"PaginationToken":"p2"}"#.utf8)),
                HTTPResponse(status: 200, body: Data(#"{"ResourceTagMappingList":[],"PaginationToken":""}"#.utf8)),
            ],
            "CreateKey": [created], "CreateAlias": [HTTPResponse(status: 200)],
        ])
        _ = try await run(paged, .create, .key)
        XCTAssertEqual(
            paged.asked.withLock { $0 }, ["DescribeKey", "GetResources", "GetResources", "CreateKey", "CreateAlias"])
        XCTAssertTrue(paged.bodies.withLock { $0 }[2].contains(#""PaginationToken":"p2""#))
    }

    func testMigrationListsTasksByFamilyAndStartsWithAClientToken() async throws {
        let task = { (startedBy: String, exit: Int) in
            #"{"taskArn":"arn:\#(startedBy)","startedBy":"\#(startedBy)","lastStatus":"STOPPED","#
                + #""containers":[{"exitCode":\#(exit)}]}"#
        }
        let startedBy = ResourceNames.migrationStartedBy(version: "5.3.0")
        // Another version's successful task is no migration to 5.3.0; this version's failed one is retried.
        let described = #"{"tasks":[\#(task("cloudctl-migrate-5-2-3", 0)),\#(task(startedBy, 1))]}"#
        let script = Script(
            [
                "ListTasks": [HTTPResponse(status: 200, body: Data(#"{"taskArns":["arn:a","arn:b"]}"#.utf8))],
                "DescribeTasks": [
                    HTTPResponse(status: 200, body: Data(described.utf8)),
                    HTTPResponse(status: 200, body: Data(#"{"tasks":[\#(task(startedBy, 0))]}"#.utf8)),
                ],
                "DescribeTaskDefinition": [
                    HTTPResponse(
                        status: 200,
                        body: JSONValue.object([
                            "taskDefinition": [
                                "taskDefinitionArn": "arn:td", "status": "ACTIVE", "cpu": "256", "memory": "512",
                                "containerDefinitions": [
                                    ["image": "registry.example.com/app:5.3.0", "command": ["migrate"]]
                                ],
                            ],
                            "tags": TagFormat.ecs.json(
                                ResourceNames(fleet: Fixtures.fleet().name, instance: "acme").tags),
                        ]).serialized())
                ],
                "DescribeSubnets": [
                    Self.xml("<R><subnetSet><item><subnetId>subnet-1</subnetId></item></subnetSet></R>")
                ],
                "DescribeSecurityGroups": [
                    Self.xml("<R><securityGroupInfo><item><groupId>sg-1</groupId></item></securityGroupInfo></R>")
                ],
                "RunTask": [HTTPResponse(status: 200, body: Data(#"{"tasks":[{"taskArn":"arn:new"}]}"#.utf8))],
                "RegisterTaskDefinition": [Self.json(#"{"taskDefinition":{"taskDefinitionArn":"arn:td2"}}"#)],
            ].merging(Self.wiringAnswers) { own, _ in own })
        do {
            _ = try await run(
                script, .migrate, .database,
                [
                    StepInput.version: "5.3.0", StepInput.image: "registry.example.com/app", StepInput.cpu: "256",
                    StepInput.memory: "512",
                ], recorded: Self.recorded(Self.wiredIds))
        } catch {
            XCTFail("\(error); asked \(script.asked.withLock { $0 })")
            return
        }
        let bodies = zip(script.asked.withLock { $0 }, script.bodies.withLock { $0 })
        let lists = bodies.filter { $0.0 == "ListTasks" }.map(\.1)
        XCTAssertEqual(lists.count, 2, "RUNNING and STOPPED")
        XCTAssertTrue(
            lists.allSatisfy {
                $0.contains(#""family":"cloudctl-\#(Fixtures.fleet().name)-acme--migrate""#)
                    && !$0.contains("startedBy")
            }, "\(lists)")
        let runTask = bodies.first { $0.0 == "RunTask" }?.1 ?? ""
        let token = ContentHash.sha256Hex("cloudctl-\(Fixtures.fleet().name)-acme|5.3.0|1")
        XCTAssertTrue(runTask.contains(#""clientToken":"\#(token)""#), runTask)
    }

    func testAnAliasedKeyIsFoundWithoutSearchingByTags() async throws {
        let tags = JSONValue.object([
            "Tags": .array(
                ["cloudctl:instance": "acme", "cloudctl:fleet": .string(Fixtures.fleet().name)]
                    .map { JSONValue.object(["TagKey": .string($0.key), "TagValue": $0.value]) })
        ])
        let script = Script([
            "DescribeKey": [
                HTTPResponse(
                    status: 200, body: Data(#"{"KeyMetadata":{"Arn":"arn:k","KeyId":"k","KeyState":"Enabled"}}"#.utf8))
            ],
            "ListResourceTags": [HTTPResponse(status: 200, body: tags.serialized())],
        ])
        let outcome = try await run(script, .create, .key)
        XCTAssertEqual(outcome.cloudId, "arn:k")
        XCTAssertEqual(script.asked.withLock { $0 }, ["DescribeKey", "ListResourceTags"])
    }

    func testOnlyTheNotFoundClientExceptionMeansNoTaskDefinition() async {
        let script = Script(
            [
                "DescribeTaskDefinition": [
                    HTTPResponse(
                        status: 400,
                        body: Data(#"{"__type":"ClientException","message":"Invalid revision number"}"#.utf8))
                ]
            ].merging(Self.wiringAnswers) { own, _ in own })
        do {
            _ = try await run(
                script, .create, .taskDefinition,
                [StepInput.image: "registry.example.com/app", StepInput.version: "5.3.0"],
                recorded: Self.recorded(Self.wiredIds))
            XCTFail("expected an error")
        } catch let error as CloudError {
            XCTAssertEqual(error.code, "ClientException")
        } catch { XCTFail("\(error)") }
        XCTAssertEqual(
            script.asked.withLock { $0 }, ["DescribeDBInstances", "ListResourceTags", "DescribeTaskDefinition"],
            "nothing registered on an unexplained ClientException")
    }

    func testNetworkRefusesARegionWithTooFewZonesAndRepairsDNSHostnames() async {
        let script = Script([
            "DescribeVpcs": [Self.xml("<R><vpcSet><item><vpcId>vpc-1</vpcId></item></vpcSet></R>")],
            "ModifyVpcAttribute": [Self.xml("<R/>")],
            "DescribeSubnets": [Self.xml("<R><subnetSet/></R>")],
            "DescribeSecurityGroups": [Self.xml("<R><securityGroupInfo/></R>")],
            "DescribeAvailabilityZones": [
                Self.xml(
                    "<R><availabilityZoneInfo><item><zoneName>us-east-1a</zoneName></item></availabilityZoneInfo></R>")
            ],
        ])
        do {
            _ = try await run(script, .create, .network)
            XCTFail("expected an error")
        } catch let error as CloudError {
            XCTAssertEqual(error.code, "TooFewAvailabilityZones")
            XCTAssertTrue(error.message.contains("at least 2 availability zones"), error.message)
        } catch { XCTFail("\(error)") }
        XCTAssertEqual(
            script.asked.withLock { $0 },
            [
                "DescribeVpcs", "ModifyVpcAttribute", "DescribeSubnets", "DescribeSecurityGroups",
                "DescribeAvailabilityZones",
            ])
    }

    // MARK: ids from recorded state

    static let network = NetworkIds(vpc: "vpc-1", subnets: ["subnet-b", "subnet-a"], securityGroup: "sg-1")

    static func recorded(_ cloudIds: [ResourceKind: String], network: NetworkIds? = nil) -> RecordedInstance {
        RecordedInstance(
            name: "acme", region: "us-east-1",
            resources: cloudIds.mapValues { RecordedResource(cloudId: $0, inputsHash: "h") },
            network: network)
    }

    static func json(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, body: Data(text.utf8))
    }

    static let keyArn = "arn:aws:kms:us-east-1:1:key/k"

    static let noService = json(#"{"services":[],"failures":[{"reason":"MISSING"}]}"#)

    /// A new VPC has nothing to look up inside it; the step reports every id it made.
    func testNetworkCreatesWithoutDescribingANewVpcAndReportsItsIds() async throws {
        let script = Script([
            "DescribeVpcs": [Self.xml("<R><vpcSet/></R>")],
            "CreateVpc": [Self.xml("<R><vpc><vpcId>vpc-9</vpcId></vpc></R>")],
            "ModifyVpcAttribute": [Self.xml("<R/>")],
            "DescribeAvailabilityZones": [
                Self.xml(
                    """
                    <R><availabilityZoneInfo><item><zoneName>us-east-1b</zoneName></item>\
                    <item><zoneName>us-east-1a</zoneName></item></availabilityZoneInfo></R>
                    """)
            ],
            "CreateSubnet": [
                Self.xml("<R><subnet><subnetId>subnet-1</subnetId><vpcId>vpc-9</vpcId></subnet></R>"),
                Self.xml("<R><subnet><subnetId>subnet-2</subnetId><vpcId>vpc-9</vpcId></subnet></R>"),
            ],
            "CreateSecurityGroup": [Self.xml("<R><groupId>sg-9</groupId></R>")],
        ])
        let outcome = try await run(script, .create, .network)
        XCTAssertEqual(outcome.cloudId, "vpc-9")
        XCTAssertEqual(
            outcome.network,
            NetworkIds(vpc: "vpc-9", subnets: ["subnet-1", "subnet-2"], securityGroup: "sg-9"))
        XCTAssertEqual(
            script.asked.withLock { $0 },
            [
                "DescribeVpcs", "CreateVpc", "ModifyVpcAttribute",
                "DescribeAvailabilityZones", "CreateSubnet", "CreateSubnet",
                "CreateSecurityGroup",
            ])
    }

    /// Placement with recorded ids costs no lookup, and the ids go into the request; without them (or when the
    /// cloud refuses them as gone) the network is looked up by tag, and what was found is reported for recording.
    func testServicePlacementUsesRecordedIdsAndLooksUpOnlyWhenTheyFail() async throws {
        let created = Self.json(#"{"service":{"serviceArn":"arn:svc"}}"#)
        let gone = Self.json(
            #"{"__type":"InvalidParameterException","message":"The subnet ID 'subnet-a' does not exist"}"#, status: 400)
        let subnets = Self.xml(
            """
            <R><subnetSet><item><subnetId>subnet-y</subnetId><vpcId>vpc-2</vpcId></item>\
            <item><subnetId>subnet-x</subnetId><vpcId>vpc-2</vpcId></item></subnetSet></R>
            """)
        let groups = Self.xml("<R><securityGroupInfo><item><groupId>sg-2</groupId></item></securityGroupInfo></R>")
        let found = NetworkIds(vpc: "vpc-2", subnets: ["subnet-x", "subnet-y"], securityGroup: "sg-2")
        let cases:
            [(
                name: String, network: NetworkIds?, createAnswers: [HTTPResponse], asked: [String],
                reported: NetworkIds?, placedIn: String
            )] = [
                ("recorded ids", Self.network, [created], ["DescribeServices", "CreateService"], nil, "subnet-a"),
                (
                    "no recorded ids", nil, [created],
                    ["DescribeServices", "DescribeSubnets", "DescribeSecurityGroups", "CreateService"], found,
                    "subnet-x"
                ),
                (
                    "recorded ids gone", Self.network, [gone, created],
                    [
                        "DescribeServices", "CreateService", "DescribeSubnets", "DescribeSecurityGroups",
                        "CreateService",
                    ],
                    found, "subnet-x"
                ),
            ]
        for test in cases {
            let script = Script([
                "DescribeServices": [Self.noService], "CreateService": test.createAnswers,
                "DescribeSubnets": [subnets], "DescribeSecurityGroups": [groups],
            ])
            let outcome = try await run(
                script, .create, .service, [StepInput.replicas: "1"],
                recorded: Self.recorded([.network: "vpc-1"], network: test.network))
            XCTAssertEqual(outcome.cloudId, "arn:svc", test.name)
            XCTAssertEqual(script.asked.withLock { $0 }, test.asked, test.name)
            XCTAssertEqual(outcome.network, test.reported, test.name)
            let requests = Array(zip(script.asked.withLock { $0 }, script.bodies.withLock { $0 }))
            let request = requests.last { $0.0 == "CreateService" }
            XCTAssertTrue(request?.1.contains(test.placedIn) ?? false, "\(test.name): \(request?.1 ?? "no request")")
        }
    }

    /// Recorded ids the cloud refuses for another reason than the network (the lookup finds the same ids) keep
    /// that error; a refusal that is not about ids (throttling, auth) is never retried with a lookup.
    func testAFailureWithRecordedIdsThatLookupCannotFixIsReported() async {
        let invalid = Self.json(#"{"__type":"InvalidParameterException","message":"bad replicas"}"#, status: 400)
        let subnets = Self.xml(
            """
            <R><subnetSet><item><subnetId>subnet-a</subnetId><vpcId>vpc-1</vpcId></item>\
            <item><subnetId>subnet-b</subnetId><vpcId>vpc-1</vpcId></item></subnetSet></R>
            """)
        let groups = Self.xml("<R><securityGroupInfo><item><groupId>sg-1</groupId></item></securityGroupInfo></R>")
        let denied = Self.json(#"{"__type":"AccessDeniedException","message":"no"}"#, status: 400)
        let cases = [
            (invalid, ["DescribeServices", "CreateService", "DescribeSubnets", "DescribeSecurityGroups"]),
            (denied, ["DescribeServices", "CreateService"]),
        ]
        for (answer, asked) in cases {
            let script = Script([
                "DescribeServices": [Self.noService], "CreateService": [answer],
                "DescribeSubnets": [subnets], "DescribeSecurityGroups": [groups],
            ])
            do {
                _ = try await run(
                    script, .create, .service, [StepInput.replicas: "1"],
                    recorded: Self.recorded([.network: "vpc-1"], network: Self.network))
                XCTFail("expected an error")
            } catch let error as CloudError {
                XCTAssertTrue(["InvalidParameterException", "AccessDeniedException"].contains(error.code), error.code)
            } catch { XCTFail("\(error)") }
            XCTAssertEqual(script.asked.withLock { $0 }, asked)
        }
    }

    /// The bucket takes the recorded key ARN after one call that also checks its tags: a key tagged for another
    /// instance is refused, and a key gone is looked up through the alias.
    func testBucketChecksTheRecordedKeyByItsTags() async throws {
        func tags(_ instance: String) -> HTTPResponse {
            let owner = ["cloudctl:instance": instance, "cloudctl:fleet": Fixtures.fleet().name]
            let list = owner.map { JSONValue.object(["TagKey": .string($0.key), "TagValue": .string($0.value)]) }
            return HTTPResponse(status: 200, body: JSONValue.object(["Tags": .array(list)]).serialized())
        }
        let foreign = Script(["ListResourceTags": [tags("globex")]])
        do {
            _ = try await run(foreign, .create, .bucket, recorded: Self.recorded([.key: Self.keyArn]))
            XCTFail("expected a refusal")
        } catch let error as CloudError {
            XCTAssertEqual(error.kind, .foreignResource)
        }
        XCTAssertEqual(foreign.asked.withLock { $0 }, ["ListResourceTags"], "nothing done with a foreign key")

        let notFound = Self.json(#"{"__type":"NotFoundException","message":"gone"}"#, status: 400)
        let gone = Script([
            "ListResourceTags": [notFound, tags("acme")],
            "DescribeKey": [
                Self.json(
                    #"{"KeyMetadata":{"Arn":"arn:k2","KeyId":"k2","KeyState":"Enabled"}}"#)
            ],
            // S3 (REST): the bucket exists, tagged for acme; every other call succeeds.
            "": [
                Self.xml(
                    """
                    <Tagging><TagSet><Tag><Key>cloudctl:instance</Key><Value>acme</Value></Tag><Tag>\
                    <Key>cloudctl:fleet</Key><Value>\(Fixtures.fleet().name)</Value></Tag></TagSet></Tagging>
                    """)
            ],
        ])
        _ = try await run(gone, .create, .bucket, recorded: Self.recorded([.key: Self.keyArn]))
        XCTAssertEqual(
            gone.asked.withLock { $0 }, ["ListResourceTags", "DescribeKey", "ListResourceTags", "", "", ""],
            "a gone key is found through its alias")
        let encryption = zip(gone.asked.withLock { $0 }, gone.bodies.withLock { $0 }).map(\.1).first {
            $0.contains("KMSMasterKeyID")
        }
        XCTAssertTrue(encryption?.contains("arn:k2") ?? false, encryption ?? "no encryption request")
    }

    /// With no secret recorded the secret is created at once; one that exists anyway is tag-checked like one found.
    func testSecretIsCreatedFirstAndAnExistingOneIsJudgedLikeOneFound() async throws {
        let exists = Self.json(#"{"__type":"ResourceExistsException","message":"exists"}"#, status: 400)
        let foreign = HTTPResponse(
            status: 200,
            body: JSONValue.object([
                "ARN": "arn:s",
                "Tags": TagFormat.secretsManager.json(
                    ResourceNames(fleet: Fixtures.fleet().name, instance: "globex").tags),
            ]).serialized())
        let script = Script(["CreateSecret": [exists], "DescribeSecret": [foreign]])
        do {
            _ = try await run(script, .create, .secret)
            XCTFail("expected a refusal")
        } catch let error as CloudError {
            XCTAssertEqual(error.kind, .foreignResource)
        }
        XCTAssertEqual(script.asked.withLock { $0 }, ["CreateSecret", "DescribeSecret"])
    }
}
