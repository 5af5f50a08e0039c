import Foundation
import XCTest
import Synchronization
import FleetModel
import ProviderAPI
import TestSupport
@testable import AWSProvider

/// Label steps against a scripted transport: per resource kind, the tag check, then the service's own tagging calls,
/// which put the file's labels, remove only label keys applied before, and never name a `cloudctl:` key.
final class LabelTagsTests: XCTestCase {
    /// Answers by operation (`X-Amz-Target`, Query `Action`, or `METHOD ?query` for S3's REST calls); records what was
    /// asked and each request's body.
    final class Script: Sendable {
        let answers: [String: HTTPResponse]
        let asked = Mutex<[(operation: String, body: String)]>([])
        init(_ answers: [String: HTTPResponse]) { self.answers = answers }

        var transport: HTTPTransport {
            { request in
                var operation = AWSCloudProviderTests.operation(of: request)
                if operation.isEmpty {
                    let query = (request.url.query ?? "").replacingOccurrences(of: "=", with: "")
                    operation = "\(request.method) ?\(query)"
                }
                self.asked.withLock { $0.append((operation, String(decoding: request.body, as: UTF8.self))) }
                return self.answers[operation] ?? HTTPResponse(status: 500)
            }
        }

        var operations: [String] { asked.withLock { $0.map(\.operation) } }
        /// Bodies of the calls that are not reads.
        var writes: [String] {
            asked.withLock { $0.filter { !Self.isRead($0.operation) }.map(\.body) }
        }

        private static func isRead(_ operation: String) -> Bool {
            ["Describe", "List", "Get", "GET"].contains { operation.hasPrefix($0) }
        }
    }

    static let fleet = Fixtures.fleet().name
    static let network = NetworkIds(vpc: "vpc-1", subnets: ["subnet-1", "subnet-2"], securityGroup: "sg-1")
    static let cloudIds: [ResourceKind: String] = [
        .network: "vpc-1", .securityRules: "sg-db", .key: "arn:aws:kms:us-east-1:1:key/k",
        .secret: "arn:aws:secretsmanager:us-east-1:1:secret:s", .bucket: "cloudctl-test-acme",
        .cluster: "arn:aws:ecs:us-east-1:1:cluster/c", .taskDefinition: "arn:aws:ecs:us-east-1:1:task-definition/t:3",
        .service: "arn:aws:ecs:us-east-1:1:service/c/app",
    ]

    /// What the resource carries now: its owner, the labels applied before, and a tag someone added by hand.
    static func current(owner: String = "acme") -> [String: String] {
        ["cloudctl:instance": owner, "cloudctl:fleet": fleet, "team": "a", "old": "x", "byhand": "keep"]
    }

    static func json(_ value: JSONValue) -> HTTPResponse { HTTPResponse(status: 200, body: value.serialized()) }
    static func xml(_ text: String) -> HTTPResponse { AWSCloudProviderTests.xml(text) }
    static func pairs(_ tags: [String: String], _ key: String, _ value: String) -> JSONValue {
        .array(tags.keys.sorted().map { .object([key: .string($0), value: .string(tags[$0]!)]) })
    }
    static func xmlTags(_ tags: [String: String], item: String, _ key: String = "Key", _ value: String = "Value")
        -> String
    {
        tags.keys.sorted().map { "<\(item)><\(key)>\($0)</\(key)><\(value)>\(tags[$0]!)</\(value)></\(item)>" }
            .joined()
    }

