import FleetModel

/// One step's provider calls: retried on retryable cloud errors, each call shielded from cancellation.
struct StepAttempts {
    struct Failure: Error {
        var message: String
        /// Retries stopped because the apply was cancelled.
        var cancelled = false
    }

    var run: InstanceRun
    var step: PlanStep

    /// The step's outcome and how many calls it took.
    func perform(_ context: StepContext) async -> (result: Result<StepOutcome, Failure>, attempts: Int) {
        let policy = RetryPolicy(options: run.options)
        var attempts = 0
        while true {
            attempts += 1
            // An unstructured task: Ctrl-C must not abort a cloud call half-way; it finishes and is journaled.
            let provider = run.provider, step = step
            let call = Task { try await provider.perform(step, context: context) }
            let error: any Error
            switch await call.result {
            case .success(let outcome): return (.success(outcome), attempts)
            case .failure(let failure): error = failure
            }
            let message = String(describing: error)
            guard let cloudError = error as? CloudError, cloudError.isRetryable, attempts <= policy.maxRetries else {
                return (.failure(Failure(message: message)), attempts)
            }
            let delay = policy.delay(beforeRetry: attempts)
            run.observer.stepRetrying(run.name, step: step, attempt: attempts, error: cloudError, delay: delay)
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
