/// How the cloud differs from what cloudctl knows (docs/drift.md).
public enum DriftKind: String, Hashable, Sendable, CaseIterable {
    /// Recorded (or desired) but not in the cloud.
    case missing
    /// In the cloud, but an attribute or ensured setting differs from what was last applied.
    case changed
    /// Tagged for the fleet, but no instance file and no record claim it.
    case unmanaged
    /// An instance file never applied.
    case onlyInGit = "only-in-git"
}

/// One difference between the cloud and cloudctl's files and records.
public struct DriftFinding: Hashable, Sendable {
    /// Nil when the resource names no instance.
    public var instance: String?
    /// Nil for an instance-level finding (`only-in-git`).
    public var resource: ResourceKind?
    public var drift: DriftKind
    /// The attribute or setting that differs (`changed` only).
    public var attribute: String?
    public var expected: String?
    public var observed: String?
    public var cloudId: String?

    public init(
        instance: String?, resource: ResourceKind?, drift: DriftKind, attribute: String? = nil,
        expected: String? = nil, observed: String? = nil, cloudId: String? = nil
    ) {
        self.instance = instance
        self.resource = resource
        self.drift = drift
        self.attribute = attribute
        self.expected = expected
        self.observed = observed
        self.cloudId = cloudId
    }
}

extension DriftFinding {
    /// What differs, in words, without the kind, resource or cloud id ("class: expected db.t3.small, observed …").
    public var summary: String {
        switch drift {
        case .missing: "not in the cloud" + (expected.map { " (expected \($0))" } ?? "")
        case .changed: "\(attribute ?? "value"): expected \(expected ?? "-"), observed \(observed ?? "-")"
        case .unmanaged: "tagged for the fleet, no file and no record"
        case .onlyInGit: "the instance file was never applied"
        }
    }
}

/// Counts of findings per kind.
public struct DriftSummary: Hashable, Sendable {
    public var counts: [DriftKind: Int] = [:]
    public init(_ findings: [DriftFinding]) {
        for finding in findings { counts[finding.drift, default: 0] += 1 }
    }
    public subscript(kind: DriftKind) -> Int { counts[kind] ?? 0 }
    public var total: Int { counts.values.reduce(0, +) }
    public var inSync: Bool { total == 0 }
}