    /// Every service's answers, with the resource's tags as `tags`.
    static func answers(_ tags: [String: String]) -> [String: HTTPResponse] {
        let ec2Rows = ["vpc-1", "subnet-1", "subnet-2", "sg-1", "sg-db"].map { id in
            tags.keys.sorted().map {
                "<item><resourceId>\(id)</resourceId><key>\($0)</key><value>\(tags[$0]!)</value></item>"
            }.joined()
        }.joined()
        let ecs = pairs(tags, "key", "value")
        return [
            "DescribeTags": xml("<R><tagSet>\(ec2Rows)</tagSet></R>"),
            "CreateTags": xml("<R/>"), "DeleteTags": xml("<R/>"),
            "ListResourceTags": json(["Tags": pairs(tags, "TagKey", "TagValue")]),
            "GET ?tagging": xml("<Tagging><TagSet>\(xmlTags(tags, item: "Tag"))</TagSet></Tagging>"),
            "PUT ?tagging": xml(""),
            "DescribeSecret": json(["Tags": pairs(tags, "Key", "Value")]),
            "ListTagsLogGroup": json(["tags": .object(tags.mapValues { .string($0) })]),
            "TagLogGroup": json([:]), "UntagLogGroup": json([:]),
            "DescribeDBInstances": xml(
                "<R><DBInstances><DBInstance><DBInstanceArn>arn:db</DBInstanceArn>"
                    + "<TagList>\(xmlTags(tags, item: "Tag"))</TagList></DBInstance></DBInstances></R>"),
            "DescribeDBSubnetGroups": xml(
                "<R><DBSubnetGroups><DBSubnetGroup><DBSubnetGroupArn>arn:subgrp</DBSubnetGroupArn></DBSubnetGroup>"
                    + "</DBSubnetGroups></R>"),
            "ListTagsForResource": xml("<R><TagList>\(xmlTags(tags, item: "Tag"))</TagList></R>"),
            "AddTagsToResource": xml("<R/>"), "RemoveTagsFromResource": xml("<R/>"),
            "DescribeClusters": json(["clusters": [["clusterArn": "arn:c", "status": "ACTIVE", "tags": ecs]]]),
            "DescribeServices": json([
                "services": [["serviceArn": "arn:s", "clusterArn": "arn:c", "status": "ACTIVE", "tags": ecs]]
            ]),
            "DescribeTaskDefinition": json([
                "taskDefinition": ["taskDefinitionArn": "arn:t", "status": "ACTIVE"], "tags": ecs,
            ]),
            "TagResource": json([:]), "UntagResource": json([:]),
            "GetRole": xml(
                "<R><GetRoleResult><Role><Arn>arn:role</Arn><Tags>\(xmlTags(tags, item: "member"))</Tags></Role>"
                    + "</GetRoleResult></R>"),
            "TagRole": xml("<R/>"), "UntagRole": xml("<R/>"),
        ]
    }

