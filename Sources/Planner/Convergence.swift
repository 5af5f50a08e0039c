import FleetModel

/// Steps that bring an instance to a desired `active` or `suspended` state, from nothing or from what is recorded.
struct Convergence {
    let desired: DesiredResources
    /// What is recorded; nil (or no resources) means the instance is provisioned from scratch.
    let recorded: RecordedInstance?

    private var spec: InstanceSpec { desired.spec }
    private var fleet: Fleet { desired.fleet }

    /// What creating `kind` makes, for the reviewer of a plan (sizes, image, record).
    private func creation(_ kind: ResourceKind) -> String {
        let tier = desired.tier
        switch kind {
        case .network: return "network with 2 subnets and a security group in \(spec.region)"
        case .key: return "encryption key"
        case .bucket: return "bucket, encrypted with the key, no public access"
        case .secret: return "generated database password"
        case .database: return "PostgreSQL \(tier.databaseClass), \(tier.storageGB) GiB"
        case .cluster: return "container cluster"
        case .taskDefinition: return "\(fleet.image):\(spec.version), \(tier.cpu) CPU units, \(tier.memory) MiB"
        case .service:
            return spec.state == .suspended ? "0 replicas (suspended)" : tier.replicas == 1 ? "1 replica" : "\(tier.replicas) replicas"
        case .dnsRecord: return "\(spec.domain) → \(fleet.dns.target)"
        }
    }

    /// The ordered steps, or the problems that forbid planning this instance.
    func steps() -> Result<[PlanStep], ProblemList> {
        let resources = recorded?.resources ?? [:]
        var list = StepList(instanceExists: !resources.isEmpty)
        var problems: [InstanceProblem] = []
        let want = ResourceInputs(desired)
        func changed(_ kind: ResourceKind) -> Bool { resources[kind].map { $0.inputsHash != want[kind].hash } ?? false }
        func add(_ action: StepAction, _ kind: ResourceKind, _ reason: String) {
            list.add(action, kind, reason, inputs: want[kind].inputs, inputsHash: want[kind].hash)
        }

        // Missing resources first (provisioning, or repairing a failed create); region-only resources never change otherwise.
        for kind in ResourceKind.allCases
        where resources.isEmpty || resources[kind] == nil || (changed(kind) && DesiredResources.regionOnly.contains(kind)) {
            let action: StepAction = resources[kind] == nil ? .create : .update
            let reason = action == .update ? "settings changed" : resources.isEmpty ? creation(kind) : "missing: " + creation(kind)
            add(action, kind, reason)
        }

        let upgrade = upgradeHops(resources: resources, problems: &problems)
        let resizeDatabase = changed(.database)
        if resizeDatabase, let recordedStorage = recorded?.storageGB, desired.tier.storageGB < recordedStorage {
            problems.append(InstanceProblem(
                fieldPath: "size",
                summary: "size \"\(spec.size)\" would shrink the database from \(recordedStorage) GiB to \(desired.tier.storageGB) GiB",
                detail: "database storage can only grow; choose a tier with at least \(recordedStorage) GiB"))
        }
        if !problems.isEmpty { return .failure(ProblemList(problems: problems)) }

        // A stopped database must run for migrations and changes; a suspended instance stops it again at the end.
        var databaseRunning = recorded?.state != .suspended || resources[.database] == nil
        let resuming = recorded?.state == .suspended && spec.state == .active && !resources.isEmpty
        if !databaseRunning && (resuming || resizeDatabase || !upgrade.isEmpty) {
            add(.start, .database, resuming ? "resume" : "start for changes while suspended")
            databaseRunning = true
        }
        if resizeDatabase {
            add(.update, .database, resizeReason(.database))
        }
        addUpgrade(upgrade, to: &list)
        if upgrade.isEmpty && changed(.taskDefinition) {
            add(.update, .taskDefinition, resizeReason(.taskDefinition))
        }
        if changed(.service) {
            let reason = spec.state == .suspended ? "suspend" : resuming ? "resume" : resizeReason(.service)
            add(.update, .service, reason)
        }
        if resuming {
            list.add(.healthCheck, .service, "resume", inputs: [StepInput.version: spec.version.description], inputsHash: want[.service].hash)
        }
        if changed(.dnsRecord) {
            var inputs = want[.dnsRecord].inputs
            var reason = "DNS settings changed"
            if let previous = recorded?.domain, previous != spec.domain {
                inputs[StepInput.previousDomain] = previous
                reason = "domain \(previous) → \(spec.domain)"
            }
            list.add(.update, .dnsRecord, reason, inputs: inputs, inputsHash: want[.dnsRecord].hash)
        }
        if spec.state == .suspended && databaseRunning {
            add(.stop, .database, "suspend")
        }
        return .success(list.steps)
    }

