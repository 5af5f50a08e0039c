import Foundation
import FleetModel
import ProviderAPI
import Synchronization

/// Bounds one cloud call in time. The body is cancelled when time runs out, but not waited for: a transport that
/// ignores cancellation (or an endpoint that accepts and never answers) must not hold the step.
enum CallTimeout {
    /// The body's value, or nil when `limit` passed first.
    static func run<T: Sendable>(
        _ limit: Duration,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T? {
        let race = Race<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                race.start(continuation, limit: limit, body)
            }
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }

    /// `30 s`, `500 ms`, `45 min`, `2 h`: how a limit reads in an error message.
    static func words(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if ms % 3_600_000 == 0, ms >= 3_600_000 { return "\(ms / 3_600_000) h" }
        if ms % 60_000 == 0, ms >= 60_000 { return "\(ms / 60_000) min" }
        if ms % 1000 == 0 { return "\(ms / 1000) s" }
        return "\(ms) ms"
    }
}

/// The first of body, timer and outer cancellation to finish resumes the continuation; the timer is cancelled, the
/// body is abandoned, not cancelled: cancelling a URLSession call while its answer is being delivered can deadlock
/// FoundationNetworking (the canceller holds the task while URLSession's queue waits to resume it; seen as a hang
/// after Ctrl-C). An abandoned call ends on its own (URLSession's timeout is the backstop) and its answer is dropped.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T?, any Error>?
        var tasks: [Task<Void, Never>] = []
    }
    private let state = Mutex(State())

    func start(
        _ continuation: CheckedContinuation<T?, any Error>, limit: Duration,
        _ body: @escaping @Sendable () async throws -> T
    ) {
        state.withLock { $0.continuation = continuation }
        Task {
            do {
                self.finish(.success(try await body()))
            } catch {
                self.finish(.failure(error))
            }
        }
        let timer = Task {
            guard (try? await Task.sleep(for: limit)) != nil else { return }
            self.finish(.success(nil))
        }
        // The race may already be over (an instant answer or an outer cancellation): then stop the timer at once.
        let over = state.withLock { state in
            state.tasks = [timer]
            return state.continuation == nil
        }
        if over {
            timer.cancel()
        }
    }

    func finish(_ result: Result<T?, any Error>) {
        let (continuation, tasks) = state.withLock { state in
            let taken = (state.continuation, state.tasks)
            state.continuation = nil
            return taken
        }
        guard let continuation else { return }
        // Only the timer: see the type's comment for why the body is left to finish.
        for task in tasks { task.cancel() }
        continuation.resume(with: result)
    }
}

extension CloudError {
    /// One call got no answer within the per-request timeout. Retryable like any connection failure.
    static func timedOut(_ operation: String, after limit: Duration, endpoint: URL) -> CloudError {
        CloudError(
            kind: .connection, operation: operation, code: "TimedOut",
            message: "\(operation) timed out after \(CallTimeout.words(limit)) (\(Self.origin(endpoint))); "
                + "raise CLOUDCTL_REQUEST_TIMEOUT if the endpoint is just slow")
    }

    /// The step ran out of its overall deadline. Not retryable: re-running at once would only spend another deadline;
    /// the next apply re-runs the step, whose ensure finds what the cut-off one already did.
    static func stepDeadline(_ operation: String, limit: Duration) -> CloudError {
        CloudError(
            kind: .conflict, operation: operation, code: "StepDeadlineExceeded",
            message: "the step ran out of its \(CallTimeout.words(limit)) deadline "
                + "before \(operation) could finish; "
                + "run apply again to continue, or raise CLOUDCTL_STEP_TIMEOUT")
    }

    /// `http://127.0.0.1:5000`: scheme, host and port only (a path or query could carry request parameters).
    private static func origin(_ url: URL) -> String {
        "\(url.scheme ?? "https")://\(url.host ?? "")" + (url.port.map { ":\($0)" } ?? "")
    }
}
