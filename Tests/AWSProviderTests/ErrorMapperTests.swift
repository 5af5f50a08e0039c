import XCTest
import FleetModel
import ProviderAPI
@testable import AWSProvider

final class ErrorMapperTests: XCTestCase {
    /// One body sample per protocol error shape, plus bare status codes.
    func testProtocolErrorShapes() {
        let cases: [(name: String, response: HTTPResponse, kind: CloudError.Kind, code: String, message: String)] = [
            (
                "EC2 query",
                HTTPResponse(
                    status: 400,
                    body: Data(
                        """
                        <?xml version="1.0" encoding="UTF-8"?>
                        <Response><Errors><Error><Code>InvalidVpcID.NotFound</Code>\
                        <Message>The vpc ID 'vpc-1' does not exist</Message></Error></Errors>\
                        <RequestID>r1</RequestID></Response>
                        """.utf8)), .notFound, "InvalidVpcID.NotFound", "The vpc ID 'vpc-1' does not exist"
            ),
            (
                "RDS query",
                HTTPResponse(
                    status: 400,
                    body: Data(
                        """
                        <ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>Sender</Type>
                          <Code>DBInstanceAlreadyExists</Code><Message>DB instance already exists</Message></Error>
                          <RequestId>r2</RequestId></ErrorResponse>
                        """.utf8)), .conflict, "DBInstanceAlreadyExists", "DB instance already exists"
            ),
            (
                "JSON __type with prefix",
                HTTPResponse(
                    status: 400,
                    body: Data(
                        #"{"__type":"com.amazonaws.kms#NotFoundException","message":"Alias is not found."}"#.utf8)),
                .notFound, "NotFoundException", "Alias is not found."
            ),
            (
                "JSON Message",
                HTTPResponse(
                    status: 400,
                    body: Data(
                        #"{"__type":"ThrottlingException","Message":"Rate exceeded"}"#.utf8)), .throttling,
                "ThrottlingException", "Rate exceeded"
            ),
            (
                "x-amzn-ErrorType header",
                HTTPResponse(
                    status: 400, headers: ["X-Amzn-ErrorType": "ResourceExistsException:http://internal/"],
                    body: Data(#"{"message":"exists"}"#.utf8)), .conflict, "ResourceExistsException", "exists"
            ),
            (
                "S3 REST-XML",
                HTTPResponse(
                    status: 404,
                    body: Data(
                        """
                        <?xml version="1.0" encoding="UTF-8"?>
                        <Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>\
                        <BucketName>b</BucketName></Error>
                        """.utf8)), .notFound, "NoSuchBucket", "The specified bucket does not exist"
            ),
            (
                "Route 53 REST-XML",
                HTTPResponse(
                    status: 400,
                    body: Data(
                        """
                        <ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type>
                        <Code>PriorRequestNotComplete</Code><Message>wait</Message></Error></ErrorResponse>
                        """.utf8)), .throttling, "PriorRequestNotComplete", "wait"
            ),
            ("404 without body", HTTPResponse(status: 404), .notFound, "HTTP404", "HTTP 404 without an error message"),
            ("403 without body", HTTPResponse(status: 403), .auth, "HTTP403", "HTTP 403 without an error message"),
            (
                "429 without body", HTTPResponse(status: 429), .throttling, "HTTP429",
                "HTTP 429 without an error message"
            ),
            (
                "503 SlowDown",
                HTTPResponse(
                    status: 503, body: Data("<Error><Code>SlowDown</Code><Message>slow</Message></Error>".utf8)),
                .throttling, "SlowDown", "slow"
            ),
            (
                "500 HTML", HTTPResponse(status: 500, body: Data("<html><body>oops".utf8)), .server, "HTTP500",
                "HTTP 500 without an error message"
            ),
        ]
        for c in cases {
            let error = AWSErrorMapper.error(operation: "svc:Op", response: c.response)
            XCTAssertEqual(error.kind, c.kind, c.name)
            XCTAssertEqual(error.code, c.code, c.name)
            XCTAssertEqual(error.message, c.message, c.name)
            XCTAssertEqual(error.operation, "svc:Op", c.name)
            XCTAssertEqual(error.httpStatus, c.response.status, c.name)
        }
    }

    func testCodeClassification() {
        let table: [(code: String, status: Int, kind: CloudError.Kind)] = [
            ("Throttling", 400, .throttling), ("ThrottlingException", 400, .throttling),
            ("RequestLimitExceeded", 503, .throttling),
            ("TooManyRequestsException", 400, .throttling), ("RequestThrottledException", 400, .throttling),
            ("Anything", 429, .throttling),
            ("DBInstanceNotFound", 404, .notFound), ("ClusterNotFoundException", 400, .notFound),
            ("ServiceNotFoundException", 400, .notFound), ("ResourceNotFoundException", 400, .notFound),
            ("NoSuchHostedZone", 404, .notFound), ("InvalidGroup.NotFound", 400, .notFound),
            ("BucketAlreadyOwnedByYou", 409, .conflict), ("BucketAlreadyExists", 409, .conflict),
            ("ResourceExistsException", 400, .conflict), ("InvalidDBInstanceState", 400, .conflict),
            ("ResourceInUseException", 400, .conflict), ("DependencyViolation", 400, .conflict),
            ("ConflictException", 409, .conflict), ("HostedZoneNotEmpty", 400, .conflict),
            ("InvalidStateException", 400, .conflict),
            ("AccessDenied", 403, .auth), ("UnrecognizedClientException", 400, .auth),
            ("InvalidClientTokenId", 403, .auth),
            ("SignatureDoesNotMatch", 403, .auth), ("ExpiredToken", 400, .auth), ("Whatever", 401, .auth),
            ("ValidationException", 400, .validation), ("InvalidParameterValue", 400, .validation),
            ("InvalidParameterCombination", 400, .validation), ("MalformedPolicyDocument", 400, .validation),
            ("InternalError", 500, .server), ("ServiceUnavailable", 503, .server),
            ("KMSInternalException", 400, .server),
            ("Whatever", 502, .server),
        ]
        for row in table {
            XCTAssertEqual(
                AWSErrorMapper.kind(code: row.code, status: row.status), row.kind, "\(row.code) \(row.status)")
        }
    }

    func testXMLTreeStripsPrefixesAndTrimsText() throws {
        let node = try XMLNode(
            parsing: Data(
                """
                <ns:Root xmlns:ns="urn:x"><ns:a>  one </ns:a><b><c>two</c><c>three</c></b></ns:Root>
                """.utf8))
        XCTAssertEqual(node.name, "Root")
        XCTAssertEqual(node["a"]?.text, "one")
        XCTAssertEqual(node.descendants("c").map(\.text), ["two", "three"])
        XCTAssertEqual(try XMLNode(parsing: Data("<a><![CDATA[x < y]]></a>".utf8)).text, "x < y")
        XCTAssertThrowsError(try XMLNode(parsing: Data("<open>".utf8)))
    }
}
