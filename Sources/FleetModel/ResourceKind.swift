/// The cloud resources one instance owns, in provisioning order.
public enum ResourceKind: String, Sendable, Codable, CaseIterable, Comparable {
    case network
    /// The database's own security group and the ingress rules of both groups (database from app only, app from the
    /// fleet's ingress only).
    case securityRules = "security-rules"
    case key
    case bucket
    case secret
    /// The instance's CloudWatch Logs group, which its containers write to.
    case logGroup = "log-group"
    case database
    case cluster
    /// The IAM role ECS uses to start the tasks: pull the image, read the secret, write the logs.
    case executionRole = "execution-role"
    /// The IAM role the application runs as: the instance's bucket and key, nothing else.
    case taskRole = "task-role"
    case taskDefinition = "task-definition"
    case service
    case dnsRecord = "dns-record"

    /// Position in provisioning order; teardown runs in reverse.
    public var order: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: ResourceKind, b: ResourceKind) -> Bool { a.order < b.order }

    /// Whether the resource carries the instance's labels as tags: all but the DNS record, which cannot carry tags
    /// (its ownership is a TXT record).
    public var carriesLabels: Bool { self != .dnsRecord }
}

/// The tags every resource of an instance carries; the executor refuses to touch a resource whose tags name another
/// instance.
public enum ResourceTags {
    public static let instanceKey = "cloudctl:instance"
    public static let fleetKey = "cloudctl:fleet"
    /// The prefix of cloudctl's own tag keys: never a label, never changed or removed by a label change.
    public static let ownPrefix = "cloudctl:"
    /// The most tags cloudctl itself puts on one resource: instance and fleet, plus `cloudctl:retain-until` on what a
    /// teardown keeps. Labels share the cloud's per-resource tag limit with them.
    public static let ownTagsAtMost = 3

    public static func tags(instance: String, fleet: String) -> [String: String] {
        [instanceKey: instance, fleetKey: fleet]
    }
}
