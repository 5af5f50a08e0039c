/// What the cloud's naming rules demand of instance names, since resource names derive from them
/// (`cloudctl-<fleet>-<name>` is an S3 bucket and an RDS identifier).
enum DerivedNameRules {
    /// S3 bucket names and RDS identifiers are at most 63 characters.
    static let maxLength = 63
    /// Names the fleet itself uses: `cloudctl-<fleet>-archive-<region>` are the archive buckets of final snapshots.
    static let reservedPrefix = "archive"

    /// Why `instance` cannot be used, or nil when it can.
    static func problem(instance: String, fleet: String?) -> String? {
        if instance == reservedPrefix || instance.hasPrefix(reservedPrefix + "-") {
            return
                "\"\(reservedPrefix)\" and names starting with \"\(reservedPrefix)-\" are reserved for the fleet's "
                + "archive buckets; choose another"
        }
        if instance.hasSuffix("-") || instance.contains("--") {
            return "RDS identifiers may not end with '-' or contain \"--\"; remove the extra hyphen"
        }
        if let fleet, "cloudctl-\(fleet)-\(instance)".count > maxLength {
            let room = maxLength - "cloudctl-\(fleet)-".count
            return
                "cloudctl-\(fleet)-\(instance) is longer than \(maxLength) characters (S3 and RDS limit); "
                + "use at most \(room) characters"
        }
        return nil
    }
}
