import Foundation

/// One HTTP exchange, transport-neutral so tests swap the network.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: Data
    public init(method: String, url: URL, headers: [String: String] = [:], body: Data = Data()) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// The answer to an `HTTPRequest`: status, headers and body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data
    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
    /// Header value by case-insensitive name (servers and transports differ in header-name case).
    public func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// The network, as a closure: URLSession in production, a fake in tests.
public typealias HTTPTransport = @Sendable (HTTPRequest) async throws -> HTTPResponse
