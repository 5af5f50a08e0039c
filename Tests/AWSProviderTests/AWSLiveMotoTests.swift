import XCTest
import FleetModel
import ProviderAPI
@testable import AWSProvider

/// End to end against moto over URLSession. Runs only when `CLOUDCTL_TEST_ENDPOINT` is set (e.g.
/// http://127.0.0.1:5101).
final class AWSLiveMotoTests: XCTestCase {
    var client: AWSClient!

    override func setUpWithError() throws {
        guard let raw = ProcessInfo.processInfo.environment["CLOUDCTL_TEST_ENDPOINT"], let endpoint = URL(string: raw)
        else {
            throw XCTSkip("set CLOUDCTL_TEST_ENDPOINT to a moto server URL to run the live AWS tests")
        }
        let config = AWSConfig(
            region: "us-east-1", endpoint: endpoint,
            credentials: AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing"))
        client = AWSClient(config: config, transport: URLSessionTransport.make())
    }

    func testEC2CreateAndDescribeVpc() async throws {
        let created = try await client.query(
            .ec2, action: "CreateVpc",
            params: [
                "CidrBlock": "10.9.0.0/16", "TagSpecification.1.ResourceType": "vpc",
                "TagSpecification.1.Tag.1.Key": "cloudctl:instance",
                "TagSpecification.1.Tag.1.Value": "live-\(UUID().uuidString)",
            ])
        let vpcId = try XCTUnwrap(created["vpc", "vpcId"]?.text)
        let described = try await client.query(.ec2, action: "DescribeVpcs", params: ["VpcId.1": vpcId])
        XCTAssertEqual(described.descendants("vpcId").map(\.text), [vpcId])
        XCTAssertEqual(described["vpcSet", "item", "cidrBlock"]?.text, "10.9.0.0/16")
        XCTAssertEqual(client.callCount, 2)
    }

    func testEC2UnknownVpcIsNotFound() async throws {
        do {
            _ = try await client.query(.ec2, action: "DescribeVpcs", params: ["VpcId.1": "vpc-00000000000000000"])
            XCTFail("should throw")
        } catch let error as CloudError {
            XCTAssertEqual(error.kind, .notFound, "\(error)")
            XCTAssertEqual(error.code, "InvalidVpcID.NotFound")
            XCTAssertEqual(error.operation, "ec2:DescribeVpcs")
        }
    }

    /// moto's error answer for each protocol shape maps to `.notFound` with the service's own code.
    func testNotFoundAcrossProtocols() async throws {
        let cases: [(call: @Sendable (AWSClient) async throws -> Void, code: String)] = [
            (
                {
                    _ = try await $0.query(
                        .rds, action: "DescribeDBInstances", params: ["DBInstanceIdentifier": "cloudctl-missing"])
                },
                "DBInstanceNotFound"
            ),
            (
                {
                    _ = try await $0.json(
                        .secretsManager, action: "DescribeSecret",
                        body: .object(["SecretId": .string("cloudctl/missing")]))
                },
                "ResourceNotFoundException"
            ),
            (
                { _ = try await $0.rest(.route53, method: "GET", path: "/2013-04-01/hostedzone/ZMISSING") },
                "NoSuchHostedZone"
            ),
            (
                {
                    _ = try await $0.json(
                        .ecs, action: "DeleteCluster", body: .object(["cluster": .string("cloudctl-missing")]))
                },
                "ClusterNotFoundException"
            ),
        ]
        for c in cases {
            do {
                try await c.call(client)
                XCTFail("\(c.code): should throw")
            } catch let error as CloudError {
                XCTAssertEqual(error.code, c.code, "\(error)")
                XCTAssertEqual(error.kind, .notFound, "\(error)")
            }
        }
    }

    func testKMSCreateKeyAndMissingAlias() async throws {
        let created = try await client.json(
            .kms, action: "CreateKey", body: .object(["Description": .string("live test")]))
        XCTAssertNotNil(created["KeyMetadata"]?["Arn"]?.string)
        do {
            _ = try await client.json(
                .kms, action: "DescribeKey", body: .object(["KeyId": .string("alias/cloudctl-missing")]))
            XCTFail("should throw")
        } catch let error as CloudError {
            XCTAssertEqual(error.kind, .notFound, "\(error)")
            XCTAssertEqual(error.operation, "kms:DescribeKey")
        }
    }

    func testS3CreateListAndMissingBucket() async throws {
        let bucket = "cloudctl-live-\(UUID().uuidString.lowercased().prefix(8))"
        _ = try await client.rest(.s3, method: "PUT", path: "/\(bucket)")
        let listed = try XMLNode(parsing: try await client.rest(.s3, method: "GET", path: "/").body)
        XCTAssertTrue(listed.descendants("Name").map(\.text).contains(bucket))
        _ = try await client.rest(
            .s3, method: "PUT", path: "/\(bucket)", query: ["tagging": ""],
            body: Data(
                """
                <Tagging><TagSet><Tag><Key>cloudctl:instance</Key><Value>a</Value></Tag></TagSet></Tagging>
                """.utf8))
        let tags = try XMLNode(
            parsing: try await client.rest(.s3, method: "GET", path: "/\(bucket)", query: ["tagging": ""]).body)
        XCTAssertEqual(tags.descendants("Value").map(\.text), ["a"])
        do {
            _ = try await client.rest(.s3, method: "HEAD", path: "/\(bucket)-missing")
            XCTFail("should throw")
        } catch let error as CloudError {
            XCTAssertEqual(error.kind, .notFound, "\(error)")
        }
        do {
            _ = try await client.rest(.s3, method: "GET", path: "/\(bucket)-missing", query: ["tagging": ""])
            XCTFail("should throw")
        } catch let error as CloudError {
            XCTAssertEqual(error.code, "NoSuchBucket")
            XCTAssertEqual(error.kind, .notFound)
        }
    }

    func testRoute53CreateAndListHostedZone() async throws {
        let zone = "live-\(UUID().uuidString.lowercased().prefix(8)).example.com"
        let body = """
            <CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Name>\(zone)</Name>\
            <CallerReference>\(UUID().uuidString)</CallerReference></CreateHostedZoneRequest>
            """
        _ = try await client.rest(.route53, method: "POST", path: "/2013-04-01/hostedzone", body: Data(body.utf8))
        let listed = try XMLNode(
            parsing: try await client.rest(
                .route53, method: "GET", path: "/2013-04-01/hostedzonesbyname",
                query: ["dnsname": zone]
            ).body)
        XCTAssertTrue(listed.descendants("Name").map(\.text).contains(zone + "."))
    }
}
