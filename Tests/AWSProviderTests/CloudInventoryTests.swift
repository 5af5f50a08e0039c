import Foundation
import XCTest
import Synchronization
import FleetModel
import ProviderAPI
import Planner
import TestSupport
@testable import AWSProvider

/// The batched read against a scripted cloud: what it confirms, what it drops as ghosts, how many calls it makes,
/// and how the classifier judges what it read.
final class CloudInventoryTests: XCTestCase {
    /// Answers by operation (`GetResources`, `DescribeVpcs`, `GET /bucket?encryption`…); records what was asked.
    final class Cloud: Sendable {
        let answers: [String: HTTPResponse]
        let asked = Mutex<[String]>([])
        init(_ answers: [String: HTTPResponse]) { self.answers = answers }

        static func operation(_ request: HTTPRequest) -> String {
            let json = AWSCloudProviderTests.operation(of: request)
            if !json.isEmpty { return json }
            let query = (request.url.query ?? "").split(separator: "&").map { $0.split(separator: "=")[0] }
            return "\(request.method) \(request.url.path)"
                + (query.isEmpty ? "" : "?" + query.sorted().joined(separator: "&"))
        }

        var transport: HTTPTransport {
            { request in
                let operation = Self.operation(request)
                self.asked.withLock { $0.append(operation) }
                // A per-resource answer (`DescribeKey <KeyId>`) before the operation's.
                let keyId = (try? JSONValue(parsing: request.body))?["KeyId"]?.string
                let form = String(decoding: request.body, as: UTF8.self).split(separator: "&")
                let roleName = form.first { $0.hasPrefix("RoleName=") }.map { String($0.dropFirst(9)) }
                let specific = (keyId ?? roleName).flatMap { self.answers["\(operation) \($0)"] }
                return specific ?? self.answers[operation] ?? HTTPResponse(status: 500)
            }
        }
    }

