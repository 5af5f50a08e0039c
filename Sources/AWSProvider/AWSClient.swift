import Foundation
import FleetModel

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

/// Signed calls to AWS over the Query, JSON and REST-XML protocols.
/// TODO(helper: AWS core) — placeholder bodies; signatures are the contract the service files build on.
public final class AWSClient: Sendable {
    public let region: String

    public init(config: AWSConfig, transport: @escaping HTTPTransport) { self.region = config.region }

    /// Query protocol (EC2, RDS): `Action=…&Version=…&params`; returns the parsed XML response root.
    public func query(_ service: AWSService, action: String, params: [String: String]) async throws -> XMLNode {
        XMLNode(name: "")
    }

    /// JSON protocol (ECS, KMS, Secrets Manager): `X-Amz-Target: <prefix>.<action>`.
    public func json(_ service: AWSService, action: String, body: JSONValue) async throws -> JSONValue { .null }

    /// REST-XML (S3, Route 53). Non-2xx answers are thrown as `CloudError`.
    public func rest(_ service: AWSService, method: String, path: String, query: [String: String] = [:],
                     headers: [String: String] = [:], body: Data = Data()) async throws -> HTTPResponse {
        HTTPResponse(status: 200)
    }

    /// API calls made so far (benchmarks count them).
    public var callCount: Int { 0 }
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

extension AWSConfig {
    /// Resolves region, endpoint and credentials from the environment, `AWS_PROFILE` and `~/.aws/{credentials,config}`.
    /// TODO(helper: AWS core) — placeholder.
    public static func resolve(environment: [String: String], homeDirectory: String?) throws -> AWSConfig {
        AWSConfig(region: environment["AWS_REGION"] ?? "us-east-1", endpoint: environment["AWS_ENDPOINT_URL"].flatMap(URL.init(string:)),
                  credentials: AWSCredentials(accessKeyId: environment["AWS_ACCESS_KEY_ID"] ?? "", secretAccessKey: environment["AWS_SECRET_ACCESS_KEY"] ?? ""))
    }
}
