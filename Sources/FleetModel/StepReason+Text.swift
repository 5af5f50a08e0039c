/// The words for a step's reason: the `reason` text of the plan format and of every view.
extension PlanStep {
    public var reasonText: String {
        switch reason {
        case .provision: creation
        case .missing: "missing: " + creation
        case .settingsChanged: "settings changed"
        case .resize(let from, let to):
            from.map { "tier \($0) → \(to): " + changedFields } ?? "tier \(to): " + changedFields
        case .fleetSettingsChanged:
            before == nil
                ? "fleet settings changed (tier definition or image)" : "fleet settings changed: " + changedFields
        case .upgradeHop(let from, let to, let hop, let of): "upgrade \(from) → \(to) (hop \(hop) of \(of))"
        case .beforeUpgrade(let to): "before upgrade to \(to)"
        case .verify(let version): "verify \(version)"
        case .suspend: "suspend"
        case .resume: "resume"
        case .startForChanges: "start for changes while suspended"
        case .domainMove(let from, let to): "domain \(from) → \(to)"
        case .finalSnapshot: "final snapshot before teardown"
        case .teardown: "teardown"
        case .drifted: "drifted in the cloud: " + driftedFields
        case .labelsChanged: "labels: " + labelChanges
        }
    }

    /// "team=a → team=b, +env=prod, -costcenter": what a label step changes, key by key.
    private var labelChanges: String {
        guard case .labels(let before, let after)? = detail else { return "no visible change" }
        var changes: [String] = []
        for key in Set(before.keys).union(after.keys).sorted() {
            switch (before[key], after[key]) {
            case (let old?, let new?) where old != new: changes.append("\(key)=\(old) → \(key)=\(new)")
            case (nil, let new?): changes.append("+\(key)=\(new)")
            case (_?, nil): changes.append("-\(key)")
            default: break
            }
        }
        return changes.isEmpty ? "no visible change" : changes.joined(separator: ", ")
    }

    /// What creating the resource makes, for the reviewer of a plan (sizes, image, record).
    private var creation: String {
        switch (resource, after) {
        case (.network, .placement(let p)?): "network with 2 subnets and a security group in \(p.region)"
        case (.key, _): "encryption key"
        case (.bucket, _): "bucket, encrypted with the key, no public access"
        case (.secret, _): "generated database password"
        case (.database, .database(let d)?): "PostgreSQL \(d.databaseClass), \(d.storageGB) GiB"
        case (.cluster, _): "container cluster"
        case (.securityRules, .securityRules(let s)?):
            "database security group; " + ResourceAttributes.securityRules(s).summary
        case (.logGroup, .logGroup(let l)?): "log group, events kept \(l.retentionDays) days"
        case (.executionRole, _): "role ECS starts the tasks with: pull the image, read the secret, write the logs"
        case (.taskRole, _): "role the application runs as: its bucket and key only"
        case (.taskDefinition, .taskDefinition(let t)?): "\(t.imageReference), \(t.cpu) CPU units, \(t.memory) MiB"
        case (.service, .service(let s)?):
            s.replicas == 0 ? "0 replicas (suspended)" : ResourceAttributes.service(s).summary
        case (.dnsRecord, .dnsRecord(let r)?): "\(r.domain) → \(r.target)"
        default: resource.rawValue
        }
    }

    /// "databaseClass db.t3.micro → db.t3.medium, storageGB 20 → 50": the fields `after` changes.
    /// What a drift repair sets back: the attributes, or the ensured settings (encryption, key state) of a resource
    /// whose attributes match.
    private var driftedFields: String {
        let fields = changedFields
        return before == nil || fields == "no visible change" ? "ensured settings set back" : fields
    }

    private var changedFields: String {
        let old = Dictionary((before?.fields ?? []).map { ($0.name, $0.value.text) }) { a, _ in a }
        let changes = (after?.fields ?? []).filter { old[$0.name] != $0.value.text }
            .map { "\($0.name) \(old[$0.name] ?? "none") → \($0.value.text)" }
        return changes.isEmpty ? "no visible change" : changes.joined(separator: ", ")
    }
}
