import Foundation

/// Exponential backoff with full jitter, capped at `maxDelay`: the n-th retry waits a random share of `min(maxDelay, baseDelay · 2ⁿ⁻¹)`.
struct RetryPolicy: Sendable {
    var maxRetries: Int
    var baseDelay: Duration
    var maxDelay: Duration
    /// Returns a value in 0...1; injected so tests get deterministic delays.
    var random: @Sendable () -> Double

    init(options: ExecutorOptions) {
        maxRetries = max(0, options.maxRetries)
        baseDelay = options.baseDelay
        maxDelay = options.maxDelay
        random = options.jitter
    }

    /// Delay before retry number `retry` (1 = the first retry).
    func delay(beforeRetry retry: Int) -> Duration {
        // Clamp the exponent so 2ⁿ never overflows; the cap is reached long before 2³⁰ anyway.
        let exponential = baseDelay.seconds * pow(2, Double(min(max(retry - 1, 0), 30)))
        let ceiling = min(maxDelay.seconds, exponential)
        return .seconds(ceiling * min(max(random(), 0), 1))
    }
}

extension Duration {
    /// The duration as fractional seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
