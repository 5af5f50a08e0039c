import Foundation

extension MaintenanceWindow {
    /// Shortest and longest allowed window, in minutes.
    public static let durationLimits = 30...(24 * 60)

    /// Minutes after local midnight for `HH:MM` (24-hour clock); nil when malformed.
    public static func minutes(ofStart text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":"),
            let hours = number(bytes[0..<2]), let minutes = number(bytes[3..<5]),
            hours < 24, minutes < 60
        else { return nil }
        return hours * 60 + minutes
    }

    /// Minutes in `"4h"`, `"90m"` or `"1h30m"`; nil when malformed or outside `durationLimits`.
    public static func minutes(ofDuration text: String) -> Int? {
        var total = 0
        var digits: [UInt8] = []
        var sawUnit = false
        var sawMinutes = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(byte)
            case UInt8(ascii: "h") where !sawUnit, UInt8(ascii: "m") where !sawMinutes:
                guard let n = number(digits) else { return nil }
                total += byte == UInt8(ascii: "h") ? n * 60 : n
                sawUnit = true
                sawMinutes = byte == UInt8(ascii: "m")
                digits = []
            default: return nil
            }
        }
        guard sawUnit, digits.isEmpty, durationLimits.contains(total) else { return nil }
        return total
    }

    /// True when `date` falls inside this weekly window, read in the window's time zone.
    /// A window may run past midnight and past the end of the week (sun 23:00 + 4h covers mon 02:00).
    public func contains(_ date: Date) -> Bool {
        guard let startMinutes = Self.minutes(ofStart: start), let length = Self.minutes(ofDuration: duration),
            let zone = TimeZone(identifier: timeZone)
        else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let local = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        guard let weekday = local.weekday, let hour = local.hour, let minute = local.minute,
            let windowDay = Weekday.allCases.firstIndex(of: day)
        else { return false }
        // Calendar weekdays run 1 = Sunday … 7 = Saturday; ours run mon = 0 … sun = 6.
        let today = (weekday + 5) % 7
        var daysBack = (today - windowDay + 7) % 7
        if daysBack == 0 && hour * 60 + minute < startMinutes { daysBack = 7 }
        // Windows last at most a day, so only the most recent start can cover `date`.
        guard let startDay = calendar.date(byAdding: .day, value: -daysBack, to: calendar.startOfDay(for: date)),
            let windowStart = calendar.date(
                bySettingHour: startMinutes / 60, minute: startMinutes % 60, second: 0, of: startDay)
        else { return false }
        return date >= windowStart && date < windowStart.addingTimeInterval(TimeInterval(length * 60))
    }

    /// When the window next opens after `date` (a window already open at `date` counts from its next week);
    /// nil when the window is malformed.
    public func nextStart(after date: Date) -> Date? {
        guard let startMinutes = Self.minutes(ofStart: start), let zone = TimeZone(identifier: timeZone),
            let windowDay = Weekday.allCases.firstIndex(of: day)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let today = calendar.startOfDay(for: date)
        // Eight days: today's start may already have passed, so the same weekday a week on is the last candidate.
        for offset in 0...7 {
            guard let candidateDay = calendar.date(byAdding: .day, value: offset, to: today),
                let weekday = calendar.dateComponents([.weekday], from: candidateDay).weekday,
                (weekday + 5) % 7 == windowDay,
                let opens = calendar.date(
                    bySettingHour: startMinutes / 60, minute: startMinutes % 60, second: 0, of: candidateDay),
                opens > date
            else { continue }
            return opens
        }
        return nil
    }

    /// `2026-12-06 07:00 UTC`, how views show when a window opens: minutes are all it needs, and UTC reads the same
    /// on every host.
    public static func utcMinutes(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let two = { (n: Int?) in n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)) UTC"
    }

    /// Digits only, as a number; nil when empty or not all digits.
    private static func number(_ digits: some Collection<UInt8>) -> Int? {
        let isDigit = { (b: UInt8) in b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy(isDigit) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }
}
