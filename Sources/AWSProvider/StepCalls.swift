import Foundation
import FleetModel
import ProviderAPI
import Synchronization

/// One step's view of an `AWSClient`: forwards every call and counts it for `StepOutcome.calls`,
/// exact even while other steps share the client.
final class StepCalls: Sendable {
    let client: AWSClient
    let onRetry: CallRetryReport?
    /// The step's overall deadline (`AWSConfig.stepTimeout`), counted from when the step started.
    let deadline: StepDeadline
    private let count = Mutex(0)

    init(client: AWSClient, onRetry: CallRetryReport?) {
        self.client = client
        self.onRetry = onRetry
        self.deadline = StepDeadline(limit: client.config.stepTimeout)
    }

    var calls: Int { count.withLock { $0 } }
    var region: String { client.region }

    func query(_ service: AWSService, _ action: String, _ params: [String: String] = [:]) async throws -> XMLNode {
        count.withLock { $0 += 1 }
        return try await client.query(service, action: action, params: params, onRetry: onRetry, deadline: deadline)
    }

    func json(_ service: AWSService, _ action: String, _ body: JSONValue) async throws -> JSONValue {
        count.withLock { $0 += 1 }
        return try await client.json(service, action: action, body: body, onRetry: onRetry, deadline: deadline)
    }

    /// REST-XML call whose response body (if any) is parsed into an element tree.
    @discardableResult
    func restXML(
        _ service: AWSService, _ method: String, _ path: String, query: [String: String] = [:],
        headers: [String: String] = [:], idempotent: Bool = false,
        body: String? = nil
    ) async throws -> XMLNode {
        let response = try await rest(
            service, method, path, query: query, headers: headers, idempotent: idempotent,
            body: body)
        return response.body.isEmpty ? XMLNode(name: "") : try XMLNode(parsing: response.body)
    }

    /// REST call with the raw response (an S3 object's content). `idempotent` calls (a PUT that replaces) are retried
    /// on 5xx and connection errors like reads.
    func rest(
        _ service: AWSService, _ method: String, _ path: String, query: [String: String] = [:],
        headers: [String: String] = [:], idempotent: Bool = false,
        body: String? = nil
    ) async throws -> HTTPResponse {
        count.withLock { $0 += 1 }
        return try await client.rest(
            service, method: method, path: path, query: query, headers: headers,
            body: Data((body ?? "").utf8), idempotent: idempotent, onRetry: onRetry,
            deadline: deadline)
    }
}

extension CloudError {
    /// True when the cloud answered with one of these error codes.
    func hasCode(_ codes: String...) -> Bool { codes.contains(code) }
}

/// Runs a lookup and turns the listed "does not exist" error codes into nil.
func absent<T>(on codes: String..., body: () async throws -> T) async throws -> T? {
    do { return try await body() } catch let error as CloudError where codes.contains(error.code) { return nil }
}