    static func body(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, body: Data(text.utf8))
    }

    static func tagList(_ instance: String) -> String {
        #"[{"Key":"cloudctl:instance","Value":"\#(instance)"},{"Key":"cloudctl:fleet","Value":"test"}]"#
    }

    static func xmlTags(_ instance: String, set: String = "tagSet", item: String = "item") -> String {
        "<\(set)><\(item)><key>cloudctl:instance</key><value>\(instance)</value></\(item)>"
            + "<\(item)><key>cloudctl:fleet</key><value>test</value></\(item)></\(set)>"
    }

    static let key = "arn:aws:kms:us-east-1:1:key/k1"
    static let goneKey = "arn:aws:kms:us-east-1:1:key/k2"
    static let cluster = "arn:aws:ecs:us-east-1:1:cluster/cloudctl-test-acme"
    static let service = "arn:aws:ecs:us-east-1:1:service/cloudctl-test-acme/app"

    /// acme: everything there, its service scaled to 5, its bucket unencrypted; a ghost VPC and a bucket S3 no longer
    /// knows; a key pending deletion; a VPC tagged for `ghost`, which has no file and no record.
    static let cloud: [String: HTTPResponse] = [
        "GetResources": body(
            #"{"ResourceTagMappingList":["#
                + [
                    ("arn:aws:ec2:us-east-1:1:vpc/vpc-1", "acme"), ("arn:aws:ec2:us-east-1:1:vpc/vpc-gone", "acme"),
                    ("arn:aws:ec2:us-east-1:1:vpc/vpc-9", "ghost"), (key, "acme"), (goneKey, "acme"),
                    ("arn:aws:s3:::cloudctl-test-acme", "acme"), ("arn:aws:s3:::cloudctl-test-gone", "acme"),
                    ("arn:aws:secretsmanager:us-east-1:1:secret:cloudctl/test/acme/database-x", "acme"),
                    ("arn:aws:rds:us-east-1:1:db:cloudctl-test-acme", "acme"), (cluster, "acme"), (service, "acme"),
                    ("arn:aws:logs:us-east-1:1:log-group:/cloudctl/test/acme", "acme"),
                    ("arn:aws:logs:us-east-1:1:log-group:/cloudctl/test/gone", "acme"),
                ].map { #"{"ResourceARN":"\#($0.0)","Tags":\#(tagList($0.1))}"# }.joined(separator: ",")
                + "]}"),
        "DescribeVpcs": body(
            "<R><vpcSet><item><vpcId>vpc-1</vpcId>\(xmlTags("acme"))</item>"
                + "<item><vpcId>vpc-9</vpcId>\(xmlTags("ghost"))</item></vpcSet></R>"),
        "DescribeSecurityGroups": body(
            "<R><securityGroupInfo><item><groupId>sg-a</groupId><groupName>cloudctl-test-acme</groupName>"
                + xmlTags("acme") + ipPermissions(8080, cidr: "10.0.0.0/8") + "</item>"
                + "<item><groupId>sg-d</groupId><groupName>cloudctl-test-acme-db</groupName>" + xmlTags("acme")
                + ipPermissions(5432, group: "sg-a") + "</item></securityGroupInfo></R>"),
        "DescribeLogGroups": body(#"{"logGroups":[{"logGroupName":"/cloudctl/test/acme","retentionInDays":30}]}"#),
        "ListRoles": body(
            "<R><ListRolesResult><Roles>" + role("execution") + role("task")
                + "</Roles><IsTruncated>false</IsTruncated></ListRolesResult></R>"),
        // The execution role's document as cloudctl writes it; the task role's reordered, spaced and URL-encoded as
        // IAM returns documents: both the same document.
        "GetRolePolicy cloudctl-test-acme-execution": body(
            "<R><PolicyDocument>\(RolePolicies.text(RolePolicies.execution(subjects)))</PolicyDocument></R>"),
        "GetRolePolicy cloudctl-test-acme-task": body(
            "<R><PolicyDocument>\(encoded(reordered(RolePolicies.task(subjects))))</PolicyDocument></R>"),
        "DescribeKey": body(#"{"KeyMetadata":{"Arn":"\#(key)","KeyState":"Enabled"}}"#),
        "DescribeKey \(goneKey)": body(#"{"KeyMetadata":{"Arn":"\#(goneKey)","KeyState":"PendingDeletion"}}"#),
        "GET /cloudctl-test-acme?encryption": body(
            "<Error><Code>ServerSideEncryptionConfigurationNotFoundError</Code><Message>none</Message></Error>",
            status: 404),
        "GET /cloudctl-test-acme?publicAccessBlock": body(
            "<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls>"
                + "<IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy>"
                + "<RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>"),
        "GET /cloudctl-test-gone?encryption": body(
            "<Error><Code>NoSuchBucket</Code><Message>gone</Message></Error>", status: 404),
        "ListSecrets": body(
            #"{"SecretList":[{"ARN":"arn:aws:secretsmanager:us-east-1:1:secret:cloudctl/test/acme/database-x","#
                + #""Name":"cloudctl/test/acme/database","Tags":\#(tagList("acme"))}]}"#),
        "DescribeDBInstances": body(
            "<R><DBInstances><DBInstance><DBInstanceIdentifier>cloudctl-test-acme</DBInstanceIdentifier>"
                + "<DBInstanceStatus>available</DBInstanceStatus><DBInstanceClass>db.t3.micro</DBInstanceClass>"
                + "<AllocatedStorage>20</AllocatedStorage>"
                + xmlTags("acme", set: "TagList", item: "Tag") + "</DBInstance></DBInstances></R>"),
        "DescribeClusters": body(
            #"{"clusters":[{"clusterArn":"\#(cluster)","clusterName":"cloudctl-test-acme","status":"ACTIVE","#
                + #""tags":[{"key":"cloudctl:instance","value":"acme"},{"key":"cloudctl:fleet","value":"test"}]}]}"#),
        "DescribeServices": body(
            #"{"services":[{"serviceArn":"\#(service)","status":"ACTIVE","desiredCount":5,"#
                + #""taskDefinition":"arn:aws:ecs:us-east-1:1:task-definition/cloudctl-test-acme:3"}]}"#),
        "DescribeTaskDefinition": body(
            #"{"taskDefinition":{"taskDefinitionArn":"arn:aws:ecs:us-east-1:1:task-definition/cloudctl-test-acme:3","#
                + #""status":"ACTIVE","cpu":"256","memory":"512","#
                + #""containerDefinitions":[{"image":"registry.example.com/app:5.2.3"}]}}"#),
        "GET /2013-04-01/hostedzonesbyname?dnsname&maxitems": body(
            "<R><HostedZones><HostedZone><Id>/hostedzone/Z1</Id><Name>cloud.example.com.</Name></HostedZone>"
                + "</HostedZones></R>"),
        "GET /2013-04-01/hostedzone/Z1/rrset?maxitems": body(
            "<R><ResourceRecordSets><ResourceRecordSet><Name>acme.cloud.example.com.</Name><Type>CNAME</Type>"
                + "<ResourceRecords><ResourceRecord><Value>ingress.cloud.example.com</Value></ResourceRecord>"
                + "</ResourceRecords></ResourceRecordSet>"
                + "<ResourceRecordSet><Name>_cloudctl.acme.cloud.example.com.</Name><Type>TXT</Type>"
                + "<ResourceRecords><ResourceRecord><Value>\"cloudctl:instance=acme,cloudctl:fleet=test\"</Value>"
                + "</ResourceRecord></ResourceRecords></ResourceRecordSet></ResourceRecordSets>"
                + "<IsTruncated>false</IsTruncated></R>"),
    ]

    /// What acme's role documents name.
    static let subjects = PolicySubjects(
        partition: "aws", region: "us-east-1", account: "1",
        secretArn: "arn:aws:secretsmanager:us-east-1:1:secret:cloudctl/test/acme/database-x", keyArn: key,
        logGroup: "/cloudctl/test/acme", bucket: "cloudctl-test-acme", image: "registry.example.com/app")

    static func ipPermissions(_ port: Int, cidr: String? = nil, group: String? = nil) -> String {
        "<ipPermissions><item><ipProtocol>tcp</ipProtocol><fromPort>\(port)</fromPort><toPort>\(port)</toPort>"
            + "<groups>\(group.map { "<item><groupId>\($0)</groupId></item>" } ?? "")</groups>"
            + "<ipRanges>\(cidr.map { "<item><cidrIp>\($0)</cidrIp></item>" } ?? "")</ipRanges></item></ipPermissions>"
    }

    static func role(_ suffix: String) -> String {
        let trust = encoded(reordered(RolePolicies.trust(subjects)))
        return "<member><RoleName>cloudctl-test-acme-\(suffix)</RoleName>"
            + "<Arn>arn:aws:iam::1:role/cloudctl/test/cloudctl-test-acme-\(suffix)</Arn>"
            + "<AssumeRolePolicyDocument>\(trust)</AssumeRolePolicyDocument></member>"
    }

    /// The document with its keys in reverse order and spaces after separators: the same JSON, other bytes.
    static func reordered(_ value: JSONValue) -> String {
        switch value {
        case .object(let members):
            "{ " + members.keys.sorted(by: >).map { "\"\($0)\": \(reordered(members[$0]!))" }.joined(separator: ", ")
                + " }"
        case .array(let items): "[ " + items.map(reordered).joined(separator: ", ") + " ]"
        default: String(decoding: value.serialized(), as: UTF8.self)
        }
    }

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    func observe(_ answers: [String: HTTPResponse]) async throws -> (CloudObservation, [String]) {
        let cloud = Cloud(answers)
        let config = AWSConfig(
            region: "us-east-1", endpoint: URL(string: "http://127.0.0.1:1"),
            credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "SECRET"))
        let provider = AWSCloudProvider(config: config, transport: cloud.transport)
        let observation = try await provider.observe(
            ObservationRequest(
                fleet: "test", regions: ["us-east-1"], dnsZones: ["cloud.example.com"],
                instances: ["acme": "us-east-1"]),
            onCallRetry: nil)
        return (observation, cloud.asked.withLock { $0 })
    }

    func testTheScanConfirmsWithEachServiceDropsGhostsAndReadsAttributes() async throws {
        let (observation, asked) = try await observe(Self.cloud)
        let acme = observation.resources(of: "acme")
        XCTAssertEqual(acme.map(\.kind), ResourceKind.allCases)
        XCTAssertEqual(observation.kinds, Set(ResourceKind.allCases), "every kind has a reader")
        XCTAssertEqual(observation.resources(of: "ghost").map(\.cloudId), ["vpc-9"])
        // vpc-gone, the bucket S3 no longer knows, the key pending deletion and the log group /cloudctl/test/gone.
        XCTAssertEqual(observation.ghosts, 4)
        let byKind = Dictionary(uniqueKeysWithValues: acme.map { ($0.kind, $0) })
        XCTAssertEqual(byKind[.service]?.attributes, .service(ServiceAttributes(replicas: 5)))
        XCTAssertEqual(
            byKind[.taskDefinition]?.attributes,
            .taskDefinition(
                TaskDefinitionAttributes(
                    image: "registry.example.com/app", version: Version(5, 2, 3), cpu: 256, memory: 512)))
        XCTAssertEqual(
            byKind[.dnsRecord]?.attributes,
            .dnsRecord(
                DNSRecordAttributes(
                    domain: "acme.cloud.example.com", zone: "cloud.example.com", target: "ingress.cloud.example.com")))
        XCTAssertEqual(
            byKind[.bucket]?.deviations,
            [SettingDeviation(attribute: "encryption", expected: "aws:kms", observed: "none")])
        XCTAssertEqual(
            byKind[.logGroup]?.attributes, .logGroup(LogGroupAttributes(region: "us-east-1", retentionDays: 30)))
        XCTAssertEqual(
            byKind[.securityRules]?.attributes,
            .securityRules(SecurityRulesAttributes(region: "us-east-1", ingress: ["10.0.0.0/8"])))
        XCTAssertEqual(byKind[.securityRules]?.cloudId, "sg-d")
        for kind in [ResourceKind.securityRules, .logGroup, .executionRole, .taskRole] {
            XCTAssertEqual(byKind[kind]?.deviations, [], "\(kind): documents compared parsed, not byte-wise")
        }
        XCTAssertEqual(observation.calls, asked.count)
        // Batch calls once per region; per-resource calls only where AWS offers nothing better.
        let perResource = ["DescribeKey", "DescribeServices", "DescribeTaskDefinition", "GetRolePolicy"]
        let batches = [
            "GetResources", "DescribeVpcs", "DescribeSecurityGroups", "ListSecrets", "DescribeLogGroups",
            "DescribeDBInstances", "DescribeClusters", "ListRoles",
        ]
        for batch in batches {
            XCTAssertEqual(asked.filter { $0 == batch }.count, 1, batch)
        }
        // Two keys, one service, one definition, two role policies; a role of a known instance needs no tag call.
        XCTAssertEqual(asked.filter { perResource.contains($0) }.count, 6)
        XCTAssertFalse(asked.contains("ListRoleTags"))
        XCTAssertTrue(
            asked.allSatisfy {
                $0.hasPrefix("Get") || $0.hasPrefix("Describe") || $0.hasPrefix("List") || $0.hasPrefix("GET ")
            },
            "\(asked)")
    }

    /// The read above, judged against a record of acme as provisioned: the scaled service and unencrypted bucket are
    /// `changed`, the VPC of `ghost` is `unmanaged`; the ghost entries produce nothing.
    func testClassificationOfTheScriptedScan() async throws {
        let (observation, _) = try await observe(Self.cloud)
        let spec = Fixtures.spec("acme", domain: "acme.cloud.example.com")
        var record = RecordedInstance(name: "acme", region: "us-east-1", runningVersion: Version(5, 2, 3))
        for resource in observation.resources(of: "acme") {
            var attributes = resource.attributes
            if resource.kind == .service { attributes = .service(ServiceAttributes(replicas: 1)) }
            record.resources[resource.kind] = RecordedResource(
                cloudId: resource.cloudId, inputsHash: attributes?.hash ?? "", attributes: attributes)
        }
        let findings = DriftClassifier.findings(
            DriftInput(specs: [spec], recorded: [record], observation: observation))
        XCTAssertEqual(
            findings.map {
                "\($0.drift.rawValue) \($0.instance ?? "-") \($0.resource?.rawValue ?? "-") \($0.attribute ?? "")"
            },
            [
                "changed acme bucket encryption", "changed acme service replicas", "unmanaged ghost network ",
            ])
    }

    /// Hand edits of the new kinds: an inbound rule from anywhere, a shorter retention, a different task role
    /// policy, a database group open to a CIDR, a missing execution policy. Each shows as `changed` against a record
    /// of the clean scan (the scripted bucket is unencrypted in both; `ghost`'s VPC is unmanaged).
    func testEditedRulesRetentionAndRolePolicyAreChanged() async throws {
        let (clean, _) = try await observe(Self.cloud)
        var record = RecordedInstance(name: "acme", region: "us-east-1", runningVersion: Version(5, 2, 3))
        for resource in clean.resources(of: "acme") {
            record.resources[resource.kind] = RecordedResource(
                cloudId: resource.cloudId, inputsHash: resource.attributes?.hash ?? "", attributes: resource.attributes)
        }
        var edited = Self.cloud
        edited["DescribeSecurityGroups"] = Self.body(
            "<R><securityGroupInfo><item><groupId>sg-a</groupId><groupName>cloudctl-test-acme</groupName>"
                + Self.xmlTags("acme")
                + "<ipPermissions><item><ipProtocol>tcp</ipProtocol><fromPort>8080</fromPort><toPort>8080</toPort>"
                + "<ipRanges><item><cidrIp>10.0.0.0/8</cidrIp></item><item><cidrIp>0.0.0.0/0</cidrIp></item>"
                + "</ipRanges></item><item><ipProtocol>tcp</ipProtocol><fromPort>22</fromPort><toPort>22</toPort>"
                + "<ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges></item></ipPermissions></item>"
                + "<item><groupId>sg-d</groupId><groupName>cloudctl-test-acme-db</groupName>" + Self.xmlTags("acme")
                + Self.ipPermissions(5432, cidr: "10.0.0.0/8") + "</item></securityGroupInfo></R>")
        edited["DescribeLogGroups"] = Self.body(
            #"{"logGroups":[{"logGroupName":"/cloudctl/test/acme","retentionInDays":7}]}"#)
        edited["GetRolePolicy cloudctl-test-acme-task"] = Self.body(
            "<R><PolicyDocument>"
                + Self.encoded(
                    #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)
                + "</PolicyDocument></R>")
        edited["GetRolePolicy cloudctl-test-acme-execution"] = Self.body(
            "<R><Error><Code>NoSuchEntity</Code><Message>no policy</Message></Error></R>", status: 404)
        let (observation, _) = try await observe(edited)
        let findings = DriftClassifier.findings(
            DriftInput(
                specs: [Fixtures.spec("acme", domain: "acme.cloud.example.com")], recorded: [record],
                observation: observation))
        XCTAssertEqual(
            findings.map { "\($0.resource?.rawValue ?? "-") \($0.attribute ?? "") \($0.observed ?? "")" },
            [
                "security-rules ingress 0.0.0.0/0,10.0.0.0/8,tcp 22 from 0.0.0.0/0",
                "security-rules databaseIngress tcp 5432 from 10.0.0.0/8",
                "bucket encryption none",
                "log-group retentionDays 7",
                "execution-role policy none",
                #"task-role policy {"Statement":[{"Action":"s3:*","Effect":"Allow","Resource":"*"}],"#
                    + #""Version":"2012-10-17"}"#,
                "network  us-east-1",
            ])
    }

    func testAThrottledCallIsRetriedAndReported() async throws {
        let throttledOnce = Mutex(false)
        let cloud = Cloud(Self.cloud)
        let throttle = Self.body(
            "<Response><Errors><Error><Code>RequestLimitExceeded</Code></Error></Errors></Response>", status: 400)
        let transport: HTTPTransport = { request in
            guard Cloud.operation(request) == "DescribeVpcs" else { return try await cloud.transport(request) }
            let first = throttledOnce.withLock { already in
                defer { already = true }
                return !already
            }
            return first ? throttle : try await cloud.transport(request)
        }
        let config = AWSConfig(
            region: "us-east-1", endpoint: URL(string: "http://127.0.0.1:1"),
            credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "SECRET"))
        let retries = Mutex<[String]>([])
        let observation = try await AWSCloudProvider(config: config, transport: transport).observe(
            ObservationRequest(fleet: "test", regions: ["us-east-1"], dnsZones: [], instances: ["acme": "us-east-1"])
        ) { error, _, _ in retries.withLock { $0.append(error.operation) } }
        XCTAssertEqual(retries.withLock { $0 }, ["ec2:DescribeVpcs"])
        XCTAssertEqual(observation.resources(of: "acme").first?.cloudId, "vpc-1")
    }
}
