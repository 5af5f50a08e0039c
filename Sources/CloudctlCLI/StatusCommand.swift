import Foundation
import FleetModel
import StateBackend

/// `cloudctl status [NAME]`: desired (files) next to recorded (database) state, per fleet or per instance.
enum StatusCommand {
    static let command = Command(StatusOptions.self, run: run)

    /// One instance as the status views show it; also the `--json` shape.
    struct Entry: Encodable {
        var name: String
        var spec: InstanceSpec?
        var recorded: RecordedView?
        var lastOperation: OperationView?
        var lock: LockRecord?
        var recentSteps: [StepRecord]?
        /// With `--refresh`: each resource as the cloud reports it, and the drift findings.
        var observed: [String: ObservedView]?
        var drift: [DriftView.FindingJSON]?
    }

    /// One resource as observed (`--refresh`).
    struct ObservedView: Encodable {
        var cloudId: String
        var attributes: PlanJSON?
        var summary: String?
        init(_ resource: ObservedResource) {
            cloudId = resource.cloudId
            attributes = resource.attributes?.planJSON
            summary = resource.attributes?.summary
        }
    }

    /// Recorded state with resources keyed by name (JSON objects need string keys).
    struct RecordedView: Encodable {
        var region: String, runningVersion: Version?, state: InstanceState, domain: String?, storageGB: Int?
        var provisioned: Bool
        var protected: Bool
        var resources: [String: ResourceView]
        init(_ r: RecordedInstance) {
            region = r.region
            runningVersion = r.runningVersion
            state = r.state
            domain = r.domain
            storageGB = r.storageGB
            provisioned = r.provisioned
            protected = r.protected
            resources = Dictionary(uniqueKeysWithValues: r.resources.map { ($0.key.rawValue, ResourceView($0.value)) })
        }
    }

    /// One recorded resource: cloud id, the attributes last applied (in the plan format's shape) and their hash.
    struct ResourceView: Encodable {
        var cloudId: String
        var inputsHash: String
        var attributes: PlanJSON?
        /// "db.t3.small, 50 GB"; nil when the record predates kept attributes.
        var summary: String?
        init(_ resource: RecordedResource) {
            cloudId = resource.cloudId
            inputsHash = resource.inputsHash
            attributes = resource.attributes?.planJSON
            summary = resource.attributes?.summary
        }
    }

    struct OperationView: Encodable {
        var id: Int64, kind: String, result: OperationResult, holder: String, error: String?, startedAt: Date,
            finishedAt: Date?
        init(_ o: OperationRecord) {
            id = o.id
            kind = o.kind
            result = o.result
            holder = o.holder
            error = o.error
            startedAt = o.startedAt
            finishedAt = o.finishedAt
        }
    }

