import Foundation
import FleetModel
import ProviderAPI

extension AWSClient {
    /// JSON protocol (ECS, KMS, Secrets Manager): `X-Amz-Target: <prefix>.<action>`. An empty answer is `{}`.
    public func json(
        _ service: AWSService, action: String, body: JSONValue, onRetry: CallRetryReport? = nil,
        deadline: StepDeadline? = nil
    ) async throws -> JSONValue {
        let operation = "\(service.signingName):\(action)"
        let request = HTTPRequest(
            method: "POST", url: url(for: service, encodedPath: "/"),
            headers: [
                "X-Amz-Target": "\(service.jsonTargetPrefix ?? service.signingName).\(action)",
                "Content-Type": "application/x-amz-json-\(service.jsonVersion ?? "1.1")",
            ],
            body: body.serialized())
        let response = try await send(
            request, service: service, operation: operation,
            readOnly: Self.isReadOnly(action: action), onRetry: onRetry, deadline: deadline)
        if response.body.isEmpty { return .object([:]) }
        do {
            return try JSONValue(parsing: response.body)
        } catch {
            throw Self.malformed(operation, "unreadable JSON: \(error)")
        }
    }
}
