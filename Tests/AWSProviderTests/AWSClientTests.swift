import XCTest
import Synchronization
import FleetModel
import Digests
import ProviderAPI
@testable import AWSProvider

/// Request shape per protocol, checked through an injected transport.
final class AWSClientTests: XCTestCase {
    /// Records requests and answers each with a canned response.
    final class FakeTransport: Sendable {
        let requests = Mutex<[HTTPRequest]>([])
        let answer: @Sendable (HTTPRequest) throws -> HTTPResponse
        init(answer: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse) { self.answer = answer }
        var transport: HTTPTransport { { request in self.requests.withLock { $0.append(request) }; return try self.answer(request) } }
        var last: HTTPRequest { requests.withLock { $0.last! } }
    }

    static let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    func client(endpoint: String? = "http://127.0.0.1:5101", region: String = "eu-west-1", _ fake: FakeTransport) -> AWSClient {
        AWSClient(config: AWSConfig(region: region, endpoint: endpoint.flatMap(URL.init(string:)), credentials: Self.credentials),
                  transport: fake.transport, clock: { Date(timeIntervalSince1970: 1_440_938_160) }, sleep: { _ in })
    }

    func testReadOnlyCallsRetryThrottlingAnd5xxAndReportEachRetry() async throws {
        let answers = Mutex([
            HTTPResponse(status: 400, body: Data(#"{"__type":"ThrottlingException","message":"slow down"}"#.utf8)),
            HTTPResponse(status: 503, body: Data("<Error><Code>ServiceUnavailable</Code><Message>m</Message></Error>".utf8)),
            HTTPResponse(status: 200, body: Data(#"{"ok":true}"#.utf8)),
        ])
        let client = client(FakeTransport { _ in answers.withLock { $0.removeFirst() } })
        let reported = Mutex<[(String, Int)]>([])
        let body = try await client.json(.kms, action: "DescribeKey", body: .object([:]),
                                         onRetry: { error, retry, _ in reported.withLock { $0.append((error.code, retry)) } })
        XCTAssertEqual(body["ok"], .bool(true))
        XCTAssertEqual(client.callCount, 3)
        XCTAssertEqual(reported.withLock { $0.map(\.0) }, ["ThrottlingException", "ServiceUnavailable"])
        XCTAssertEqual(reported.withLock { $0.map(\.1) }, [1, 2])
    }

    func testMutatingCallsRetryThrottlingOnly() async throws {
        let throttledThenOK = Mutex([
            HTTPResponse(status: 400, body: Data(#"{"__type":"ThrottlingException","message":"slow down"}"#.utf8)),
            HTTPResponse(status: 200, body: Data(#"{"ok":true}"#.utf8)),
        ])
        let throttled = client(FakeTransport { _ in throttledThenOK.withLock { $0.removeFirst() } })
        _ = try await throttled.json(.kms, action: "CreateKey", body: .object([:]))
        XCTAssertEqual(throttled.callCount, 2, "a throttled request was refused, so sending it again is safe")

        struct Boom: Error {}
        // A mutating call that failed with 5xx or on the connection may have taken effect: not sent again.
        let failures: [(name: String, answer: @Sendable (HTTPRequest) throws -> HTTPResponse, kind: CloudError.Kind)] = [
            ("5xx", { _ in HTTPResponse(status: 500) }, .server),
            ("connection", { _ in throw Boom() }, .connection),
        ]
        let calls: [(name: String, call: @Sendable (AWSClient) async throws -> Void)] = [
            ("json CreateKey", { _ = try await $0.json(.kms, action: "CreateKey", body: .object([:])) }),
            ("query CreateVpc", { _ = try await $0.query(.ec2, action: "CreateVpc", params: [:]) }),
            ("rest PUT", { _ = try await $0.rest(.s3, method: "PUT", path: "/b") }),
            ("rest DELETE", { _ = try await $0.rest(.s3, method: "DELETE", path: "/b") }),
        ]
        for failure in failures {
            for c in calls {
                let client = client(FakeTransport(answer: failure.answer))
                do {
                    try await c.call(client)
                    XCTFail("\(c.name) / \(failure.name) should throw")
                } catch let error as CloudError {
                    XCTAssertEqual(error.kind, failure.kind, "\(c.name) / \(failure.name)")
                }
                XCTAssertEqual(client.callCount, 1, "\(c.name) / \(failure.name) must not be sent twice")
            }
        }
    }

    func testRetriesAreBoundedForEveryReadOnlyShape() async {
        let calls: [(name: String, call: @Sendable (AWSClient) async throws -> Void)] = [
            ("query Describe", { _ = try await $0.query(.ec2, action: "DescribeVpcs", params: [:]) }),
            ("json List", { _ = try await $0.json(.ecs, action: "ListTasks", body: .object([:])) }),
            ("json Get", { _ = try await $0.json(.secretsManager, action: "GetSecretValue", body: .object([:])) }),
            ("rest GET", { _ = try await $0.rest(.s3, method: "GET", path: "/b") }),
            ("rest HEAD", { _ = try await $0.rest(.s3, method: "HEAD", path: "/b") }),
        ]
        for c in calls {
            let client = client(FakeTransport { _ in HTTPResponse(status: 500) })
            do {
                try await c.call(client)
                XCTFail("\(c.name) should throw")
            } catch let error as CloudError {
                XCTAssertEqual(error.kind, .server)
            } catch { XCTFail("unexpected \(error)") }
            XCTAssertEqual(client.callCount, 1 + AWSClient.defaultRetryPolicy.maxRetries, c.name)
        }
    }

    func testQueryRequestShapeAndParsedResponse() async throws {
        let fake = FakeTransport { _ in HTTPResponse(status: 200, body: Data("""
            <CreateVpcResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><vpc><vpcId>vpc-1</vpcId></vpc></CreateVpcResponse>
            """.utf8)) }
        let client = client(fake)
        let root = try await client.query(.ec2, action: "CreateVpc", params: ["CidrBlock": "10.0.0.0/16", "TagSpecification.1.Tag.1.Key": "cloudctl:instance"])
        XCTAssertEqual(root["vpc", "vpcId"]?.text, "vpc-1")
        let request = fake.last
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.url.absoluteString, "http://127.0.0.1:5101/")
        XCTAssertEqual(String(decoding: request.body, as: UTF8.self),
                       "Action=CreateVpc&CidrBlock=10.0.0.0%2F16&TagSpecification.1.Tag.1.Key=cloudctl%3Ainstance&Version=2016-11-15")
        XCTAssertEqual(request.headers["Content-Type"], "application/x-www-form-urlencoded; charset=utf-8")
        XCTAssertEqual(request.headers["X-Amz-Date"], "20150830T123600Z")
        XCTAssertTrue(request.headers["Authorization"]!.hasPrefix(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="))
        XCTAssertEqual(client.callCount, 1)
    }

    func testJSONRequestShape() async throws {
        let fake = FakeTransport { _ in HTTPResponse(status: 200, body: Data(#"{"KeyMetadata":{"KeyId":"k-1"}}"#.utf8)) }
        let client = client(fake)
        let answer = try await client.json(.kms, action: "CreateKey", body: .object(["Description": .string("d")]))
        XCTAssertEqual(answer["KeyMetadata"]?["KeyId"]?.string, "k-1")
        let request = fake.last
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.url.path, "/")
        XCTAssertEqual(request.headers["X-Amz-Target"], "TrentService.CreateKey")
        XCTAssertEqual(request.headers["Content-Type"], "application/x-amz-json-1.1")
        XCTAssertEqual(String(decoding: request.body, as: UTF8.self), #"{"Description":"d"}"#)
        XCTAssertTrue(request.headers["Authorization"]!.contains("/eu-west-1/kms/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target,"))
    }

    func testEmptyJSONAnswerIsAnEmptyObject() async throws {
        let fake = FakeTransport { _ in HTTPResponse(status: 200) }
        let answer = try await client(fake).json(.ecs, action: "DeleteCluster", body: .object([:]))
        XCTAssertEqual(answer, .object([:]))
        XCTAssertEqual(fake.last.headers["X-Amz-Target"], "AmazonEC2ContainerServiceV20141113.DeleteCluster")
    }

    func testRestS3PathStyleEncodingAndPayloadHeaders() async throws {
        let fake = FakeTransport { _ in HTTPResponse(status: 200) }
        let body = Data("<Tagging/>".utf8)
        _ = try await client(fake).rest(.s3, method: "PUT", path: "/cloudctl-f-a/key with space", query: ["tagging": ""], body: body)
        let request = fake.last
        XCTAssertEqual(request.url.absoluteString, "http://127.0.0.1:5101/cloudctl-f-a/key%20with%20space?tagging=")
        XCTAssertEqual(request.headers["x-amz-content-sha256"], Digest.sha256Hex(body))
        XCTAssertEqual(request.headers["Content-MD5"], Digest.md5Base64(body))
        XCTAssertEqual(request.headers["Content-Type"], "application/xml")
        XCTAssertTrue(request.headers["Authorization"]!.contains("/eu-west-1/s3/aws4_request"))
    }

    func testRealEndpointsPerService() {
        let fake = FakeTransport { _ in HTTPResponse(status: 200) }
        let client = client(endpoint: nil, region: "eu-central-1", fake)
        XCTAssertEqual(client.endpoint(for: .ec2).absoluteString, "https://ec2.eu-central-1.amazonaws.com")
        XCTAssertEqual(client.endpoint(for: .secretsManager).absoluteString, "https://secretsmanager.eu-central-1.amazonaws.com")
        XCTAssertEqual(client.endpoint(for: .s3).absoluteString, "https://s3.eu-central-1.amazonaws.com")
        XCTAssertEqual(client.endpoint(for: .route53).absoluteString, "https://route53.amazonaws.com")
    }

    func testRoute53SignsForUSEast1() async throws {
        let fake = FakeTransport { _ in HTTPResponse(status: 200, body: Data("<ListHostedZonesResponse/>".utf8)) }
        _ = try await client(region: "eu-west-1", fake).rest(.route53, method: "GET", path: "/2013-04-01/hostedzone")
        XCTAssertTrue(fake.last.headers["Authorization"]!.contains("/us-east-1/route53/aws4_request"))
        XCTAssertNil(fake.last.headers["Content-MD5"])
    }

    func testErrorsCarryOperationAndKind() async {
        let cases: [(call: @Sendable (AWSClient) async throws -> Void, response: HTTPResponse, operation: String, kind: CloudError.Kind)] = [
            ({ _ = try await $0.query(.rds, action: "DescribeDBInstances", params: [:]) },
             HTTPResponse(status: 404, body: Data("<ErrorResponse><Error><Code>DBInstanceNotFound</Code><Message>m</Message></Error></ErrorResponse>".utf8)),
             "rds:DescribeDBInstances", .notFound),
            ({ _ = try await $0.json(.secretsManager, action: "CreateSecret", body: .object([:])) },
             HTTPResponse(status: 400, body: Data(#"{"__type":"ResourceExistsException","message":"m"}"#.utf8)),
             "secretsmanager:CreateSecret", .conflict),
            ({ _ = try await $0.rest(.s3, method: "HEAD", path: "/b") }, HTTPResponse(status: 404), "s3:HEAD /b", .notFound),
        ]
        for c in cases {
            let fake = FakeTransport { [response = c.response] _ in response }
            let client = client(fake)
            do {
                try await c.call(client)
                XCTFail("\(c.operation) should throw")
            } catch let error as CloudError {
                XCTAssertEqual(error.operation, c.operation)
                XCTAssertEqual(error.kind, c.kind, c.operation)
            } catch {
                XCTFail("\(c.operation): unexpected \(error)")
            }
            XCTAssertEqual(client.callCount, 1, "only throttling, 5xx and connection errors are retried")
        }
    }

    func testTransportFailureIsAConnectionError() async {
        struct Boom: Error {}
        let client = client(FakeTransport { _ in throw Boom() })
        do {
            _ = try await client.query(.ec2, action: "DescribeVpcs", params: [:])
            XCTFail("should throw")
        } catch let error as CloudError {
            XCTAssertEqual(error.kind, .connection)
            XCTAssertEqual(error.operation, "ec2:DescribeVpcs")
            XCTAssertTrue(error.isRetryable)
        } catch { XCTFail("unexpected \(error)") }
    }

    func testURLSessionTransportMapsRefusedConnection() async {
        // Port 9 on loopback: nothing listens there, so the connection is refused without leaving the machine.
        let transport = URLSessionTransport.make(timeout: 5)
        do {
            _ = try await transport(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:9/")!))
            XCTFail("should throw")
        } catch let error as CloudError {
            XCTAssertEqual(error.kind, .connection)
        } catch { XCTFail("unexpected \(error)") }
    }
}
