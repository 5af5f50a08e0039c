import FleetModel

/// Steps that bring an instance to a desired `active` or `suspended` state, from nothing or from what is recorded.
struct Convergence {
    let desired: DesiredResources
    /// What is recorded; nil (or no resources) means the instance is provisioned from scratch.
    let recorded: RecordedInstance?
    /// Resources found drifted in the cloud: their updates set them back (reason `drifted`, change `repair`).
    var drifted: Set<ResourceKind> = []

    private var spec: InstanceSpec { desired.spec }
    private var fleet: Fleet { desired.fleet }
    /// The fleet's health probe for this instance (nil when the fleet file names none).
    private var probe: HealthProbe? { fleet.health?.expanded(domain: spec.domain, name: spec.name) }

    /// The ordered steps and changes, or the problems that forbid planning this instance.
    func steps() -> Result<StepList, ProblemList> {
        let resources = recorded?.resources ?? [:]
        var list = StepList(serving: (recorded?.provisioned ?? false) && !resources.isEmpty)
        var problems: [InstanceProblem] = []
        let want = DesiredAttributes(desired)
        func changed(_ kind: ResourceKind) -> Bool { resources[kind].map { $0.inputsHash != want[kind].hash } ?? false }
        func add(_ action: StepAction, _ kind: ResourceKind, _ reason: StepReason) {
            list.add(action, kind, reason, before: before(kind), after: want[kind])
        }

        if resources.isEmpty { list.note(.provision) }
        // Missing resources first (provisioning, or repairing a failed create); region-only resources never change
        // otherwise.
        for kind in ResourceKind.allCases
        where resources.isEmpty || resources[kind] == nil
            || (changed(kind) && DesiredResources.updatedInPlace.contains(kind))
        {
            if resources.isEmpty {
                add(.create, kind, .provision)
            } else if resources[kind] == nil {
                list.note(.repair(what: kind))
                add(.create, kind, .missing)
            } else if drifted.contains(kind) {
                list.note(.repair(what: kind))
                add(.update, kind, .drifted)
            } else {
                list.note(.reconfigure(what: kind))
                add(.update, kind, .settingsChanged)
            }
        }

        let upgrade = upgradeHops(resources: resources, problems: &problems)
        let resizeDatabase = changed(.database)
        if resizeDatabase, let recordedStorage = recorded?.storageGB, desired.tier.storageGB < recordedStorage {
            problems.append(
                InstanceProblem(
                    fieldPath: "size",
                    summary: "size \"\(spec.size)\" would shrink the database from \(recordedStorage) GiB to "
                        + "\(desired.tier.storageGB) GiB",
                    detail: "database storage can only grow; choose a tier with at least \(recordedStorage) GiB"))
        }
        if !problems.isEmpty { return .failure(ProblemList(problems: problems)) }

        // A stopped database must run for migrations and changes; a suspended instance stops it again at the end.
        var databaseRunning = recorded?.state != .suspended || resources[.database] == nil
        let resuming = recorded?.state == .suspended && spec.state == .active && !resources.isEmpty
        let suspending = recorded?.state != .suspended && spec.state == .suspended && !resources.isEmpty
        if resuming { list.note(.resume) }
        if suspending { list.note(.suspend) }
        if !databaseRunning && (resuming || resizeDatabase || !upgrade.isEmpty) {
            list.add(.start, .database, resuming ? .resume : .startForChanges, before: before(.database))
            databaseRunning = true
        }
        if resizeDatabase {
            if let old = before(.database)?.database, let new = want[.database].attributes.database,
                old.sameSize(as: new)
            {
                // Only backups or deletion protection: changed in place, nothing waits for the window.
                list.note(.reconfigure(what: .database))
                list.add(
                    .update, .database, .settingsChanged, before: before(.database), after: want[.database],
                    interruptsNothing: true)
            } else {
                addResize(.database, to: &list, want: want)
            }
        }
        addUpgrade(upgrade, to: &list)
        if upgrade.isEmpty && changed(.taskDefinition) {
            if let old = before(.taskDefinition)?.taskDefinition,
                let new = want[.taskDefinition].attributes.taskDefinition,
                old.runsTheSame(as: new)
            {
                // Only the environment (domain, features): the instance's own settings, not the tier or fleet.
                list.note(.reconfigure(what: .taskDefinition))
                add(.update, .taskDefinition, .settingsChanged)
            } else {
                addResize(.taskDefinition, to: &list, want: want)
            }
        }
        if changed(.service) {
            if spec.state == .suspended {
                add(.update, .service, .suspend)
            } else if resuming {
                add(.update, .service, .resume)
            } else {
                addResize(.service, to: &list, want: want)
            }
        }
        if resuming {
            list.add(
                .healthCheck, .service, .resume, detail: .healthCheck(expect: desired.taskDefinition, probe: probe))
        }
        if changed(.dnsRecord) {
            if let previous = recorded?.domain, previous != spec.domain {
                list.note(.domain(from: previous, to: spec.domain))
                // The record last applied names the old domain, even for records older than kept attributes: its CNAME
                // and TXT are removed once the new ones exist.
                let old =
                    before(.dnsRecord)
                    ?? .dnsRecord(DNSRecordAttributes(domain: previous, zone: fleet.dns.zone, target: fleet.dns.target))
                list.add(
                    .update, .dnsRecord, .domainMove(from: previous, to: spec.domain), before: old,
                    after: want[.dnsRecord])
            } else {
                list.note(drifted.contains(.dnsRecord) ? .repair(what: .dnsRecord) : .reconfigure(what: .dnsRecord))
                add(.update, .dnsRecord, drifted.contains(.dnsRecord) ? .drifted : .fleetSettingsChanged)
            }
        }
        addRelabel(to: &list, resources: resources)
        if spec.state == .suspended && databaseRunning {
            list.add(.stop, .database, .suspend, before: before(.database))
        }
        if let recorded, !resources.isEmpty, recorded.protected != spec.protected {
            list.note(.protection(spec.protected))
        }
        return .success(list)
    }