    static func run(_ options: StatusOptions, _ context: CommandContext) async throws -> Int32 {
        let workspace = try await FleetWorkspace.open(context)
        let problems = workspace.loaded.diagnostics.filter { $0.severity == .error }.count
        if problems > 0 {
            context.console.err("warning: \(problems) problems in the instance files; run `cloudctl validate`.")
        }
        // Status reports recorded state: without a database there is none to report, which usually means a wrong path.
        let store: (any StateBackend)? = try context.requiredStore(fleet: workspace.loaded.fleet?.name)
        let specs = workspace.specsByName
        let recorded = Dictionary(workspace.recorded.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let locks = Dictionary(
            (try await store?.locks() ?? []).map { ($0.instance, $0) }, uniquingKeysWith: { a, _ in a })
        let scan =
            options.refresh
            ? try await CloudScan.run(workspace, names: options.name.map { [$0] } ?? [], context: context) : nil
        func entry(_ name: String, steps: Bool) async throws -> Entry {
            let lastOperation = try await store?.lastOperation(instance: name).map(OperationView.init)
            let recentSteps = steps ? try await store?.recentSteps(instance: name, limit: 10) ?? [] : nil
            var entry = Entry(
                name: name, spec: specs[name], recorded: recorded[name].map(RecordedView.init),
                lastOperation: lastOperation, lock: locks[name], recentSteps: recentSteps)
            if let scan {
                // The recorded one of each kind (same cloud id), else the first the cloud has.
                var observed: [String: ObservedView] = [:]
                for resource in scan.observation.resources(of: name) {
                    let key = resource.kind.rawValue
                    if observed[key] == nil || recorded[name]?.resources[resource.kind]?.cloudId == resource.cloudId {
                        observed[key] = ObservedView(resource)
                    }
                }
                entry.observed = observed
                entry.drift = scan.findings.filter { $0.instance == name }.map(DriftView.FindingJSON.init)
            }
            return entry
        }

        let view = StatusView(format: options.format, now: context.environment.now())
        if let name = options.name {
            try workspace.checkSelection([name])
            context.console.out(try view.instance(try await entry(name, steps: true)))
        } else {
            var entries: [Entry] = []
            for name in Set(specs.keys).union(recorded.keys).sorted() {
                entries.append(try await entry(name, steps: false))
            }
            context.console.out(try view.fleet(entries))
        }
        if let scan, options.format != .json {
            let view = DriftView(
                findings: scan.findings, calls: scan.observation.calls, ghosts: scan.observation.ghosts)
            context.console.out("\n" + view.summaryLine)
        }
        return CLI.ExitCode.success
    }
}

/// `cloudctl status [NAME] [--json]`.
struct StatusOptions: CommandOptions, Equatable {
    static let spec = CommandSpec(
        name: "status", abstract: "Show the fleet, or one instance: desired and recorded state, last operation, locks.",
        arguments: "[NAME]", positionals: 0...1, options: [ReportFormat.jsonOption, refreshOption])

    static let refreshOption = OptionSpec.flag(
        "--refresh", "Read the cloud too: each resource as observed next to recorded, drift marked.")

    /// One instance in detail; nil for the fleet table.
    var name: String?
    var format: ReportFormat = .human
    var refresh = false

    init(name: String? = nil, format: ReportFormat = .human, refresh: Bool = false) {
        self.name = name
        self.format = format
        self.refresh = refresh
    }

    init(_ arguments: ParsedArguments, environment: CLIEnvironment) {
        self.init(
            name: arguments.positionals.first, format: ReportFormat(arguments),
            refresh: arguments.flag(Self.refreshOption))
    }
}

/// The fleet table or one instance's detail, for people or as JSON.
struct StatusView {
    typealias Entry = StatusCommand.Entry

    var format: ReportFormat
    var now: Date

    func fleet(_ entries: [Entry]) throws -> String {
        format == .json ? try Self.json(entries) : Self.table(entries, now: now)
    }

    func instance(_ entry: Entry) throws -> String {
        format == .json ? try Self.json(entry) : Self.detail(entry, now: now)
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try TimeText.jsonEncoder().encode(value), as: UTF8.self)
    }

    static func table(_ entries: [Entry], now: Date) -> String {
        guard !entries.isEmpty else { return "No instances: add files under Instances/ and run `cloudctl plan`." }
        let rows = entries.map { e in
            [
                e.name, e.spec?.customer ?? "-", e.spec?.version.description ?? "-",
                e.recorded?.runningVersion?.description ?? "-",
                "\(e.spec?.state.rawValue ?? "-")/\(e.recorded?.state.rawValue ?? "-")",
                lastOperation(e, now: now), e.lock?.holder ?? "", note(e),
            ]
        }
        return TableFormatter.render(
            headers: [
                "NAME", "CUSTOMER", "DESIRED", "RUNNING", "STATE (DESIRED/RECORDED)", "LAST OPERATION", "LOCK", "NOTE",
            ],
            rows: rows)
    }

    static func lastOperation(_ e: Entry, now: Date) -> String {
        guard let op = e.lastOperation else { return "never" }
        return "\(op.kind) \(op.result.rawValue) \(TimeText.relative(op.finishedAt ?? op.startedAt, now: now))"
    }

