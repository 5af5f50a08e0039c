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
                let specific = keyId.flatMap { self.answers["\(operation) \($0)"] }
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
                ].map { #"{"ResourceARN":"\#($0.0)","Tags":\#(tagList($0.1))}"# }.joined(separator: ",")
                + "]}"),
        "DescribeVpcs": body(
            "<R><vpcSet><item><vpcId>vpc-1</vpcId>\(xmlTags("acme"))</item>"
                + "<item><vpcId>vpc-9</vpcId>\(xmlTags("ghost"))</item></vpcSet></R>"),
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
        // vpc-gone, the bucket S3 no longer knows and the key pending deletion.
        XCTAssertEqual(observation.ghosts, 3)
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
        XCTAssertEqual(observation.calls, asked.count)
        // Batch calls once per region; per-resource calls only where AWS offers nothing better.
        let perResource = ["DescribeKey", "DescribeServices", "DescribeTaskDefinition"]
        for batch in ["GetResources", "DescribeVpcs", "ListSecrets", "DescribeDBInstances", "DescribeClusters"] {
            XCTAssertEqual(asked.filter { $0 == batch }.count, 1, batch)
        }
        XCTAssertEqual(asked.filter { perResource.contains($0) }.count, 4)  // two keys, one service, one definition
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