    /// `update` of the label tags of every recorded resource whose labels as last applied differ from the file's.
    /// A resource this plan creates is made with the file's labels, so it needs none. Records from before labels were
    /// recorded hold none: an instance without labels plans nothing, one with labels gets its tags put on once.
    private func addRelabel(to list: inout StepList, resources: [ResourceKind: RecordedResource]) {
        for kind in ResourceKind.allCases where kind.carriesLabels {
            guard let resource = resources[kind], resource.labels != spec.labels,
                !list.steps.contains(where: { $0.action == .create && $0.resource == kind })
            else { continue }
            list.note(.relabel)
            list.add(
                .update, kind, .labelsChanged, detail: .labels(before: resource.labels, after: spec.labels),
                interruptsNothing: true)
        }
    }

    /// The attributes last applied to `kind`: recorded, or for records older than kept attributes, rebuilt from the
    /// tier whose attributes hash to the recorded hash (nil when none does).
    private func before(_ kind: ResourceKind) -> ResourceAttributes? {
        guard let resource = recorded?.resources[kind] else { return nil }
        if let attributes = resource.attributes { return attributes }
        return previousTier(kind)?.attributes
    }

    /// The tier (by name) whose `kind` attributes hash to the recorded hash, and those attributes.
    private func previousTier(_ kind: ResourceKind) -> (name: String, attributes: ResourceAttributes)? {
        guard let recordedHash = recorded?.resources[kind]?.inputsHash else { return nil }
        return fleet.tiers.sorted { $0.key < $1.key }.lazy.compactMap { name, tier in
            let old = desired.with(tier: tier, version: recorded?.runningVersion).hashed(kind)
            return old.hash == recordedHash ? (name, old.attributes) : nil
        }.first
    }

    /// `update` of a resized resource: "tier small → medium" when a tier matches the record, else a fleet change.
    private func addResize(_ kind: ResourceKind, to list: inout StepList, want: DesiredAttributes) {
        if drifted.contains(kind) {
            list.note(.repair(what: kind))
            list.add(.update, kind, .drifted, before: before(kind), after: want[kind])
            return
        }
        let previous = previousTier(kind)
        if let previous, previous.name != spec.size {
            list.note(.resize(what: kind, from: previous.name, to: spec.size))
            list.add(
                .update, kind, .resize(from: previous.name, to: spec.size), before: before(kind), after: want[kind])
        } else {
            list.note(.reconfigure(what: kind))
            list.add(.update, kind, .fleetSettingsChanged, before: before(kind), after: want[kind])
        }
    }

    /// Versions to pass through when the recorded task definition runs another version than desired.
    private func upgradeHops(resources: [ResourceKind: RecordedResource], problems: inout [InstanceProblem])
        -> [Version]
    {
        guard resources[.taskDefinition] != nil, let running = recorded?.runningVersion, running != spec.version else {
            return []
        }
        do {
            return try UpgradePath.hops(from: running, to: spec.version, catalog: fleet.releases)
        } catch {
            problems.append(
                InstanceProblem(
                    fieldPath: "version", summary: "no upgrade path from \(running) to \(spec.version)",
                    detail: error.description))
            return []
        }
    }

    /// Per hop: snapshot, migrate, deploy (register the task definition, roll the service), health check.
    private func addUpgrade(_ hops: [Version], to list: inout StepList) {
        guard let running = recorded?.runningVersion, !hops.isEmpty else { return }
        list.note(.upgrade(from: running, to: spec.version, hops: hops))
        var from = running
        var deployed = before(.taskDefinition)
        for (index, version) in hops.enumerated() {
            let hop = StepReason.upgradeHop(from: from, to: version, hop: index + 1, of: hops.count)
            let taskDefinition = desired.with(version: version)
            let task = taskDefinition.taskDefinition
            list.add(
                .snapshot, .database, .beforeUpgrade(to: version), before: before(.database),
                detail: .snapshot(.preUpgrade(version)))
            list.add(.migrate, .database, hop, before: before(.database), detail: .migration(from: from, task: task))
            let hashed = taskDefinition.hashed(.taskDefinition)
            list.add(.deploy, .taskDefinition, hop, before: deployed, after: hashed)
            list.add(.healthCheck, .service, .verify(version), detail: .healthCheck(expect: task, probe: probe))
            deployed = hashed.attributes
            from = version
        }
    }
}

/// Every problem that stopped one instance from being planned.
struct ProblemList: Error {
    var problems: [InstanceProblem]
}
