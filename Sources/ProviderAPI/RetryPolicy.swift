import Foundation

/// Exponential backoff with full jitter, capped at `maxDelay`: the n-th retry waits a random share of
/// `min(maxDelay, baseDelay · 2ⁿ⁻¹)`. Used twice over: by the AWS client for each call, and by the executor for
/// whole steps.
public struct RetryPolicy: Sendable {
    public var maxRetries: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// Returns a value in 0...1; injected so tests get deterministic delays.
    public var random: @Sendable () -> Double

    public init(
        maxRetries: Int, baseDelay: Duration, maxDelay: Duration,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        self.maxRetries = max(0, maxRetries)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.random = random
    }

    /// Delay before retry number `retry` (1 = the first retry).
    public func delay(beforeRetry retry: Int) -> Duration {
        // Clamp the exponent so 2ⁿ never overflows; the cap is reached long before 2³⁰ anyway.
        let exponential = baseDelay.seconds * pow(2, Double(min(max(retry - 1, 0), 30)))
        let ceiling = min(maxDelay.seconds, exponential)
        return .seconds(ceiling * min(max(random(), 0), 1))
    }
}

/// How a cloud client reports a call it retries by itself: the error, which retry this is (1 = first), and the wait.
/// The executor passes one with each step (`StepContext.onCallRetry`), so call-level retries reach the progress
/// output and the step's journaled attempt count. (Explicit, not a task-local: `TaskLocal.withValue` in an
/// unstructured task crashed release builds of Swift 6.3.1.)
public typealias CallRetryReport = @Sendable (CloudError, Int, Duration) -> Void

extension Duration {
    /// The duration as fractional seconds.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
