import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import FleetModel
import ProviderAPI

/// Asks the application itself whether it is healthy on the version just deployed: GETs the fleet's probe URL
/// until it answers the expected status (and version header), with backoff, within the probe's deadline.
struct ApplicationProbe {
    let probe: HealthProbe
    let version: Version
    /// First wait between tries; doubles up to `maximumDelay`.
    var initialDelay: Duration = .milliseconds(250)
    var maximumDelay: Duration = .seconds(5)

    static let operation = "health:GET"

    /// The answer in words for the journal, or a non-retryable `CloudError` with the last answer once the deadline
    /// passed (a re-run of the step would wait a whole deadline again; the next apply checks again).
    func check() async throws -> String {
        guard let url = URL(string: probe.url) else {
            throw CloudError(
                kind: .validation, operation: Self.operation, code: "InvalidURL",
                message: "health URL \(Diagnostic.quoted(probe.url)) is not a URL")
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = probe.timeout.seconds
        configuration.timeoutIntervalForResource = probe.timeout.seconds
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpShouldSetCookies = false
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(probe.deadline.milliseconds)
        var delay = initialDelay
        var tries = 0
        var lastAnswer = "no answer"
        while true {
            tries += 1
            do {
                let response = try await URLSessionTransport.send(
                    HTTPRequest(method: "GET", url: url, headers: [:], body: Data()), over: session)
                let reported = probe.versionHeader.flatMap { header(named: $0, in: response.headers) }
                if let verdict = judge(status: response.status, reported: reported) {
                    lastAnswer = verdict
                } else {
                    return "GET \(probe.url) answered \(response.status)"
                        + (probe.versionHeader.map { " with \($0) \(reported ?? "")" } ?? "")
                        + (tries > 1 ? " after \(tries) tries" : "")
                }
            } catch let error as CloudError {
                lastAnswer = error.code == "TimedOut" ? "no answer within \(probe.timeout)" : error.message
            }
            if clock.now + delay > deadline {
                throw CloudError(
                    kind: .conflict, operation: Self.operation, code: "HealthCheckFailed",
                    message: "GET \(probe.url): \(lastAnswer) (\(tries) tries within the \(probe.deadline) deadline)")
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, maximumDelay)
        }
    }

    /// Why an answer is not the healthy one; nil when it is.
    private func judge(status: Int, reported: String?) -> String? {
        if status != probe.expectStatus { return "answered \(status), expected \(probe.expectStatus)" }
        guard let name = probe.versionHeader else { return nil }
        guard let reported else { return "answered \(status) without a \(name) header, expected \(version)" }
        // The header is the application's word: quoted, since it is text from outside.
        return reported == version.description
            ? nil : "answered \(status) with \(name) \(Diagnostic.quoted(reported)), expected \(version)"
    }

    private func header(named name: String, in headers: [String: String]) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

extension ECSService {
    /// The `health-check` step: the deployment rolled out on ECS, then the application answers its probe (when the
    /// plan carries one). The note names both answers, for the journal.
    func healthCheckAndProbe() async throws -> String {
        let rolledOut = try await healthCheck()
        guard let probe = scope.healthProbe() else { return rolledOut }
        let answer = try await ApplicationProbe(probe: probe, version: try scope.expectedDeployment().version).check()
        return "\(rolledOut); \(answer)"
    }
}
