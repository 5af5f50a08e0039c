import Foundation
import FleetModel

/// The cloud names of one instance's resources, all derived from fleet + instance so a lost record never causes a
/// duplicate.
public struct ResourceNames: Sendable, Equatable {
    public let fleet: String
    public let instance: String

    public init(fleet: String, instance: String) {
        self.fleet = fleet
        self.instance = instance
    }

    /// `cloudctl-<fleet>-<name>`: the name of the bucket, database, cluster, task family, security group.
    public var prefix: String { "cloudctl-\(fleet)-\(instance)" }
    /// S3 bucket names are lowercase and at most 63 characters; a longer prefix is shortened with a stable hash suffix.
    public var bucket: String { Self.bucketName(prefix) }
    /// The fleet's archive bucket in `region` that `snapshot bucket` copies into before teardown. Buckets are global
    /// but live in one region (another region's client gets PermanentRedirect), so each region has its own.
    /// Fleet names are at most 30 characters, so this fits S3's 63 for every region name.
    public func archiveBucket(region: String) -> String { Self.bucketName("cloudctl-\(fleet)-archive-\(region)") }
    public var keyAlias: String { "alias/\(prefix)" }
    /// The fleet's archive key of a region (KMS aliases are regional): encrypts final snapshot copies and the archive
    /// bucket, and is never scheduled for deletion by cloudctl, so archives outlive the instance keys.
    public var archiveKeyAlias: String { "alias/cloudctl-\(fleet)-archive" }
    public var secret: String { "cloudctl/\(fleet)/\(instance)/database" }
    public var database: String { prefix }
    public var dbSubnetGroup: String { prefix }
    public var cluster: String { prefix }
    public var taskFamily: String { prefix }
    /// Family of the one-off migration task; `--` cannot occur in an instance name, so it never equals another
    /// instance's application family (`<name>-migrate` could).
    public var migrationFamily: String { "\(prefix)--migrate" }
    /// `startedBy` of the migration task to `version`, so a re-run finds the task an earlier run started
    /// (ECS allows up to 128 letters, digits, hyphens and underscores).
    public static func migrationStartedBy(version: String) -> String {
        String(
            ("cloudctl-migrate-" + version).map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "-" }
                .prefix(128))
    }
    public var service: String { "app" }
    public var securityGroup: String { prefix }
    /// The database's own security group, in the instance's VPC: PostgreSQL from the application's group only.
    public var databaseSecurityGroup: String { "\(prefix)-db" }
    /// CloudWatch Logs group of the instance's containers.
    public var logGroup: String { "/cloudctl/\(fleet)/\(instance)" }
    /// IAM path of the fleet's roles: IAM is global, so the path keeps a fleet's roles together across regions.
    public var rolePath: String { "/cloudctl/\(fleet)/" }
    /// The role ECS starts the instance's tasks with.
    public var executionRole: String { Self.roleName("\(prefix)-execution") }
    /// The role the instance's application runs as.
    public var taskRole: String { Self.roleName("\(prefix)-task") }
    /// The tags every resource carries.
    public var tags: [String: String] { ResourceTags.tags(instance: instance, fleet: fleet) }

    /// Route 53 ownership TXT record next to the CNAME (records cannot carry tags).
    public static func ownershipRecord(domain: String) -> String { "_cloudctl.\(domain)" }
    /// Quoted TXT value naming the owner.
    public var ownershipValue: String {
        "\"\(ResourceTags.instanceKey)=\(instance),\(ResourceTags.fleetKey)=\(fleet)\""
    }

    /// `<P>-<purpose>-<suffix>` made a valid RDS identifier: starts with a letter, letters, digits and single hyphens,
    /// ≤ 255 characters. The purpose is `final` or `pre-upgrade-<target version>`; the suffix is the database's
    /// creation stamp.
    public func snapshotId(purpose: String, suffix: String) -> String {
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

    /// `20261121t200554` from an ISO 8601 time such as `2026-11-21T20:05:54.123Z`: a stable name part for
    /// one incarnation of a resource (its creation time), used in final snapshot ids and archive prefixes.
    static func stamp(iso8601 time: String) -> String {
        let digits = time.filter { $0.isASCII && $0.isNumber }.prefix(14)
        return digits.count > 8 ? String(digits.prefix(8)) + "t" + String(digits.dropFirst(8)) : String(digits)
    }

    /// IAM role names are unique per account and at most 64 characters; a longer one is shortened with a stable hash.
    static func roleName(_ raw: String) -> String {
        guard raw.count > 64 else { return raw }
        let hash = String(ContentHash.sha256Hex(raw).prefix(8))
        var head = String(raw.prefix(55))
        while head.last == "-" { head.removeLast() }
        return head + "-" + hash
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
