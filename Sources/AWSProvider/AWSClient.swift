import Foundation
import FleetModel
import Synchronization

/// One HTTP exchange, transport-neutral so tests swap the network.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: Data
    public init(method: String, url: URL, headers: [String: String] = [:], body: Data = Data()) {
        self.method = method; self.url = url; self.headers = headers; self.body = body
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data
    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) { self.status = status; self.headers = headers; self.body = body }
    /// Header value by case-insensitive name (servers and transports differ in header-name case).
    public func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// The network, as a closure: URLSession in production, a fake in tests.
public typealias HTTPTransport = @Sendable (HTTPRequest) async throws -> HTTPResponse

/// An AWS service: its signing name and the protocol details the client needs.
public struct AWSService: Sendable, Hashable {
    /// SigV4 signing name, e.g. `ec2`, `secretsmanager`.
    public var signingName: String
    /// Query protocol API version (`2016-11-15` for EC2); nil for other protocols.
    public var apiVersion: String?
    /// JSON protocol target prefix (`AmazonEC2ContainerServiceV20141113`) and content type version (`1.1`).
    public var jsonTargetPrefix: String?
    public var jsonVersion: String?
    /// Global services (Route 53) sign for `us-east-1` whatever the configured region.
    public var globalRegion: String?

    public static let ec2 = AWSService(signingName: "ec2", apiVersion: "2016-11-15")
    public static let rds = AWSService(signingName: "rds", apiVersion: "2014-10-31")
    public static let ecs = AWSService(signingName: "ecs", jsonTargetPrefix: "AmazonEC2ContainerServiceV20141113", jsonVersion: "1.1")
    public static let kms = AWSService(signingName: "kms", jsonTargetPrefix: "TrentService", jsonVersion: "1.1")
    public static let secretsManager = AWSService(signingName: "secretsmanager", jsonTargetPrefix: "secretsmanager", jsonVersion: "1.1")
    public static let s3 = AWSService(signingName: "s3")
    public static let route53 = AWSService(signingName: "route53", globalRegion: "us-east-1")
}

/// Signed calls to AWS over the Query, JSON and REST-XML protocols. Throttling, 5xx and connection errors are retried
/// per call (bounded, with backoff and jitter, reported to `onRetry`); what survives goes to the executor.
/// The protocol entry points (`query`, `json`, `rest`) live in one file per protocol.
public final class AWSClient: Sendable {
    public let region: String
    let config: AWSConfig
    let transport: HTTPTransport
    let clock: @Sendable () -> Date
    let retryPolicy: RetryPolicy
    let sleep: @Sendable (Duration) async throws -> Void
    private let calls = Mutex(0)

    /// Per-call retries: a few quick ones; the executor's step retries back off further.
    public static let defaultRetryPolicy = RetryPolicy(maxRetries: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(2))

    public convenience init(config: AWSConfig, transport: @escaping HTTPTransport) {
        self.init(config: config, transport: transport, clock: { Date() })
    }

    /// `clock` lets tests pin the signing time; `retryPolicy` and `sleep` make retries instant in tests.
    init(config: AWSConfig, transport: @escaping HTTPTransport, clock: @escaping @Sendable () -> Date,
         retryPolicy: RetryPolicy = AWSClient.defaultRetryPolicy,
         sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.region = config.region; self.config = config; self.transport = transport; self.clock = clock
        self.retryPolicy = retryPolicy; self.sleep = sleep
    }

    /// API calls made so far (benchmarks count them).
    public var callCount: Int { calls.withLock { $0 } }

    /// `AWS_ENDPOINT_URL` when set (every service, S3 path-style), else the service's public endpoint.
    func endpoint(for service: AWSService) -> URL {
        if let endpoint = config.endpoint { return endpoint }
        let host = service.globalRegion != nil ? "\(service.signingName).amazonaws.com" : "\(service.signingName).\(region).amazonaws.com"
        return URL(string: "https://\(host)")!
    }

