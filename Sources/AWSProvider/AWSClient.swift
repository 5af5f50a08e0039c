import Foundation
import FleetModel
import ProviderAPI
import Synchronization

/// Signed calls to AWS over the Query, JSON and REST-XML protocols. Throttling is retried per call, 5xx and connection
/// errors only for read-only calls (bounded, with backoff and jitter, reported to `onRetry`); what survives goes to the
/// executor. The protocol entry points (`query`, `json`, `rest`) live in one file per protocol.
public final class AWSClient: Sendable {
    public let region: String
    let config: AWSConfig
    let transport: HTTPTransport
    let clock: @Sendable () -> Date
    let retryPolicy: RetryPolicy
    let sleep: @Sendable (Duration) async throws -> Void
    private let calls = Mutex(0)
    /// The region's call budget (one per client, and the provider keeps one client per region); nil: unlimited.
    let limiter: APIRateLimiter?

    /// Per-call retries: a few quick ones; the executor's step retries back off further.
    public static let defaultRetryPolicy = RetryPolicy(
        maxRetries: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(2))

    public convenience init(config: AWSConfig, transport: @escaping HTTPTransport) {
        self.init(config: config, transport: transport, clock: { Date() })
    }

    /// `clock` lets tests pin the signing time; `retryPolicy` and `sleep` make retries instant in tests.
    init(
        config: AWSConfig, transport: @escaping HTTPTransport, clock: @escaping @Sendable () -> Date,
        retryPolicy: RetryPolicy = AWSClient.defaultRetryPolicy,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.region = config.region
        self.config = config
        self.transport = transport
        self.clock = clock
        self.retryPolicy = retryPolicy
        self.sleep = sleep
        limiter = config.maxRate.map { rate in
            APIRateLimiter(
                region: config.region, settings: .init(maximumRate: rate), onNotice: config.onRateNotice ?? { _ in })
        }
    }

    /// API calls made so far (benchmarks count them).
    public var callCount: Int { calls.withLock { $0 } }

    /// `AWS_ENDPOINT_URL` when set (every service, S3 path-style), else the service's public endpoint.
    func endpoint(for service: AWSService) -> URL {
        if let endpoint = config.endpoint { return endpoint }
        let host =
            service.globalRegion != nil
            ? "\(service.signingName).amazonaws.com" : "\(service.signingName).\(region).amazonaws.com"
        return URL(string: "https://\(host)")!
    }

    /// The service's URL for an already percent-encoded path and query.
    func url(for service: AWSService, encodedPath: String, encodedQuery: String = "") -> URL {
        var base = endpoint(for: service).absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let path = encodedPath.hasPrefix("/") ? encodedPath : "/" + encodedPath
        return URL(string: base + path + (encodedQuery.isEmpty ? "" : "?" + encodedQuery))!
    }

    /// Signs and sends one request, retrying retryable failures. Non-2xx answers become `CloudError`s named
    /// `operation`; transport failures `.connection`. Throttling (the request was refused) is retried for every call;
    /// 5xx and connection errors only for `readOnly` calls, since a mutating call may have taken effect: the executor
    /// re-runs the whole step instead, whose ensure looks up first. Each attempt waits at most `config.requestTimeout`,
    /// and never past `deadline` (the step's).
    func send(
        _ request: HTTPRequest, service: AWSService, operation: String, readOnly: Bool, onRetry: CallRetryReport?,
        deadline: StepDeadline? = nil
    ) async throws -> HTTPResponse {
        var retry = 0
        while true {
            do {
                return try await sendOnce(request, service: service, operation: operation, deadline: deadline)
            } catch let error as CloudError
                where (error.kind == .throttling || (readOnly && error.isRetryable)) && retry < retryPolicy.maxRetries
            {
                retry += 1
                let delay = retryPolicy.delay(beforeRetry: retry)
                if let deadline, deadline.remaining <= delay {
                    throw CloudError.stepDeadline(operation, limit: deadline.limit)
                }
                onRetry?(error, retry, delay)
                try await sleep(delay)
            }
        }
    }

    private func sendOnce(
        _ request: HTTPRequest, service: AWSService, operation: String,
        deadline: StepDeadline?
    ) async throws -> HTTPResponse {
        var request = request
        SigV4Signer(
            credentials: config.credentials, region: service.globalRegion ?? region, service: service.signingName
        )
        .sign(&request, at: clock())
        // The step's deadline cuts a call short only when it comes before the call's own timeout.
        let remaining = deadline?.remaining ?? config.requestTimeout
        if remaining <= .zero, let deadline { throw CloudError.stepDeadline(operation, limit: deadline.limit) }
        let limit = min(config.requestTimeout, remaining)
        try await limiter?.acquire()
        calls.withLock { $0 += 1 }
        let response: HTTPResponse
        do {
            let transport = transport
            guard let answer = try await CallTimeout.run(limit, { [request] in try await transport(request) }) else {
                if let deadline, limit < config.requestTimeout {
                    throw CloudError.stepDeadline(operation, limit: deadline.limit)
                }
                throw CloudError.timedOut(operation, after: limit, endpoint: endpoint(for: service))
            }
            response = answer
        } catch var error as CloudError {
            // URLSession's own timer (a backstop) says it in the same words as ours.
            if error.code == "TimedOut" {
                throw CloudError.timedOut(operation, after: limit, endpoint: endpoint(for: service))
            }
            if error.operation.isEmpty { error.operation = operation }
            throw error
        } catch {
            throw CloudError(kind: .connection, operation: operation, code: "TransportError", message: "\(error)")
        }
        guard (200..<300).contains(response.status) else {
            let error = AWSErrorMapper.error(operation: operation, response: response)
            if error.kind == .throttling { limiter?.throttled() }
            throw error
        }
        return response
    }

    /// Query/JSON actions that only read (`Describe…`, `List…`, `Get…`, `Head…`): safe to send twice.
    static func isReadOnly(action: String) -> Bool {
        ["Describe", "List", "Get", "Head"].contains { action.hasPrefix($0) }
    }

    /// A 2xx answer whose body the client could not read.
    static func malformed(_ operation: String, _ detail: String) -> CloudError {
        CloudError(kind: .server, operation: operation, code: "MalformedResponse", message: detail)
    }
}

/// When the current step must be done by: every call of the step is cut off there.
public struct StepDeadline: Sendable {
    public let limit: Duration
    public let end: ContinuousClock.Instant

    public init(limit: Duration, from start: ContinuousClock.Instant = .now) {
        self.limit = limit
        self.end = start + limit
    }

    public var remaining: Duration { end - .now }
}