    static func note(_ e: Entry) -> String {
        if e.spec == nil { return "orphaned: no instance file" }
        if e.recorded == nil { return "not applied yet" }
        if let drift = e.drift {
            let count = drift.count
            return count == 0 ? "in sync" : "DRIFT: \(count) \(count == 1 ? "finding" : "findings")"
        }
        return ""
    }

    static func detail(_ e: Entry, now: Date) -> String {
        var lines = ["\(e.name)" + (note(e).isEmpty ? "" : " (\(note(e)))")]
        if let s = e.spec {
            lines += [
                "", "Desired (Instances/\(e.name).json):",
                "  customer \(s.customer), \(s.type.rawValue), \(s.state.rawValue), version \(s.version), "
                    + "size \(s.size)",
                "  region \(s.region), domain \(s.domain), channel \(s.channel)" + (s.protected ? ", protected" : ""),
                "  maintenance window \(s.maintenanceWindow.day.rawValue) \(s.maintenanceWindow.start) "
                    + "for \(s.maintenanceWindow.duration) (\(s.maintenanceWindow.timeZone))",
            ]
        }
        if let r = e.recorded {
            let running = r.runningVersion?.description ?? (r.state == .deleted ? "nothing (torn down)" : "nothing yet")
            lines += [
                "", "Recorded:",
                "  \(r.state.rawValue), running \(running), region \(r.region)"
                    + (r.domain.map { ", domain \($0)" } ?? ""),
            ]
            if let observed = e.observed {
                lines.append(observedTable(e, recorded: r, observed: observed))
            } else {
                let rows = ResourceKind.allCases.compactMap { kind in
                    r.resources[kind.rawValue].map { ["  " + kind.rawValue, $0.cloudId, $0.summary ?? "-"] }
                }
                if !rows.isEmpty {
                    lines.append(TableFormatter.render(headers: ["  RESOURCE", "CLOUD ID", "ATTRIBUTES"], rows: rows))
                }
            }
        }
        lines += [
            "", "Last operation: " + lastOperation(e, now: now) + (e.lastOperation?.error.map { " (\($0))" } ?? ""),
        ]
        if let lock = e.lock {
            lines.append(
                "Locked by \(lock.holder) since \(TimeText.iso(lock.acquiredAt)), "
                    + "lease until \(TimeText.iso(lock.leaseUntil))"
            )
        }
        for finding in e.drift ?? [] where finding.finding.resource == nil || finding.finding.drift == .unmanaged {
            lines.append("  " + DriftView.line(finding.finding))
        }
        if let steps = e.recentSteps, !steps.isEmpty {
            lines += ["", "Recent steps (newest first):", HistoryView.stepTable(steps, indent: "  ")]
        }
        return lines.joined(separator: "\n")
    }

    /// Recorded against observed per resource (`--refresh`), with the drift of each.
    static func observedTable(
        _ e: Entry, recorded r: StatusCommand.RecordedView, observed: [String: StatusCommand.ObservedView]
    ) -> String {
        let findings = (e.drift ?? []).map(\.finding)
        let rows = ResourceKind.allCases.compactMap { kind -> [String]? in
            let was = r.resources[kind.rawValue]
            let seen = observed[kind.rawValue]
            guard was != nil || seen != nil else { return nil }
            let marks = findings.filter { $0.resource == kind }.map { finding in
                finding.drift == .changed ? "changed \(finding.attribute ?? "")" : finding.drift.rawValue
            }
            return [
                "  " + kind.rawValue, seen?.cloudId ?? was?.cloudId ?? "-", was?.summary ?? "-",
                seen.map { $0.summary ?? "exists" } ?? "absent",
                marks.isEmpty ? "" : "DRIFT: " + marks.joined(separator: ", "),
            ]
        }
        return TableFormatter.render(headers: ["  RESOURCE", "CLOUD ID", "RECORDED", "OBSERVED", "DRIFT"], rows: rows)
    }
}
