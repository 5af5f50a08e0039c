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
        func entry(_ name: String, steps: Bool) async throws -> Entry {
            let lastOperation = try await store?.lastOperation(instance: name).map(OperationView.init)
            let recentSteps = steps ? try await store?.recentSteps(instance: name, limit: 10) ?? [] : nil
            return Entry(
                name: name, spec: specs[name], recorded: recorded[name].map(RecordedView.init),
                lastOperation: lastOperation, lock: locks[name], recentSteps: recentSteps)
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
        return CLI.ExitCode.success
    }
}

/// `cloudctl status [NAME] [--json]`.
struct StatusOptions: CommandOptions, Equatable {
    static let spec = CommandSpec(
        name: "status", abstract: "Show the fleet, or one instance: desired and recorded state, last operation, locks.",
        arguments: "[NAME]", positionals: 0...1, options: [ReportFormat.jsonOption])

    /// One instance in detail; nil for the fleet table.
    var name: String?
    var format: ReportFormat = .human

    init(name: String? = nil, format: ReportFormat = .human) {
        self.name = name
        self.format = format
    }

    init(_ arguments: ParsedArguments, environment: CLIEnvironment) {
        self.init(name: arguments.positionals.first, format: ReportFormat(arguments))
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
            let rows = ResourceKind.allCases.compactMap { kind in
                r.resources[kind.rawValue].map { ["  " + kind.rawValue, $0.cloudId, $0.summary ?? "-"] }
            }
            if !rows.isEmpty {
                lines.append(TableFormatter.render(headers: ["  RESOURCE", "CLOUD ID", "ATTRIBUTES"], rows: rows))
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
        if let steps = e.recentSteps, !steps.isEmpty {
            lines += ["", "Recent steps (newest first):", HistoryView.stepTable(steps, indent: "  ")]
        }
        return lines.joined(separator: "\n")
    }
}
