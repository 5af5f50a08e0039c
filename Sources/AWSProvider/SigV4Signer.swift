import Foundation
import Digests

/// AWS Signature Version 4 (header-based) over libcrypto's HMAC-SHA256.
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    /// Signing name: `ec2`, `s3`, `route53`, …
    public var service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The intermediate strings as well as the header, so tests can compare each against AWS's vectors.
    public struct Signature: Sendable, Equatable {
        public var canonicalRequest: String
        public var stringToSign: String
        public var authorization: String
    }

    /// S3 signs the path exactly as sent and wants the payload hash announced in a header.
    private var isS3: Bool { service == "s3" }

    /// Signs `request` in place: adds `X-Amz-Date`, `X-Amz-Security-Token` (with a session token),
    /// `x-amz-content-sha256` (S3) and `Authorization`. Every header already on the request is signed, plus `host`.
    @discardableResult
    public func sign(_ request: inout HTTPRequest, at date: Date) -> Signature {
        let amzDate = Self.amzDate(date)
        let payloadHash = Digest.sha256Hex(request.body)
        request.headers["Authorization"] = nil  // re-signing must not sign the old signature
        request.headers["X-Amz-Date"] = amzDate
        if let token = credentials.sessionToken { request.headers["X-Amz-Security-Token"] = token }
        if isS3 { request.headers["x-amz-content-sha256"] = payloadHash }

        let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false)
        var signed = request.headers
        signed["host"] = Self.hostHeader(request.url)
        let signature = signature(
            method: request.method, path: components?.percentEncodedPath ?? "/",
            query: Self.queryPairs(components?.percentEncodedQuery),
            headers: signed, payloadHash: payloadHash, amzDate: amzDate)
        request.headers["Authorization"] = signature.authorization
        return signature
    }

    /// The signing core. `path` is the path as it appears on the request line; `query` holds decoded pairs;
    /// `headers` must include `host` and `x-amz-date`.
    func signature(
        method: String, path: String, query: [(String, String)], headers: [String: String],
        payloadHash: String, amzDate: String
    ) -> Signature {
        var canonicalHeaders: [String: String] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            let trimmed = Self.collapseSpaces(value)
            canonicalHeaders[key] = canonicalHeaders[key].map { "\($0),\(trimmed)" } ?? trimmed
        }
        let names = canonicalHeaders.keys.sorted()
        let signedHeaders = names.joined(separator: ";")
        let canonicalRequest = [
            method,
            canonicalURI(path),
            URIEncoding.form(query),
            names.map { "\($0):\(canonicalHeaders[$0]!)\n" }.joined(),
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")

        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Digest.sha256Hex(Data(canonicalRequest.utf8))]
            .joined(separator: "\n")
        let key = [day, region, service, "aws4_request"].reduce(Array("AWS4\(credentials.secretAccessKey)".utf8)) {
            Digest.hmacSHA256(key: $0, Array($1.utf8))
        }
        let signature = Digest.hex(Digest.hmacSHA256(key: key, Array(stringToSign.utf8)))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signature(canonicalRequest: canonicalRequest, stringToSign: stringToSign, authorization: authorization)
    }

    /// S3 signs the sent path as is; every other service encodes each segment of it once more.
    /// Other services also normalise `.`/`..` and empty segments, as the test suite's normalize-path cases expect.
    func canonicalURI(_ path: String) -> String {
        if isS3 { return path.isEmpty ? "/" : path }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        let trailingSlash = path.hasSuffix("/") && !segments.isEmpty
        return "/" + segments.map { URIEncoding.encode(String($0)) }.joined(separator: "/") + (trailingSlash ? "/" : "")
    }

    /// `value` trimmed, with runs of spaces collapsed to one (SigV4's header canonicalisation).
    static func collapseSpaces(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    static func queryPairs(_ percentEncodedQuery: String?) -> [(String, String)] {
        guard let query = percentEncodedQuery, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in String(s).removingPercentEncoding ?? String(s) }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// `host[:port]` as the HTTP client will send it (default ports omitted).
    static func hostHeader(_ url: URL) -> String {
        let host = url.host ?? ""
        guard let port = url.port else { return host }
        let isDefault = (url.scheme == "https" && port == 443) || (url.scheme == "http" && port == 80)
        return isDefault ? host : "\(host):\(port)"
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func amzDate(_ date: Date) -> String {
        var time = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
