/// What the cloud's naming rules demand of instance names, since resource names derive from them
/// (`cloudctl-<fleet>-<name>` is an S3 bucket and an RDS identifier).
enum DerivedNameRules {
    /// S3 bucket names and RDS identifiers are at most 63 characters.
    static let maxLength = 63
    /// Names the fleet itself uses: `cloudctl-<fleet>-archive` is the archive bucket of final snapshots.
    static let reserved: Set<String> = ["archive"]

    /// Why `instance` cannot be used, or nil when it can.
    static func problem(instance: String, fleet: String?) -> String? {
        if reserved.contains(instance) {
            return "\"\(instance)\" is reserved: the fleet's \(instance) bucket uses that name; choose another"
        }
        if instance.hasSuffix("-") || instance.contains("--") {
            return "RDS identifiers may not end with '-' or contain \"--\"; remove the extra hyphen"
        }
        if let fleet, "cloudctl-\(fleet)-\(instance)".count > maxLength {
            let room = maxLength - "cloudctl-\(fleet)-".count
            return "cloudctl-\(fleet)-\(instance) is longer than \(maxLength) characters (S3 and RDS limit); use at most \(room) characters"
        }
        return nil
    }
}
