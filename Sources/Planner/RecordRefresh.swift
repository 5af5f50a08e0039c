import FleetModel

/// Recorded state corrected from an observation of the cloud (`plan --refresh`, `apply --refresh`). Pure.
///
/// A resource the cloud lost is dropped from the record, so the planner creates it again; one whose attributes or
/// ensured settings differ gets the observed ones, so the planner sets it back. The kinds corrected that way are
/// returned as `drifted`: their steps say so, and they are repairs.
public enum RecordRefresh {
    /// The corrected record and the resources that drifted (changed, not missing).
    public struct Outcome: Hashable, Sendable {
        public var record: RecordedInstance
        public var drifted: Set<ResourceKind>
        /// True when anything in the record differs from before.
        public var corrected: Bool
    }

    /// `inputsHash` of a resource whose attributes match but whose ensured settings do not: never a desired hash,
    /// so the planner re-ensures it.
    public static let settingsDriftedHash = "drifted-settings"

    /// `kinds`: what the observation covers; a recorded resource of another kind is kept as recorded.
    public static func refreshed(
        _ recorded: RecordedInstance, observed: [ObservedResource],
        kinds: Set<ResourceKind> = Set(ResourceKind.allCases)
    ) -> Outcome {
        var record = recorded
        var drifted: Set<ResourceKind> = []
        let byKind = Dictionary(grouping: observed, by: \.kind)
        for (kind, expected) in recorded.resources.sorted(by: { $0.key < $1.key }) where kinds.contains(kind) {
            guard let match = match(expected, in: byKind[kind] ?? []) else {
                record.resources[kind] = nil
                switch kind {
                case .network: record.network = nil
                case .database: record.storageGB = nil
                case .dnsRecord: record.domain = nil
                default: break
                }
                continue
            }
            let attributes = match.attributes ?? expected.attributes
            let differs = attributes != nil && attributes != expected.attributes
            guard differs || !match.deviations.isEmpty else {
                record.resources[kind]?.cloudId = match.cloudId
                continue
            }
            drifted.insert(kind)
            let hash = match.deviations.isEmpty ? (attributes?.hash ?? expected.inputsHash) : settingsDriftedHash
            record.resources[kind] = RecordedResource(
                cloudId: match.cloudId, inputsHash: hash, attributes: attributes, labels: expected.labels)
            switch attributes {
            case .database(let d)?: record.storageGB = d.storageGB
            case .taskDefinition(let t)?: record.runningVersion = t.version
            case .dnsRecord(let r)?: record.domain = r.domain
            default: break
            }
        }
        return Outcome(record: record, drifted: drifted, corrected: record != recorded)
    }

    /// The observed resource that is the recorded one: the same cloud id, else the only (first) one of the kind.
    static func match(_ expected: RecordedResource, in candidates: [ObservedResource]) -> ObservedResource? {
        candidates.first { $0.cloudId == expected.cloudId } ?? candidates.first
    }
}
