import Foundation

/// How times are shown: relative for people ("3h ago"), ISO 8601 for machines and history.
enum TimeText {
    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    static func relative(_ date: Date, now: Date) -> String {
        let seconds = Int(now.timeIntervalSince(date))
        if seconds < 0 { return iso(date) }
        if seconds < 60 { return "just now" }
        return duration(seconds) + " ago"
    }

    /// "45s", "12m", "3h", "2d" (the largest unit only).
    static func duration(_ seconds: Int) -> String {
        switch seconds {
        case ..<60: "\(seconds)s"
        case ..<3600: "\(seconds / 60)m"
        case ..<86400: "\(seconds / 3600)h"
        default: "\(seconds / 86400)d"
        }
    }

    /// The start of a `--since` window: a duration back from `now` (`45s`, `30m`, `12h`, `2d`), an ISO 8601 date
    /// (`2026-11-20`, midnight UTC) or date-time (`2026-11-20T18:00:00Z`); nil when it is none of these.
    static func since(_ text: String, now: Date) -> Date? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let unit = text.last.flatMap({ units[$0] }), let count = Int(text.dropLast()), count >= 0 {
            return now.addingTimeInterval(-Double(count) * Double(unit))
        }
        return (try? Date(text, strategy: .iso8601))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()))
    }

    /// A JSON encoder for status and history: sorted keys, ISO 8601 dates.
    static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
