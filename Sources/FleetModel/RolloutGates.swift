/// A length of time written in a fleet file (`"48h"`, `"30m"`, `"5s"`, `"2d"`, `"500ms"`), held in milliseconds.
public struct GateDuration: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public init(seconds: Int64) { self.milliseconds = seconds * 1000 }

    /// Units a fleet file may use, largest first so `description` picks the largest exact one.
    private static let units: [(suffix: String, milliseconds: Int64)] = [
        ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
    ]
    /// At most a year: a longer gate is a typo, not a plan.
    public static let maximum = GateDuration(milliseconds: 366 * 86_400_000)

    /// `"48h"` → 48 hours; nil for anything else (no unit, a sign, a fraction, zero allowed only with `allowZero`).
    public init?(parsing text: String, allowZero: Bool = false) {
        // "ms" before "m"/"s": the longest suffix that matches wins.
        let byLength = Self.units.sorted { $0.suffix.count > $1.suffix.count }
        guard let unit = byLength.first(where: { text.hasSuffix($0.suffix) }) else { return nil }
        let digits = text.dropLast(unit.suffix.count)
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let number = Int64(digits)
        else { return nil }
        let value = GateDuration(milliseconds: number * unit.milliseconds)
        guard value <= Self.maximum, allowZero || number > 0 else { return nil }
        self = value
    }

    public var seconds: Double { Double(milliseconds) / 1000 }

    /// The largest unit that divides the value exactly: 172800000 ms → "48h".
    public var description: String {
        guard milliseconds > 0 else { return "0s" }
        let unit = Self.units.first { milliseconds % $0.milliseconds == 0 } ?? ("ms", 1)
        // Days read worse than hours for bake times ("2d" vs "48h"), so hours win up to a week.
        if unit.suffix == "d", milliseconds < 7 * 86_400_000 { return "\(milliseconds / 3_600_000)h" }
        return "\(milliseconds / unit.milliseconds)\(unit.suffix)"
    }

    public static func < (a: GateDuration, b: GateDuration) -> Bool { a.milliseconds < b.milliseconds }
}

/// How many instances of a wave may fail before the rollout halts there (`maxFailures`).
public enum FailureBudget: Hashable, Sendable, Codable, CustomStringConvertible {
    /// At most this many failed instances.
    case count(Int)
    /// At most this share of the wave's instances, rounded down.
    case percent(Int)

    /// Failed instances allowed in a wave of `total` instances.
    public func allowed(of total: Int) -> Int {
        switch self {
        case .count(let n): n
        case .percent(let p): total * p / 100
        }
    }

    /// `"3"` is written as the number 3 in the file; `"10%"` as a string.
    public var description: String {
        switch self {
        case .count(let n): "\(n)"
        case .percent(let p): "\(p)%"
        }
    }
}

/// The fleet's application health probe (`health` in `_fleet.json`); `url` may hold `{domain}` and `{name}`.
public struct HealthProbe: Hashable, Sendable, Codable {
    public var url: String
    public var expectStatus: Int
    /// Response header that must carry the version just deployed; nil means the status alone decides.
    public var versionHeader: String?
    /// Bounds one request.
    public var timeout: GateDuration
    /// Bounds the whole check, retries included.
    public var deadline: GateDuration

    public static let defaultTimeout = GateDuration(seconds: 5)
    public static let defaultDeadline = GateDuration(seconds: 600)
    /// The placeholders `url` may use.
    public static let placeholders = ["{domain}", "{name}"]

    public init(
        url: String, expectStatus: Int = 200, versionHeader: String? = nil, timeout: GateDuration = defaultTimeout,
        deadline: GateDuration = defaultDeadline
    ) {
        self.url = url
        self.expectStatus = expectStatus
        self.versionHeader = versionHeader
        self.timeout = timeout
        self.deadline = deadline
    }

    /// The probe of one instance: the placeholders replaced by its domain and name.
    public func expanded(domain: String, name: String) -> HealthProbe {
        var probe = self
        probe.url = url.replacingOccurrences(of: "{domain}", with: domain).replacingOccurrences(
            of: "{name}", with: name)
        return probe
    }
}
