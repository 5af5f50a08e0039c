import Foundation
import FleetModel
import ProviderAPI

/// What a teardown keeps, and until when: the final snapshot copy and the archived objects carry
/// `cloudctl:retain-until`, the first day they may be removed (today + the fleet's retention).
extension InstanceScope {
    /// The fleet's retention, as the teardown's snapshot step (or the log group's `keep`) carries it.
    var retention: RetentionPeriod {
        get throws {
            if case .keep(let retention)? = step.detail { return retention }
            guard case .final(let retention) = try snapshotPurpose() else {
                throw CloudError(
                    kind: .validation, operation: "cloudctl:snapshot", code: "MalformedStep",
                    message: "only a final snapshot archives data")
            }
            return retention
        }
    }

    /// The instance's tags plus `cloudctl:retain-until=YYYY-MM-DD` (UTC).
    func archiveTags(now: Date = Date()) throws -> [String: String] {
        let until = now.addingTimeInterval(Double(try retention.days) * 86_400)
        let format = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).year().month().day()
        return tags.merging([ArchiveTags.retainUntilKey: until.formatted(format)]) { _, new in new }
    }

    /// `archiveTags` without the labels, for archived S3 objects: S3 allows 10 tags per object, which more than
    /// seven labels would overflow (failing the teardown), and cost allocation reads bucket tags, not object tags.
    func archiveObjectTags(now: Date = Date()) throws -> [String: String] {
        try archiveTags(now: now).filter { $0.key.hasPrefix(ResourceTags.ownPrefix) }
    }
}

/// Tag keys of archived data.
enum ArchiveTags {
    static let retainUntilKey = "cloudctl:retain-until"
}