    /// Versions to pass through when the recorded task definition runs another version than desired.
    private func upgradeHops(resources: [ResourceKind: RecordedResource], problems: inout [InstanceProblem]) -> [Version] {
        guard resources[.taskDefinition] != nil, let running = recorded?.runningVersion, running != spec.version else { return [] }
        do {
            return try UpgradePath.hops(from: running, to: spec.version, catalog: fleet.releases)
        } catch {
            problems.append(InstanceProblem(fieldPath: "version", summary: "no upgrade path from \(running) to \(spec.version)",
                                            detail: error.description))
            return []
        }
    }

    /// Per hop: snapshot, migrate, deploy (register the task definition, roll the service), health check.
    private func addUpgrade(_ hops: [Version], to list: inout StepList) {
        var from = recorded?.runningVersion ?? spec.version
        let databaseHash = desired.hashed(.database).hash
        for (index, version) in hops.enumerated() {
            let hop = "upgrade \(from) → \(version) (hop \(index + 1) of \(hops.count))"
            let versions = [StepInput.version: version.description, StepInput.fromVersion: from.description]
            list.add(.snapshot, .database, "before upgrade to \(version)",
                     inputs: versions.merging([StepInput.purpose: "pre-upgrade"]) { a, _ in a }, inputsHash: databaseHash)
            list.add(.migrate, .database, hop, inputs: versions, inputsHash: databaseHash)
            let taskDefinition = DesiredResources(spec: spec, tier: desired.tier, fleet: fleet, version: version, memo: desired.memo)
                .hashed(.taskDefinition)
            list.add(.deploy, .taskDefinition, hop, inputs: taskDefinition.inputs, inputsHash: taskDefinition.hash)
            list.add(.healthCheck, .service, "verify \(version)", inputs: [StepInput.version: version.description],
                     inputsHash: desired.hashed(.service).hash)
            from = version
        }
    }

    /// "tier small → medium: databaseClass db.t3.micro → db.t3.medium, …", naming the old tier when its inputs match the record.
    private func resizeReason(_ kind: ResourceKind) -> String {
        let new = desired.inputs(kind)
        let recordedHash = recorded?.resources[kind]?.inputsHash
        let previous = fleet.tiers.sorted { $0.key < $1.key }.lazy.compactMap { name, tier -> (String, [String: String])? in
            let old = DesiredResources(spec: spec, tier: tier, fleet: fleet, version: recorded?.runningVersion, memo: desired.memo).hashed(kind)
            return old.hash == recordedHash ? (name, old.inputs) : nil
        }.first
        guard let (oldName, old) = previous else { return "fleet settings changed (tier definition or image)" }
        let changes = new.keys.sorted().filter { old[$0] != new[$0] }.map { "\($0) \(old[$0] ?? "none") → \(new[$0]!)" }
        return "tier \(oldName) → \(spec.size): " + changes.joined(separator: ", ")
    }
}

/// Every problem that stopped one instance from being planned.
struct ProblemList: Error {
    var problems: [InstanceProblem]
}
