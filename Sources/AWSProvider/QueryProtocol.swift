import Foundation
import FleetModel
import ProviderAPI

extension AWSClient {
    /// Query protocol (EC2, RDS): `Action=…&Version=…&params`; returns the parsed XML response root.
    public func query(
        _ service: AWSService, action: String, params: [String: String], onRetry: CallRetryReport? = nil,
        deadline: StepDeadline? = nil
    ) async throws -> XMLNode {
        let operation = "\(service.signingName):\(action)"
        let pairs = [("Action", action), ("Version", service.apiVersion ?? "")] + params.map { ($0.key, $0.value) }
        let request = HTTPRequest(
            method: "POST", url: url(for: service, encodedPath: "/"),
            headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"],
            body: Data(URIEncoding.form(pairs).utf8))
        let response = try await send(
            request, service: service, operation: operation,
            readOnly: Self.isReadOnly(action: action), onRetry: onRetry, deadline: deadline)
        do {
            return try XMLTreeParser.parse(response.body)
        } catch {
            throw Self.malformed(operation, "\(error)")
        }
    }
}
