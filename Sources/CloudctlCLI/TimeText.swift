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

    /// A JSON encoder for status and history: sorted keys, ISO 8601 dates.
    static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
