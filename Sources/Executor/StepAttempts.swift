import FleetModel
import ProviderAPI
import Foundation

/// One step's provider calls: retried on retryable cloud errors, each call shielded from cancellation.
struct StepAttempts {
    struct Failure: Error {
        var message: String
        /// Retries stopped because the apply was cancelled.
        var cancelled = false
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
            // An unstructured task: Ctrl-C must not abort a cloud call half-way; it finishes and is journaled.
            let provider = run.provider, step = step, name = run.name, observer = run.observer
            let report: @Sendable (CloudError, Int, Duration) -> Void = { error, retry, delay in
                callRetries.increment()
                observer.stepRetrying(name, step: step, attempt: retry, error: error, delay: delay)
            }
            var context = context
            context.onCallRetry = report
            let call = Task { [context] in try await provider.perform(step, context: context) }
            let error: any Error
            switch await call.result {
            case .success(let outcome): return (.success(outcome), attempts)
            case .failure(let failure): error = failure
            }
            let message = String(describing: error)
            guard let cloudError = error as? CloudError, cloudError.isRetryable, stepAttempts <= policy.maxRetries else {
                return (.failure(Failure(message: message)), attempts)
            }
            let delay = policy.delay(beforeRetry: stepAttempts)
            run.observer.stepRetrying(run.name, step: step, attempt: stepAttempts, error: cloudError, delay: delay)
            do {
                if Task.isCancelled { throw CancellationError() }
                try await run.sleep(delay)
            } catch {
                // Waiting out a backoff is not a cloud call in flight, so Ctrl-C ends it.
                return (.failure(Failure(message: "\(message) (retries stopped: apply cancelled)", cancelled: true)), attempts)
            }
        }
    }
}

/// Counts the call-level retries reported from inside one step (possibly from several tasks).
private final class CallRetryCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
