/// The cloud resources one instance owns, in provisioning order.
public enum ResourceKind: String, Sendable, Codable, CaseIterable, Comparable {
    case network
    case key
    case bucket
    case secret
    case database
    case cluster
    case taskDefinition = "task-definition"
    case service
    case dnsRecord = "dns-record"

    /// Position in provisioning order; teardown runs in reverse.
    public var order: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: ResourceKind, b: ResourceKind) -> Bool { a.order < b.order }
}

/// The tags every resource of an instance carries; the executor refuses to touch a resource whose tags name another
/// instance.
public enum ResourceTags {
    public static let instanceKey = "cloudctl:instance"
    public static let fleetKey = "cloudctl:fleet"

    public static func tags(instance: String, fleet: String) -> [String: String] {
        [instanceKey: instance, fleetKey: fleet]
    }
}
