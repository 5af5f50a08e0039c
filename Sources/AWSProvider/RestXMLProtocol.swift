import Foundation
import FleetModel
import ProviderAPI
import Digests

extension AWSClient {
    /// REST-XML (S3, Route 53). `path` is unencoded (`/bucket/key`); each segment is percent-encoded here.
    /// Non-2xx answers are thrown as `CloudError`. Parse an XML body with `XMLNode(parsing:)`.
    public func rest(
        _ service: AWSService, method: String, path: String, query: [String: String] = [:],
        headers: [String: String] = [:], body: Data = Data(), idempotent: Bool = false,
        onRetry: CallRetryReport? = nil,
        deadline: StepDeadline? = nil
    ) async throws -> HTTPResponse {
        var headers = headers
        let has = { (name: String) in headers.keys.contains { $0.caseInsensitiveCompare(name) == .orderedSame } }
        if service.signingName == "s3", !body.isEmpty, !has("Content-MD5") {
            headers["Content-MD5"] = Digest.md5Base64(body)
        }
        if !body.isEmpty, !has("Content-Type") { headers["Content-Type"] = "application/xml" }
        let request = HTTPRequest(
            method: method,
            url: url(
                for: service, encodedPath: URIEncoding.encode(path, keepingSlash: true),
                encodedQuery: URIEncoding.form(query.map { ($0.key, $0.value) })),
            headers: headers, body: body)
        return try await send(
            request, service: service, operation: "\(service.signingName):\(method) \(path)",
            readOnly: method == "GET" || method == "HEAD" || idempotent,
            onRetry: onRetry, deadline: deadline)
    }
}

extension XMLNode {
    /// Parses an XML document (namespace prefixes stripped, text trimmed), e.g. a REST-XML response body.
    public init(parsing data: Data) throws { self = try XMLTreeParser.parse(data) }
}
