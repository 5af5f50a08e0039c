import FleetModel

/// Steps that bring an instance to a desired `active` or `suspended` state, from nothing or from what is recorded.
struct Convergence {
    let desired: DesiredResources
    /// What is recorded; nil (or no resources) means the instance is provisioned from scratch.
    let recorded: RecordedInstance?

    private var spec: InstanceSpec { desired.spec }
    private var fleet: Fleet { desired.fleet }

    /// The ordered steps, or the problems that forbid planning this instance.
    func steps() -> Result<[PlanStep], ProblemList> {
        let resources = recorded?.resources ?? [:]
        var list = StepList(instanceExists: !resources.isEmpty)
        var problems: [InstanceProblem] = []
        let hashes = Dictionary(uniqueKeysWithValues: ResourceKind.allCases.map { ($0, ContentHash.sha256Hex(desired.inputs($0))) })
        func changed(_ kind: ResourceKind) -> Bool { resources[kind].map { $0.inputsHash != hashes[kind]! } ?? false }

        // Missing resources first (provisioning, or repairing a failed create); region-only resources never change otherwise.
        for kind in ResourceKind.allCases where resources[kind] == nil || (changed(kind) && DesiredResources.regionOnly.contains(kind)) {
            let action: StepAction = resources[kind] == nil ? .create : .update
            let reason = resources.isEmpty ? "new instance" : action == .create ? "missing \(kind.rawValue)" : "settings changed"
            list.add(action, kind, reason, inputs: desired.inputs(kind), inputsHash: hashes[kind]!)
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
            list.add(.start, .database, resuming ? "resume" : "start for changes while suspended",
                     inputs: desired.inputs(.database), inputsHash: hashes[.database]!)
            databaseRunning = true
        }
        if resizeDatabase {
            list.add(.update, .database, resizeReason(.database), inputs: desired.inputs(.database), inputsHash: hashes[.database]!)
        }
        addUpgrade(upgrade, to: &list)
        if upgrade.isEmpty && changed(.taskDefinition) {
            list.add(.update, .taskDefinition, resizeReason(.taskDefinition), inputs: desired.inputs(.taskDefinition), inputsHash: hashes[.taskDefinition]!)
        }
        if changed(.service) {
            let reason = spec.state == .suspended ? "suspend" : resuming ? "resume" : resizeReason(.service)
            list.add(.update, .service, reason, inputs: desired.inputs(.service), inputsHash: hashes[.service]!)
        }
        if resuming {
            list.add(.healthCheck, .service, "resume", inputs: [StepInput.version: spec.version.description], inputsHash: hashes[.service]!)
        }
        if changed(.dnsRecord) {
            var inputs = desired.inputs(.dnsRecord)
            var reason = "DNS settings changed"
            if let previous = recorded?.domain, previous != spec.domain {
                inputs[StepInput.previousDomain] = previous
                reason = "domain \(previous) → \(spec.domain)"
            }
            list.add(.update, .dnsRecord, reason, inputs: inputs, inputsHash: hashes[.dnsRecord]!)
        }
        if spec.state == .suspended && databaseRunning {
            list.add(.stop, .database, "suspend", inputs: desired.inputs(.database), inputsHash: hashes[.database]!)
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
        let databaseHash = ContentHash.sha256Hex(desired.inputs(.database))
        for (index, version) in hops.enumerated() {
            let hop = "upgrade \(from) → \(version) (hop \(index + 1) of \(hops.count))"
            let versions = [StepInput.version: version.description, StepInput.fromVersion: from.description]
            list.add(.snapshot, .database, "before upgrade to \(version)",
                     inputs: versions.merging([StepInput.purpose: "pre-upgrade"]) { a, _ in a }, inputsHash: databaseHash)
            list.add(.migrate, .database, hop, inputs: versions, inputsHash: databaseHash)
            let taskDefinition = DesiredResources.taskDefinitionInputs(image: fleet.image, version: version, tier: desired.tier)
            let taskDefinitionHash = ContentHash.sha256Hex(taskDefinition)
            list.add(.deploy, .taskDefinition, hop, inputs: taskDefinition, inputsHash: taskDefinitionHash)
            list.add(.healthCheck, .service, "verify \(version)", inputs: [StepInput.version: version.description],
                     inputsHash: ContentHash.sha256Hex(desired.inputs(.service)))
            from = version
        }
    }

    /// "tier small → medium: databaseClass db.t3.micro → db.t3.medium, …", naming the old tier when its inputs match the record.
    private func resizeReason(_ kind: ResourceKind) -> String {
        let new = desired.inputs(kind)
        let recordedHash = recorded?.resources[kind]?.inputsHash
        let previous = fleet.tiers.sorted { $0.key < $1.key }.lazy.compactMap { name, tier -> (String, [String: String])? in
            let old = DesiredResources(spec: spec, tier: tier, fleet: fleet, version: recorded?.runningVersion ?? spec.version).inputs(kind)
            return ContentHash.sha256Hex(old) == recordedHash ? (name, old) : nil
        }.first
        guard let (oldName, old) = previous else { return "settings changed: size \(spec.size)" }
        let changes = new.keys.sorted().filter { old[$0] != new[$0] }.map { "\($0) \(old[$0] ?? "none") → \(new[$0]!)" }
        return "tier \(oldName) → \(spec.size): " + changes.joined(separator: ", ")
    }
}

/// Every problem that stopped one instance from being planned.
struct ProblemList: Error {
    var problems: [InstanceProblem]
}
