import FleetModel

/// "Did you mean" hints for misspelt keys and values (a prefix counts as one edit; case is ignored).
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
            let distance =
                lowered.hasPrefix(candidate) || candidate.hasPrefix(lowered) && lowered.count >= 2
                ? 1 : Spelling.editDistance(Array(lowered.unicodeScalars), Array(candidate.unicodeScalars))
            if distance <= max(1, min(3, candidate.count / 3)), distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }
}
