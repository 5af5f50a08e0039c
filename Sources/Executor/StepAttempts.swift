import FleetModel
import ProviderAPI
import Foundation

/// One step's provider calls: retried on retryable cloud errors; Ctrl-C cancels the call in flight.
struct StepAttempts {
    struct Failure: Error {
        var message: String
        /// Retries stopped because the apply was cancelled.
        var cancelled = false
        /// Ctrl-C ended the call in flight: the cloud may have done part of the step (a re-run ensures it again).
        var interrupted = false
    }

    var run: InstanceRun
    var step: PlanStep

    /// The step's outcome and its attempts: 1 + every retry, of the whole step or of single calls inside it.
    func perform(_ context: StepContext) async -> (result: Result<StepOutcome, Failure>, attempts: Int) {
        let policy = RetryPolicy(options: run.options)
        let callRetries = CallRetryCount()
        var stepAttempts = 0
        var attempts: Int { stepAttempts + callRetries.value }
        while true {
            stepAttempts += 1
            let provider = run.provider
            let step = step
            let name = run.name
            let observer = run.observer
            let report: @Sendable (CloudError, Int, Duration) -> Void = { error, retry, delay in
                callRetries.increment()
                observer.stepRetrying(name, step: step, attempt: retry, error: error, delay: delay)
            }
            var context = context
            context.onCallRetry = report
            let call = Task { [context] in try await provider.perform(step, context: context) }
            let error: any Error
            switch await InterruptibleCall.result(of: call, grace: run.options.interruptGrace) {
            case .finished(.success(let outcome)):
                // Done despite a Ctrl-C (e.g. an HTTP call that had already been answered): keep the result.
                return (.success(outcome), attempts)
            case .finished(.failure(let failure)) where Task.isCancelled:
                return (.failure(.interruptedByCtrlC(String(describing: failure))), attempts)
            case .finished(.failure(let failure)):
                error = failure
            case .abandoned:
                return (.failure(.interruptedByCtrlC(nil)), attempts)
            }
            let message = String(describing: error)
            guard let cloudError = error as? CloudError, cloudError.isRetryable, stepAttempts <= policy.maxRetries
            else {
                return (.failure(Failure(message: message)), attempts)
            }
            let delay = policy.delay(beforeRetry: stepAttempts)
            run.observer.stepRetrying(run.name, step: step, attempt: stepAttempts, error: cloudError, delay: delay)
            do {
                if Task.isCancelled { throw CancellationError() }
                try await run.sleep(delay)
            } catch {
                // Waiting out a backoff is not a cloud call in flight, so Ctrl-C ends it.
                return (
                    .failure(Failure(message: "\(message) (retries stopped: apply cancelled)", cancelled: true)),
                    attempts
                )
            }
        }
    }
}

extension StepAttempts.Failure {
    /// The journal text of a step whose cloud call Ctrl-C ended; `detail` is what the cancelled call reported.
    static func interruptedByCtrlC(_ detail: String?) -> Self {
        let reason = "interrupted by Ctrl-C while the step ran" + (detail.map { " (\($0))" } ?? "")
        return Self(
            message: reason + "; the cloud may have done part of it; run `cloudctl apply` again to finish it",
            cancelled: true, interrupted: true)
    }
}

/// Waits for a cloud call, cancelling it when the waiting task is cancelled (Ctrl-C), so polling loops stop at
/// once; a call that ignores the cancellation (an HTTP request already sent) is given `grace` to finish, then left.
enum InterruptibleCall {
    enum Outcome<T: Sendable>: Sendable {
        case finished(Result<T, any Error>)
        /// Still running `grace` after the cancellation; whatever it does later is not recorded.
        case abandoned
    }

    static func result<T: Sendable>(of call: Task<T, any Error>, grace: Duration) async -> Outcome<T> {
        let first = FirstOutcome<T>()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                first.wait(continuation)
                Task { first.resume(.finished(await call.result)) }
            }
        } onCancel: {
            call.cancel()
            Task {
                try? await Task.sleep(for: grace)
                first.resume(.abandoned)
            }
        }
    }
}

/// Resumes one continuation with whichever outcome comes first, even one that arrives before the continuation does.
private final class FirstOutcome<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<InterruptibleCall.Outcome<T>, Never>?
    private var early: InterruptibleCall.Outcome<T>?
    private var done = false

    func wait(_ continuation: CheckedContinuation<InterruptibleCall.Outcome<T>, Never>) {
        let ready: InterruptibleCall.Outcome<T>? = lock.withLock {
            guard let early else {
                self.continuation = continuation
                return nil
            }
            done = true
            return early
        }
        if let ready { continuation.resume(returning: ready) }
    }

    func resume(_ outcome: InterruptibleCall.Outcome<T>) {
        let waiting: CheckedContinuation<InterruptibleCall.Outcome<T>, Never>? = lock.withLock {
            guard !done else { return nil }
            guard let continuation else {
                if early == nil { early = outcome }
                return nil
            }
            done = true
            self.continuation = nil
            return continuation
        }
        waiting?.resume(returning: outcome)
    }
}

/// Counts the call-level retries reported from inside one step (possibly from several tasks).
private final class CallRetryCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
