import Foundation
import FleetModel

/// What a teardown keeps, and until when: the final snapshot copy and the archived objects carry
/// `cloudctl:retain-until`, the first day they may be removed (today + the fleet's retention).
extension InstanceScope {
    /// The fleet's retention. The one place the provider reads it; step values may carry it later.
    var retention: RetentionPeriod { context.fleet.retention }

    /// The instance's tags plus `cloudctl:retain-until=YYYY-MM-DD` (UTC).
    func archiveTags(now: Date = Date()) -> [String: String] {
        let until = now.addingTimeInterval(Double(retention.days) * 86_400)
        let format = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).year().month().day()
        return tags.merging([ArchiveTags.retainUntilKey: until.formatted(format)]) { _, new in new }
    }
}

/// Tag keys of archived data.
enum ArchiveTags {
    static let retainUntilKey = "cloudctl:retain-until"
}
