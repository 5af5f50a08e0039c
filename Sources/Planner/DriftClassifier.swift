import FleetModel

/// What drift is judged from: the files, the records and one observation of the cloud. All values.
public struct DriftInput: Sendable {
    public var specs: [InstanceSpec]
    public var recorded: [RecordedInstance]
    public var observation: CloudObservation
    /// Only these instances; nil means all, and then resources of unknown instances are reported too.
    public var selection: Set<String>?

    public init(
        specs: [InstanceSpec], recorded: [RecordedInstance], observation: CloudObservation,
        selection: Set<String>? = nil
    ) {
        self.specs = specs
        self.recorded = recorded
        self.observation = observation
        self.selection = selection
    }
}

/// Files + records + observed cloud → findings (docs/drift.md). Pure.
///
/// The cloud is compared with what was last applied (the record), not with the files: an edited file that was not
/// applied yet is a plan, not drift.
public enum DriftClassifier {
    public static func findings(_ input: DriftInput) -> [DriftFinding] {
        let specs = Dictionary(input.specs.map { ($0.name, $0) }) { first, _ in first }
        let recorded = Dictionary(input.recorded.map { ($0.name, $0) }) { first, _ in first }
        let known = Set(specs.keys).union(recorded.keys)
        var findings: [DriftFinding] = []
        for name in known.sorted() where input.selection?.contains(name) ?? true {
            let region = recorded[name]?.region ?? specs[name]?.region ?? ""
            // An instance in a region that was not scanned: nothing can be said about it.
            guard input.observation.regions.contains(region) else { continue }
            findings += instanceFindings(
                name, spec: specs[name], recorded: recorded[name],
                observed: input.observation.resources(of: name), kinds: input.observation.kinds)
        }
        // Tagged for the fleet, claimed by no file and no record: leftovers, or an instance made by hand.
        if input.selection == nil {
            for name in input.observation.instances.keys.sorted() where !known.contains(name) {
                findings += input.observation.resources(of: name).map { unmanaged($0, instance: name) }
            }
        }
        return findings
    }

    private static func instanceFindings(
        _ name: String, spec: InstanceSpec?, recorded: RecordedInstance?, observed: [ObservedResource],
        kinds: Set<ResourceKind>
    ) -> [DriftFinding] {
        guard let recorded, recorded.provisioned || !recorded.resources.isEmpty || recorded.state == .deleted else {
            // A file nobody applied: whatever the cloud has under its name is adopted by its first apply.
            guard let spec, spec.state != .deleted else { return [] }
            return [DriftFinding(instance: name, resource: nil, drift: .onlyInGit)]
        }
        var findings: [DriftFinding] = []
        let byKind = Dictionary(grouping: observed, by: \.kind)
        for kind in ResourceKind.allCases where kinds.contains(kind) {
            let candidates = byKind[kind] ?? []
            guard let expected = recorded.resources[kind] else {
                // A torn-down instance should have nothing left; a live one adopts an unrecorded resource on apply.
                if recorded.state == .deleted { findings += candidates.map { unmanaged($0, instance: name) } }
                continue
            }
            guard let match = RecordRefresh.match(expected, in: candidates) else {
                findings.append(
                    DriftFinding(
                        instance: name, resource: kind, drift: .missing, expected: expected.attributes?.summary,
                        cloudId: expected.cloudId))
                continue
            }
            findings += changes(name, kind, expected: expected, observed: match)
            // A second resource of the kind tagged for this instance (made by hand, or a lost create) is not the one
            // recorded.
            findings += candidates.filter { $0 != match }.map { unmanaged($0, instance: name) }
        }
        return findings
    }

    /// One finding per differing attribute and per deviating ensured setting.
    private static func changes(
        _ name: String, _ kind: ResourceKind, expected: RecordedResource, observed: ObservedResource
    ) -> [DriftFinding] {
        var findings: [DriftFinding] = []
        if let want = expected.attributes, let have = observed.attributes {
            let seen = Dictionary(have.fields.map { ($0.name, $0.value.text) }) { first, _ in first }
            for field in want.fields where seen[field.name] != field.value.text {
                findings.append(
                    DriftFinding(
                        instance: name, resource: kind, drift: .changed, attribute: field.name,
                        expected: field.value.text, observed: seen[field.name], cloudId: observed.cloudId))
            }
        }
        for deviation in observed.deviations {
            findings.append(
                DriftFinding(
                    instance: name, resource: kind, drift: .changed, attribute: deviation.attribute,
                    expected: deviation.expected, observed: deviation.observed, cloudId: observed.cloudId))
        }
        return findings
    }

    private static func unmanaged(_ resource: ObservedResource, instance: String?) -> DriftFinding {
        DriftFinding(
            instance: instance, resource: resource.kind, drift: .unmanaged, observed: resource.attributes?.summary,
            cloudId: resource.cloudId)
    }
}
