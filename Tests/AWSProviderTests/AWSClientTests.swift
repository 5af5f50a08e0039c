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
        var transport: HTTPTransport {
            { request in
                self.requests.withLock { $0.append(request) }
                return try self.answer(request)
            }
        }
        var last: HTTPRequest { requests.withLock { $0.last! } }
    }

    static let credentials = AWSCredentials(
        accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    func client(
        endpoint: String? = "http://127.0.0.1:5101", region: String = "eu-west-1",
        requestTimeout: Duration = AWSConfig.defaultRequestTimeout, _ fake: FakeTransport
    ) -> AWSClient {
        AWSClient(
            config: AWSConfig(
                region: region, endpoint: endpoint.flatMap(URL.init(string:)), credentials: Self.credentials,
                requestTimeout: requestTimeout),
            transport: fake.transport, clock: { Date(timeIntervalSince1970: 1_440_938_160) }, sleep: { _ in })
    }

    func testReadOnlyCallsRetryThrottlingAnd5xxAndReportEachRetry() async throws {
        let answers = Mutex([
            HTTPResponse(status: 400, body: Data(#"{"__type":"ThrottlingException","message":"slow down"}"#.utf8)),
            HTTPResponse(
                status: 503, body: Data("<Error><Code>ServiceUnavailable</Code><Message>m</Message></Error>".utf8)),
            HTTPResponse(status: 200, body: Data(#"{"ok":true}"#.utf8)),
        ])
        let client = client(FakeTransport { _ in answers.withLock { $0.removeFirst() } })
        let reported = Mutex<[(String, Int)]>([])
        let body = try await client.json(
            .kms, action: "DescribeKey", body: .object([:]),
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
        let failures: [(name: String, answer: @Sendable (HTTPRequest) throws -> HTTPResponse, kind: CloudError.Kind)] =
            [
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
        let fake = FakeTransport { _ in
            HTTPResponse(
                status: 200,
                body: Data(
                    """
                    <CreateVpcResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">\
                    <vpc><vpcId>vpc-1</vpcId></vpc></CreateVpcResponse>
                    """.utf8))
        }
        let client = client(fake)
        let root = try await client.query(
            .ec2, action: "CreateVpc",
            params: ["CidrBlock": "10.0.0.0/16", "TagSpecification.1.Tag.1.Key": "cloudctl:instance"])
        XCTAssertEqual(root["vpc", "vpcId"]?.text, "vpc-1")
        let request = fake.last
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.url.absoluteString, "http://127.0.0.1:5101/")
        XCTAssertEqual(
            String(decoding: request.body, as: UTF8.self),
            "Action=CreateVpc&CidrBlock=10.0.0.0%2F16&TagSpecification.1.Tag.1.Key=cloudctl%3Ainstance"
                + "&Version=2016-11-15"
        )
        XCTAssertEqual(request.headers["Content-Type"], "application/x-www-form-urlencoded; charset=utf-8")
        XCTAssertEqual(request.headers["X-Amz-Date"], "20150830T123600Z")
        XCTAssertTrue(
            request.headers["Authorization"]!.hasPrefix(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/ec2/aws4_request, "
                    + "SignedHeaders=content-type;host;x-amz-date, Signature="
            ))
        XCTAssertEqual(client.callCount, 1)
    }

    func testJSONRequestShape() async throws {
        let fake = FakeTransport { _ in HTTPResponse(status: 200, body: Data(#"{"KeyMetadata":{"KeyId":"k-1"}}"#.utf8))
        }
        let client = client(fake)
        let answer = try await client.json(.kms, action: "CreateKey", body: .object(["Description": .string("d")]))
        XCTAssertEqual(answer["KeyMetadata"]?["KeyId"]?.string, "k-1")
        let request = fake.last
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.url.path, "/")
        XCTAssertEqual(request.headers["X-Amz-Target"], "TrentService.CreateKey")
        XCTAssertEqual(request.headers["Content-Type"], "application/x-amz-json-1.1")
        XCTAssertEqual(String(decoding: request.body, as: UTF8.self), #"{"Description":"d"}"#)
        XCTAssertTrue(
            request.headers["Authorization"]!.contains(
                "/eu-west-1/kms/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target,"))
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
        _ = try await client(fake).rest(
            .s3, method: "PUT", path: "/cloudctl-f-a/key with space", query: ["tagging": ""], body: body)
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
        XCTAssertEqual(
            client.endpoint(for: .secretsManager).absoluteString, "https://secretsmanager.eu-central-1.amazonaws.com")
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
        let cases:
            [(
                call: @Sendable (AWSClient) async throws -> Void, response: HTTPResponse, operation: String,
                kind: CloudError.Kind
            )] = [
                (
                    { _ = try await $0.query(.rds, action: "DescribeDBInstances", params: [:]) },
                    HTTPResponse(
                        status: 404,
                        body: Data(
                            ("<ErrorResponse><Error><Code>DBInstanceNotFound</Code><Message>m</Message></Error>"
                                + "</ErrorResponse>").utf8)),
                    "rds:DescribeDBInstances", .notFound
                ),
                (
                    { _ = try await $0.json(.secretsManager, action: "CreateSecret", body: .object([:])) },
                    HTTPResponse(status: 400, body: Data(#"{"__type":"ResourceExistsException","message":"m"}"#.utf8)),
                    "secretsmanager:CreateSecret", .conflict
                ),
                (
                    { _ = try await $0.rest(.s3, method: "HEAD", path: "/b") }, HTTPResponse(status: 404), "s3:HEAD /b",
                    .notFound
                ),
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

    /// Never answers and ignores cancellation until released: an endpoint that accepts and stays silent.
    final class SilentTransport: Sendable {
        private let waiting = Mutex<[CheckedContinuation<Void, Never>]>([])
        var transport: HTTPTransport {
            { _ in
                await withCheckedContinuation { continuation in self.waiting.withLock { $0.append(continuation) } }
                return HTTPResponse(status: 200, body: Data("{}".utf8))
            }
        }
        func release() {
            for c in waiting.withLock({ w in
                defer { w = [] }
                return w
            }) { c.resume() }
        }
    }

    func testSilentEndpointTimesOutInWordsAndReadOnlyCallsAreRetried() async throws {
        let silent = SilentTransport()
        defer { silent.release() }
        let client = client(requestTimeout: .milliseconds(50), FakeTransport { _ in throw CancellationError() })
        let hanging = AWSClient(
            config: client.config, transport: silent.transport, clock: client.clock, sleep: { _ in })
        let cases: [(call: @Sendable () async throws -> Void, operation: String, calls: Int)] = [
            ({ _ = try await hanging.query(.ec2, action: "DescribeVpcs", params: [:]) }, "ec2:DescribeVpcs", 4),
            ({ _ = try await hanging.json(.kms, action: "CreateKey", body: .object([:])) }, "kms:CreateKey", 1),
        ]
        var before = 0
        for c in cases {
            do {
                try await c.call()
                XCTFail("\(c.operation) should time out")
            } catch let error as CloudError {
                XCTAssertEqual(error.code, "TimedOut", c.operation)
                XCTAssertEqual(error.kind, .connection, c.operation)
                XCTAssertTrue(
                    error.message.hasPrefix("\(c.operation) timed out after 50 ms (http://127.0.0.1:5101)"),
                    error.message)
            }
            XCTAssertEqual(
                hanging.callCount - before, c.calls, "\(c.operation): read-only calls are retried, mutating ones not")
            before = hanging.callCount
        }
    }

    func testStepDeadlineCutsACallShortAndIsNotRetried() async throws {
        let silent = SilentTransport()
        defer { silent.release() }
        let client = AWSClient(
            config: AWSConfig(
                region: "eu-west-1", endpoint: URL(string: "http://127.0.0.1:5101"),
                credentials: Self.credentials, requestTimeout: .seconds(30)),
            transport: silent.transport, clock: { Date() }, sleep: { _ in })
        let deadline = StepDeadline(limit: .milliseconds(80))
        do {
            _ = try await client.query(.ec2, action: "DescribeVpcs", params: [:], deadline: deadline)
            XCTFail("should hit the step deadline")
        } catch let error as CloudError {
            XCTAssertEqual(error.code, "StepDeadlineExceeded")
            XCTAssertFalse(error.isRetryable)
            XCTAssertTrue(error.message.contains("80 ms deadline before ec2:DescribeVpcs"), error.message)
        }
        XCTAssertEqual(client.callCount, 1)
        do {
            _ = try await client.query(.ec2, action: "DescribeVpcs", params: [:], deadline: deadline)
            XCTFail("a passed deadline refuses further calls")
        } catch let error as CloudError {
            XCTAssertEqual(error.code, "StepDeadlineExceeded")
        }
        XCTAssertEqual(client.callCount, 1, "no call is sent after the deadline")
    }

    func testTimeoutWordsAndVariables() throws {
        let words: [(Duration, String)] = [
            (.seconds(30), "30 s"), (.milliseconds(500), "500 ms"), (.seconds(2700), "45 min"),
            (.seconds(7200), "2 h"), (.milliseconds(1500), "1500 ms"),
        ]
        for (duration, text) in words { XCTAssertEqual(CallTimeout.words(duration), text) }
        let good: [(String, Duration)] = [
            ("30", .seconds(30)), ("30s", .seconds(30)), ("250ms", .milliseconds(250)),
            ("45m", .seconds(2700)), ("1h", .seconds(3600)), (" 5s ", .seconds(5)),
        ]
        for (raw, expected) in good {
            XCTAssertEqual(
                try AWSConfig.timeout("CLOUDCTL_STEP_TIMEOUT", ["CLOUDCTL_STEP_TIMEOUT": raw], default: .zero),
                expected, raw)
        }
        XCTAssertEqual(try AWSConfig.timeout("CLOUDCTL_STEP_TIMEOUT", [:], default: .seconds(9)), .seconds(9))
        for raw in ["0", "-5s", "1.5s", "10x", "s", "fast", "99999999"] {
            XCTAssertThrowsError(
                try AWSConfig.timeout("CLOUDCTL_REQUEST_TIMEOUT", ["CLOUDCTL_REQUEST_TIMEOUT": raw], default: .zero),
                raw
            ) {
                XCTAssertEqual(
                    $0 as? AWSConfigError,
                    .badTimeout(variable: "CLOUDCTL_REQUEST_TIMEOUT", value: raw.trimmingCharacters(in: .whitespaces)))
                XCTAssertTrue(String(describing: $0).contains("e.g. 30s"), raw)
            }
        }
        let resolved = try AWSConfig.resolve(
            environment: [
                "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S", "AWS_REGION": "us-east-1",
                "CLOUDCTL_REQUEST_TIMEOUT": "2s", "CLOUDCTL_STEP_TIMEOUT": "10m",
            ],
            homeDirectory: nil)
        XCTAssertEqual(resolved.requestTimeout, .seconds(2))
        XCTAssertEqual(resolved.stepTimeout, .seconds(600))
        let defaults = try AWSConfig.resolve(
            environment: ["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S", "AWS_REGION": "us-east-1"],
            homeDirectory: nil)
        XCTAssertEqual(defaults.requestTimeout, .seconds(30))
        XCTAssertEqual(defaults.stepTimeout, .seconds(45 * 60))
    }
}