    /// The service's URL for an already percent-encoded path and query.
    func url(for service: AWSService, encodedPath: String, encodedQuery: String = "") -> URL {
        var base = endpoint(for: service).absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let path = encodedPath.hasPrefix("/") ? encodedPath : "/" + encodedPath
        return URL(string: base + path + (encodedQuery.isEmpty ? "" : "?" + encodedQuery))!
    }

    /// Signs and sends one request, retrying retryable failures. Non-2xx answers become `CloudError`s named `operation`;
    /// transport failures `.connection`.
    func send(_ request: HTTPRequest, service: AWSService, operation: String, onRetry: CallRetryReport?) async throws -> HTTPResponse {
        var retry = 0
        while true {
            do {
                return try await sendOnce(request, service: service, operation: operation)
            } catch let error as CloudError where error.isRetryable && retry < retryPolicy.maxRetries {
                retry += 1
                let delay = retryPolicy.delay(beforeRetry: retry)
                onRetry?(error, retry, delay)
                try await sleep(delay)
            }
        }
    }

    private func sendOnce(_ request: HTTPRequest, service: AWSService, operation: String) async throws -> HTTPResponse {
        var request = request
        SigV4Signer(credentials: config.credentials, region: service.globalRegion ?? region, service: service.signingName)
            .sign(&request, at: clock())
        calls.withLock { $0 += 1 }
        let response: HTTPResponse
        do {
            response = try await transport(request)
        } catch var error as CloudError {
            if error.operation.isEmpty { error.operation = operation }
            throw error
        } catch {
            throw CloudError(kind: .connection, operation: operation, code: "TransportError", message: "\(error)")
        }
        guard (200..<300).contains(response.status) else {
            throw AWSErrorMapper.error(operation: operation, response: response)
        }
        return response
    }

    /// A 2xx answer whose body the client could not read.
    static func malformed(_ operation: String, _ detail: String) -> CloudError {
        CloudError(kind: .server, operation: operation, code: "MalformedResponse", message: detail)
    }
}

/// Region, endpoint and credentials, resolved the AWS way.
public struct AWSConfig: Sendable {
    public var region: String
    /// `AWS_ENDPOINT_URL`: every service at this one endpoint (moto); nil means the real per-service endpoints.
    public var endpoint: URL?
    public var credentials: AWSCredentials
    public init(region: String, endpoint: URL?, credentials: AWSCredentials) { self.region = region; self.endpoint = endpoint; self.credentials = credentials }
}

/// Access key, secret and optional session token. `description` never shows the secret.
public struct AWSCredentials: Sendable, CustomStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId; self.secretAccessKey = secretAccessKey; self.sessionToken = sessionToken
    }
    public var description: String { "AWSCredentials(\(accessKeyId), secret: <redacted>)" }
}

extension AWSCredentials: CustomReflectable {
    /// `dump()` and debuggers see the key id only.
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyId": accessKeyId, "secretAccessKey": "<redacted>",
                                "sessionToken": sessionToken == nil ? "none" : "<redacted>"])
    }
}

/// A small XML element tree for Query and REST-XML responses.
public struct XMLNode: Sendable, Equatable {
    public var name: String
    public var text: String
    public var children: [XMLNode]
    public init(name: String, text: String = "", children: [XMLNode] = []) { self.name = name; self.text = text; self.children = children }

    /// First direct child with this local name.
    public func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }
    /// Follows a path of child names, e.g. `node["DescribeVpcsResult", "vpcSet"]`.
    public subscript(_ path: String...) -> XMLNode? {
        var node: XMLNode? = self
        for p in path { node = node?.child(p) }
        return node
    }
    /// Every descendant (depth first) with this local name.
    public func descendants(_ name: String) -> [XMLNode] {
        children.flatMap { ($0.name == name ? [$0] : []) + $0.descendants(name) }
    }
}
