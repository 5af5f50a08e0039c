/// A duration option such as `--lock-timeout 5m`: `0`, or a whole number with `ms`, `s`, `m` or `h`.
enum DurationText {
    /// At most a day: longer waits are a mistake (a lease is 5 minutes; a wave of RDS creates well under a day).
    static let maximumSeconds = 86_400.0

    /// Seconds in `text`, or a usage error quoting it.
    static func seconds(_ text: String, option: String, spec: CommandSpec) throws(UsageError) -> Double {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        let unit = units.first { text.hasSuffix($0.suffix) && UInt64(text.dropLast($0.suffix.count)) != nil }
        let digits = unit.map { String(text.dropLast($0.suffix.count)) } ?? text
        guard let number = UInt64(digits), unit != nil || number == 0 else {
            throw UsageError("\(option) must be a duration like 30s, 5m or 1h, got '\(text)'", for: spec)
        }
        let seconds = Double(number) * (unit?.seconds ?? 1)
        guard seconds <= maximumSeconds else {
            throw UsageError("\(option) must be at most 24h, got '\(text)'", for: spec)
        }
        return seconds
    }
}
