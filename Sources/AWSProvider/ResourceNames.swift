import Foundation
import FleetModel

/// The cloud names of one instance's resources, all derived from fleet + instance so a lost record never causes a duplicate.
public struct ResourceNames: Sendable, Equatable {
    public let fleet: String
    public let instance: String

    public init(fleet: String, instance: String) { self.fleet = fleet; self.instance = instance }

    /// `cloudctl-<fleet>-<name>`: the name of the bucket, database, cluster, task family, security group.
    public var prefix: String { "cloudctl-\(fleet)-\(instance)" }
    /// S3 bucket names are lowercase and at most 63 characters; a longer prefix is shortened with a stable hash suffix.
    public var bucket: String { Self.bucketName(prefix) }
    /// The fleet's archive bucket that `snapshot bucket` copies into before teardown.
    public var archiveBucket: String { Self.bucketName("cloudctl-\(fleet)-archive") }
    public var keyAlias: String { "alias/\(prefix)" }
    public var secret: String { "cloudctl/\(fleet)/\(instance)/database" }
    public var database: String { prefix }
    public var dbSubnetGroup: String { prefix }
    public var cluster: String { prefix }
    public var taskFamily: String { prefix }
    /// Family of the one-off migration task.
    public var migrationFamily: String { "\(prefix)-migrate" }
    public var service: String { "app" }
    public var securityGroup: String { prefix }
    /// The tags every resource carries.
    public var tags: [String: String] { ResourceTags.tags(instance: instance, fleet: fleet) }

    /// Route 53 ownership TXT record next to the CNAME (records cannot carry tags).
    public static func ownershipRecord(domain: String) -> String { "_cloudctl.\(domain)" }
    /// Quoted TXT value naming the owner.
    public var ownershipValue: String { "\"\(ResourceTags.instanceKey)=\(instance),\(ResourceTags.fleetKey)=\(fleet)\"" }

    /// `<P>-<purpose>-<version or timestamp>` made a valid RDS identifier: letters, digits and single hyphens, ≤ 255 characters.
    public func snapshotId(purpose: String, version: String?, now: Date = Date()) -> String {
        let suffix = version ?? Self.timestamp(now)
        let raw = "\(prefix)-\(purpose)-\(suffix)".lowercased()
        var id = ""
        for c in raw {
            let ok = (c.isASCII && (c.isLetter || c.isNumber))
            let next: Character = ok ? c : "-"
            if next == "-", id.isEmpty || id.last == "-" { continue }
            id.append(next)
        }
        while id.last == "-" { id.removeLast() }
        if id.first.map({ !$0.isLetter }) ?? true { id = "s" + id }
        return String(id.prefix(255))
    }

    static func timestamp(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss"
        return f.string(from: date)
    }

    static func bucketName(_ raw: String) -> String {
        let name = raw.lowercased()
        guard name.count > 63 else { return name }
        // Keep most of the readable name, then 8 hex digits of its hash so two long names stay distinct.
        let hash = String(ContentHash.sha256Hex(name).prefix(8))
        var head = String(name.prefix(54))
        while head.last == "-" { head.removeLast() }
        return head + "-" + hash
    }
}