    func run(
        _ kind: ResourceKind, _ script: Script, before: [String: String] = ["team": "a", "old": "x"],
        after: [String: String] = ["team": "b"]
    ) async throws -> StepOutcome {
        let config = AWSConfig(
            region: "us-east-1", endpoint: URL(string: "http://127.0.0.1:1"),
            credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "SECRET"))
        let provider = AWSCloudProvider(
            config: config, transport: script.transport,
            backoff: Backoff(initial: .milliseconds(1), maximum: .milliseconds(1), attempts: 2))
        let step = PlanStep(
            action: .update, resource: kind, reason: .labelsChanged, detail: .labels(before: before, after: after))
        XCTAssertNil(provider.check(step))
        let identity = InstanceIdentity(
            name: "acme", fleet: Self.fleet, region: "us-east-1", cloudIds: Self.cloudIds, network: Self.network,
            labels: after)
        return try await provider.perform(step, context: StepContext(identity: identity))
    }

    /// The ARN each ECS kind's description answers with (a service's names its cluster's too).
    static let ecsArns: [ResourceKind: String] = [.cluster: "arn:c", .service: "arn:s", .taskDefinition: "arn:t"]

    /// Per kind: the reads that check ownership, then the writes that put `team=b` and remove `old`.
    private let rows: [(kind: ResourceKind, operations: [String])] = [
        (.network, ["DescribeTags", "CreateTags", "DeleteTags"]),
        (.securityRules, ["DescribeTags", "CreateTags", "DeleteTags"]),
        (.key, ["ListResourceTags", "TagResource", "UntagResource"]),
        (.bucket, ["GET ?tagging", "PUT ?tagging"]),
        (.secret, ["DescribeSecret", "TagResource", "UntagResource"]),
        (.logGroup, ["ListTagsLogGroup", "TagLogGroup", "UntagLogGroup"]),
        (
            .database,
            [
                "DescribeDBInstances", "DescribeDBSubnetGroups", "ListTagsForResource", "AddTagsToResource",
                "RemoveTagsFromResource", "AddTagsToResource", "RemoveTagsFromResource",
            ]
        ),
        (.cluster, ["DescribeClusters", "TagResource", "UntagResource"]),
        (.executionRole, ["GetRole", "TagRole", "UntagRole"]),
        (.taskRole, ["GetRole", "TagRole", "UntagRole"]),
        (.taskDefinition, ["DescribeTaskDefinition", "TagResource", "UntagResource"]),
        (.service, ["DescribeServices", "TagResource", "UntagResource"]),
    ]

    func testEachKindIsCheckedThenRetaggedWithItsServicesAPI() async throws {
        XCTAssertEqual(Set(rows.map(\.kind)), Set(ResourceKind.allCases.filter(\.carriesLabels)))
        for row in rows {
            let script = Script(Self.answers(Self.current()))
            let outcome = try await run(row.kind, script)
            XCTAssertEqual(script.operations, row.operations, "\(row.kind)")
            XCTAssertEqual(outcome.calls, row.operations.count, "\(row.kind)")
            XCTAssertEqual(outcome.note, "labels put: team; removed: old", "\(row.kind)")
            let writes = script.writes
            XCTAssertTrue(writes.contains { $0.contains("team") }, "\(row.kind): puts the changed label")
            XCTAssertTrue(
                writes.allSatisfy { !$0.contains("cloudctl%3A") && !$0.contains("cloudctl:") }
                    || row.kind == .bucket, "\(row.kind): never names a cloudctl: key")
            if let arn = Self.ecsArns[row.kind] {
                XCTAssertTrue(writes.allSatisfy { $0.contains("\"\(arn)\"") }, "\(row.kind): tags its own ARN")
            }
            if row.kind != .bucket {
                XCTAssertTrue(writes.contains { $0.contains("old") }, "\(row.kind): removes the dropped label")
                XCTAssertFalse(writes.contains { $0.contains("byhand") }, "\(row.kind): a foreign tag is not touched")
            }
        }
    }

    /// S3 replaces the whole set: what is written back keeps cloudctl's own tags and the hand-added one, changes the
    /// label and drops only the removed label key.
    func testBucketTagSetIsWrittenBackWithOnlyTheLabelsChanged() async throws {
        let script = Script(Self.answers(Self.current()))
        _ = try await run(.bucket, script)
        let body = try XCTUnwrap(script.writes.first)
        let written = TagFormat.parse(xml: try XMLNode(parsing: Data(body.utf8)).descendants("TagSet").first)
        XCTAssertEqual(
            written, ["cloudctl:instance": "acme", "cloudctl:fleet": Self.fleet, "team": "b", "byhand": "keep"])
    }

    /// Nothing to change: only the read.
    func testLabelsAlreadyInPlaceCostOnlyTheCheck() async throws {
        for kind: ResourceKind in [.key, .bucket, .secret, .logGroup, .cluster, .executionRole] {
            let script = Script(Self.answers(Self.current()))
            _ = try await run(kind, script, before: ["team": "a"], after: ["team": "a"])
            XCTAssertEqual(script.writes, [], "\(kind)")
        }
    }

    /// A resource tagged for another instance is refused before any write.
    func testForeignResourceIsRefusedBeforeAnyWrite() async throws {
        for row in rows {
            let script = Script(Self.answers(Self.current(owner: "globex")))
            do {
                _ = try await run(row.kind, script)
                XCTFail("\(row.kind): a foreign resource must be refused")
            } catch let error as CloudError {
                XCTAssertEqual(error.kind, .foreignResource, "\(row.kind)")
            }
            XCTAssertEqual(script.writes, [], "\(row.kind)")
        }
    }

    func testChangeNeverPutsOrRemovesOwnKeys() {
        let change = LabelTagChange(
            before: ["team": "a", "gone": "x", "cloudctl:instance": "evil"],
            after: ["team": "b", "new": "y", "CLOUDCTL:fleet": "evil"])
        XCTAssertEqual(change.put, ["team": "b", "new": "y"])
        XCTAssertEqual(change.remove, ["gone"])
        XCTAssertEqual(
            change.applied(to: ["cloudctl:instance": "acme", "team": "a", "gone": "x", "other": "o"]),
            ["cloudctl:instance": "acme", "team": "b", "new": "y", "other": "o"])
    }

    /// `check` refuses a label step the provider cannot carry out, before any call.
    func testCheckRefusesMalformedLabelSteps() {
        let provider = AWSCloudProvider(config: AWSCloudProviderTests.config, transport: Script([:]).transport)
        let dns = PlanStep(
            action: .update, resource: .dnsRecord, reason: .labelsChanged, detail: .labels(before: [:], after: [:]))
        XCTAssertNotNil(provider.check(dns))
        XCTAssertNotNil(provider.check(PlanStep(action: .update, resource: .bucket, reason: .labelsChanged)))
        XCTAssertNotNil(
            provider.check(
                PlanStep(
                    action: .create, resource: .bucket, reason: .labelsChanged,
                    detail: .labels(before: [:], after: [:]))))
    }
}
