import XCTest
@testable import AWSProvider

/// AWS's published Signature Version 4 test suite (credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z, us-east-1,
/// "service").
final class SigV4SignerTests: XCTestCase {
    static let credentials = AWSCredentials(
        accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let signingDate = Date(timeIntervalSince1970: 1_440_938_160)
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let vanillaHeaders =
        "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + emptyHash
    static let stsToken =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8Y"
        + "UuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE"
        + "8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2"
        + "ICCR/oLxBA=="

    struct Vector {
        var name: String
        var method = "GET"
        var path = "/"
        var query: [(String, String)] = []
        var headers: [String: String] = [:]
        var payloadHash = SigV4SignerTests.emptyHash
        var canonicalRequest: String
        var canonicalRequestHash: String
        var signedHeaders = "host;x-amz-date"
        var signature: String
    }

    static let vectors: [Vector] = [
        Vector(
            name: "get-vanilla", canonicalRequest: "GET\n/\n\n" + vanillaHeaders,
            canonicalRequestHash: "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(
            name: "get-vanilla-query-order-key-case", query: [("Param2", "value2"), ("Param1", "value1")],
            canonicalRequest: "GET\n/\nParam1=value1&Param2=value2\n" + vanillaHeaders,
            canonicalRequestHash: "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
            signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        Vector(
            name: "get-vanilla-utf8-query", query: [("ሴ", "bar")],
            canonicalRequest: "GET\n/\n%E1%88%B4=bar\n" + vanillaHeaders,
            canonicalRequestHash: "eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073",
            signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        Vector(
            name: "get-header-value-trim", headers: ["My-Header1": " value1", "My-Header2": " \"a   b   c\""],
            canonicalRequest: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
                + "x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n" + emptyHash,
            canonicalRequestHash: "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
            signedHeaders: "host;my-header1;my-header2;x-amz-date",
            signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        Vector(
            name: "get-utf8", path: "/ሴ", canonicalRequest: "GET\n/%E1%88%B4\n\n" + vanillaHeaders,
            canonicalRequestHash: "2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102",
            signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        Vector(
            name: "get-space", path: "/example space/", canonicalRequest: "GET\n/example%20space/\n\n" + vanillaHeaders,
            canonicalRequestHash: "63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86",
            signature: "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
        Vector(
            name: "get-slashes", path: "//example//", canonicalRequest: "GET\n/example/\n\n" + vanillaHeaders,
            canonicalRequestHash: "cb96b4ac96d501f7c5c15bc6d67b3035061cfced4af6585ad927f7e6c985c015",
            signature: "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"),
        Vector(
            name: "post-vanilla", method: "POST", canonicalRequest: "POST\n/\n\n" + vanillaHeaders,
            canonicalRequestHash: "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
            signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        Vector(
            name: "post-x-www-form-urlencoded", method: "POST",
            headers: ["Content-Type": "application/x-www-form-urlencoded"],
            payloadHash: "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            canonicalRequest: "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
                + "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
                + "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            canonicalRequestHash: "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
            signedHeaders: "content-type;host;x-amz-date",
            signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
        Vector(
            name: "post-sts-header-before", method: "POST", headers: ["X-Amz-Security-Token": stsToken],
            canonicalRequest:
                "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\nx-amz-security-token:"
                + stsToken + "\n\nhost;x-amz-date;x-amz-security-token\n" + emptyHash,
            canonicalRequestHash: "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6",
            signedHeaders: "host;x-amz-date;x-amz-security-token",
            signature: "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
    ]

    func testPublishedVectors() {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "service")
        for v in Self.vectors {
            var headers = v.headers
            headers["Host"] = "example.amazonaws.com"
            headers["X-Amz-Date"] = "20150830T123600Z"
            let s = signer.signature(
                method: v.method, path: v.path, query: v.query, headers: headers,
                payloadHash: v.payloadHash, amzDate: "20150830T123600Z")
            XCTAssertEqual(s.canonicalRequest, v.canonicalRequest, v.name)
            XCTAssertEqual(
                s.stringToSign,
                "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                    + v.canonicalRequestHash, v.name)
            XCTAssertEqual(
                s.authorization,
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                    + "SignedHeaders=\(v.signedHeaders), Signature=\(v.signature)", v.name)
        }
    }

    /// The whole request path: date, host from the URL and the body hash are filled in by `sign`.
    func testSignRequestMatchesFormVector() {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "service")
        var request = HTTPRequest(
            method: "POST", url: URL(string: "https://example.amazonaws.com/")!,
            headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Data("Param1=value1".utf8))
        signer.sign(&request, at: Self.signingDate)
        XCTAssertEqual(request.headers["X-Amz-Date"], "20150830T123600Z")
        XCTAssertEqual(
            request.headers["Authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                + "aws4_request, SignedHeaders=content-type;host;x-amz-date, "
                + "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")
        XCTAssertNil(request.headers["X-Amz-Security-Token"])
        XCTAssertNil(request.headers["x-amz-content-sha256"], "only S3 announces the payload hash")
    }

    func testSessionTokenIsSentAndSigned() {
        var credentials = Self.credentials
        credentials.sessionToken = Self.stsToken
        var request = HTTPRequest(method: "POST", url: URL(string: "https://example.amazonaws.com/")!)
        SigV4Signer(credentials: credentials, region: "us-east-1", service: "service").sign(
            &request, at: Self.signingDate)
        XCTAssertEqual(request.headers["X-Amz-Security-Token"], Self.stsToken)
        let first = request.headers["Authorization"]
        SigV4Signer(credentials: credentials, region: "us-east-1", service: "service").sign(
            &request, at: Self.signingDate)
        XCTAssertEqual(request.headers["Authorization"], first, "re-signing ignores the previous Authorization header")
        XCTAssertTrue(
            request.headers["Authorization"]!.hasSuffix(
                "SignedHeaders=host;x-amz-date;x-amz-security-token, "
                    + "Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"
            ))
    }

    func testS3SignsPathAsSentAndAnnouncesPayloadHash() {
        let s3 = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "s3")
        var request = HTTPRequest(method: "PUT", url: URL(string: "http://127.0.0.1:5101/my-bucket/a%20b?tagging=")!)
        let signature = s3.sign(&request, at: Self.signingDate)
        XCTAssertEqual(request.headers["x-amz-content-sha256"], Self.emptyHash)
        let lines = signature.canonicalRequest.components(separatedBy: "\n")
        XCTAssertEqual(lines[1], "/my-bucket/a%20b", "S3 must not double-encode")
        XCTAssertEqual(lines[2], "tagging=")
        XCTAssertTrue(lines.contains("host:127.0.0.1:5101"), "a non-default port is part of the signed host")
        XCTAssertTrue(lines.contains("x-amz-content-sha256:" + Self.emptyHash))
    }

    func testCanonicalURIEncodingPerService() {
        let cases: [(service: String, path: String, expected: String)] = [
            ("route53", "/2013-04-01/hostedzone/Z1", "/2013-04-01/hostedzone/Z1"),
            ("service", "/a%20b/c", "/a%2520b/c"),  // other services encode the sent path once more
            ("s3", "/a%20b/c", "/a%20b/c"),
            ("s3", "", "/"),
            ("service", "/example/..", "/"),
        ]
        for c in cases {
            let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: c.service)
            XCTAssertEqual(signer.canonicalURI(c.path), c.expected, "\(c.service) \(c.path)")
        }
    }

    func testURIEncodingKeepsOnlyUnreservedCharacters() {
        XCTAssertEqual(URIEncoding.encode("-._~AZaz09"), "-._~AZaz09")
        XCTAssertEqual(URIEncoding.encode("a b+c=d&e/f*ü"), "a%20b%2Bc%3Dd%26e%2Ff%2A%C3%BC")
        XCTAssertEqual(URIEncoding.encode("/bucket/a b", keepingSlash: true), "/bucket/a%20b")
        XCTAssertEqual(
            URIEncoding.form([("b", "2"), ("a", "x y"), ("Filter.1.Name", "tag:cloudctl:instance")]),
            "Filter.1.Name=tag%3Acloudctl%3Ainstance&a=x%20y&b=2")
    }

    func testAmzDate() {
        XCTAssertEqual(SigV4Signer.amzDate(Self.signingDate), "20150830T123600Z")
        XCTAssertEqual(SigV4Signer.amzDate(Date(timeIntervalSince1970: 0)), "19700101T000000Z")
    }
}
