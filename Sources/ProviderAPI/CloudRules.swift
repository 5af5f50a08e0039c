/// A value from the fleet or an instance file that becomes part of a cloud resource, so its cloud may limit it.
public enum CloudField: Sendable, Hashable {
    /// The fleet's `name` (part of every resource name).
    case fleetName(String)
    /// An instance's `name`, with the fleet's name when the fleet file provided one.
    case instanceName(String, fleet: String?)
    /// An instance's `region`.
    case region(String)
    /// A tier's `databaseClass`.
    case databaseClass(String)
    /// A tier's `storageGB`.
    case storageGB(Int)
    /// A tier's `cpu` units.
    case cpu(Int)
    /// The key of an instance's label (a tag on every resource).
    case labelKey(String)
    /// The value of an instance's label.
    case labelValue(String)
    /// How many labels an instance has: each becomes a tag on every resource, next to cloudctl's own.
    case labelCount(Int)
}

/// Why a cloud cannot take a value: a one-line summary and what to do instead (the loader adds file and field path).
public struct CloudRuleProblem: Sendable, Hashable {
    public var summary: String
    public var detail: String
    public init(summary: String, detail: String) {
        self.summary = summary
        self.detail = detail
    }
}

/// A cloud's own limits on fleet and instance values (name lengths, regions, machine sizes), applied by the loader
/// next to its cloud-independent checks, so `validate`, `plan` and `apply` report them with file and field path.
public protocol CloudRules: Sendable {
    /// Why the cloud cannot take `field`'s value, or nil when it can.
    func problem(with field: CloudField) -> CloudRuleProblem?
}
