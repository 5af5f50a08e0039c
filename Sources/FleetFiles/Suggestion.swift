/// "Did you mean" hints for misspelt keys and values.
enum Suggestion {
    /// `expected one of: a, b, c; did you mean "b"?` (the hint only when something is close).
    static func expectedOneOf(_ candidates: [String], for value: String) -> String {
        var text = "expected one of: " + candidates.joined(separator: ", ")
        if let close = closest(to: value, in: candidates) { text += "; did you mean \"\(close)\"?" }
        return text
    }

    /// The candidate nearest to `value` by edit distance, when it is near enough to be a typo.
    static func closest(to value: String, in candidates: [String]) -> String? {
        let lowered = value.lowercased()
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = lowered.hasPrefix(candidate) || candidate.hasPrefix(lowered) && lowered.count >= 2
                ? 1 : editDistance(Array(lowered.unicodeScalars), Array(candidate.unicodeScalars))
            if distance <= max(1, min(3, candidate.count / 3)), distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.candidate
    }

    private static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
