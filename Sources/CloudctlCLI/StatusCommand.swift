import Foundation
import FleetModel
import StateBackend
import Planner

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
        /// Whether the cloud matches the file, as far as recorded state and the last operation tell.
        var sync: Sync = .unknown
        /// A trial that expired or ends within the week.
        var trial: String?
    }

    /// The sync column: in sync, pending changes, failed, deferred until a window, half-provisioned, orphaned.
    enum Sync: Encodable, Equatable {
        case inSync, pendingChanges, failed, halfProvisioned, orphaned
        /// Outside its window; when it next opens, if known.
        case deferred(until: Date?)
        /// The instance files have errors, so no plan says what is pending.
        case unknown

        var text: String {
            switch self {
            case .inSync: "in sync"
            case .pendingChanges: "pending changes"
            case .failed: "failed"
            case .halfProvisioned: "half-provisioned"
            case .orphaned: "orphaned"
            case .deferred(let until): "deferred" + (until.map { " until \(MaintenanceWindow.utcMinutes($0))" } ?? "")
            case .unknown: "unknown"
            }
        }

        /// Failed or half-provisioned: what `--failed` selects.
        var isFailure: Bool { self == .failed || self == .halfProvisioned }

        func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(text)
        }

        /// From the last operation, the recorded state and whether a fresh plan has changes (nil when unknown).
        static func of(
            spec: InstanceSpec?, recorded: RecordedInstance?, last: OperationRecord?, hasChanges: Bool?, now: Date
        ) -> Sync {
            guard let spec else { return .orphaned }
            let provisioned = recorded?.provisioned ?? false
            switch last?.result {
            case .failed?, .interrupted?, .cancelled?:
                // A first apply that stopped part-way left resources with no working instance: never "active".
                return recorded != nil && !provisioned ? .halfProvisioned : .failed
            case .deferred? where hasChanges != false:
                return .deferred(until: spec.maintenanceWindow.nextStart(after: now))
            default: break
            }
            if recorded != nil && !provisioned && spec.state != .deleted { return .halfProvisioned }
            guard let hasChanges else { return .unknown }
            return hasChanges ? .pendingChanges : .inSync
        }
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
        let now = context.environment.now()
        let problems = workspace.loaded.diagnostics.filter { $0.severity == .error }.count
        if problems > 0 {
            context.console.err("warning: \(problems) problems in the instance files; run `cloudctl validate`.")
        }
        let trialWarnings = TrialExpiry.warnings(workspace.loaded, now: now)
        context.report(trialWarnings)
        try options.filter.check(against: workspace.loaded.fleet)
        // Which instances have pending changes: a fresh plan, when the files allow one.
        let pending: [String: Bool]? =
            problems > 0
            ? nil
            : (try? workspace.plan(selecting: []))
                .map { result in
                    Dictionary(result.plan.instances.map { ($0.name, $0.hasChanges) }, uniquingKeysWith: { a, _ in a })
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
            let last = try await store?.lastOperation(instance: name)
            let recentSteps = steps ? try await store?.recentSteps(instance: name, limit: 10) ?? [] : nil
            let spec = specs[name]
            let sync = Sync.of(
                spec: spec, recorded: recorded[name], last: last,
                hasChanges: pending.map { $0[name] ?? false }, now: now)
            let trial = spec.flatMap { spec in
                spec.trial.flatMap { trial in
                    TrialExpiry.standing(trial, now: now).map { TrialExpiry.summary(spec.name, trial, $0) }
                }
            }
            var entry = Entry(
                name: name, spec: spec, recorded: recorded[name].map(RecordedView.init),
                lastOperation: last.map(OperationView.init), lock: locks[name], recentSteps: recentSteps,
                sync: sync, trial: spec?.type == .trial ? trial : nil)
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

        let view = StatusView(format: options.format, now: now)
        if let name = options.name {
            try workspace.checkSelection([name])
            context.console.out(try view.instance(try await entry(name, steps: true)))
        } else {
            var entries: [Entry] = []
            for name in Set(specs.keys).union(recorded.keys).sorted() {
                let entry = try await entry(name, steps: false)
                if options.filter.matches(entry) { entries.append(entry) }
            }
            context.console.out(try view.fleet(entries, filtered: !options.filter.isEmpty))
        }
        if let scan, options.format != .json {
            let view = DriftView(
                findings: scan.findings, calls: scan.observation.calls, ghosts: scan.observation.ghosts)
            context.console.out("\n" + view.summaryLine)
        }
        return CLI.ExitCode.success
    }
}

/// `cloudctl status [NAME] [--json] [--channel C] [--version V] [--state S] [--label K=V] [--failed]`.
struct StatusOptions: CommandOptions, Equatable {
    /// The fleet table's filters.
    enum Option {
        static let channel = OptionSpec.string("--channel", "NAME", "Only instances on this channel.")
        static let version = OptionSpec.string(
            "--version", "VERSION", "Only instances whose desired or running version is VERSION.")
        static let state = OptionSpec.string(
            "--state", "STATE", "Only instances whose desired or recorded state is STATE (active, suspended, deleted).")
        static let label = OptionSpec.string("--label", "KEY=VALUE", "Only instances with this label.")
        static let failed = OptionSpec.flag("--failed", "Only instances whose last apply failed or half-provisioned.")
        static let filters = [channel, version, state, label, failed]
    }

    static let spec = CommandSpec(
        name: "status", abstract: "Show the fleet, or one instance: desired and recorded state, last operation, locks.",
        arguments: "[NAME]", positionals: 0...1,
        options: [ReportFormat.jsonOption, refreshOption] + Option.filters,
        environment: [CLI.Environment.db])

    static let refreshOption = OptionSpec.flag(
        "--refresh", "Read the cloud too: each resource as observed next to recorded, drift marked.")

    /// One instance in detail; nil for the fleet table.
    var name: String?
    var format: ReportFormat = .human
    var filter = StatusFilter()
    /// Read the cloud too (`--refresh`).
    var refresh = false

    init(
        name: String? = nil, format: ReportFormat = .human, filter: StatusFilter = StatusFilter(),
        refresh: Bool = false
    ) {
        self.name = name
        self.format = format
        self.filter = filter
        self.refresh = refresh
    }

    init(_ arguments: ParsedArguments, environment: CLIEnvironment) throws(UsageError) {
        var filter = StatusFilter(channel: arguments.value(Option.channel), failed: arguments.flag(Option.failed))
        if let text = arguments.value(Option.version) {
            guard let version = Version(text) else {
                throw UsageError("--version must be a version like 5.2.3, got '\(text)'", for: Self.spec)
            }
            filter.version = version
        }
        if let text = arguments.value(Option.state) {
            guard let state = InstanceState(rawValue: text) else {
                let states = InstanceState.allCases.map(\.rawValue).joined(separator: ", ")
                throw UsageError("--state must be one of \(states), got '\(text)'", for: Self.spec)
            }
            filter.state = state
        }
        if let text = arguments.value(Option.label) {
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                throw UsageError("--label must be KEY=VALUE, e.g. owner=team-a, got '\(text)'", for: Self.spec)
            }
            filter.label = (String(text[..<eq]), String(text[text.index(after: eq)...]))
        }
        if arguments.positionals.first != nil, !filter.isEmpty {
            throw UsageError("Filters select rows of the fleet table; drop the instance name", for: Self.spec)
        }
        self.init(
            name: arguments.positionals.first, format: ReportFormat(arguments), filter: filter,
            refresh: arguments.flag(Self.refreshOption))
    }
}

/// Which rows the fleet table shows; every given filter must match.
struct StatusFilter: Sendable, Equatable {
    var channel: String?
    var version: Version?
    var state: InstanceState?
    var label: (key: String, value: String)?
    var failed = false

    static func == (a: StatusFilter, b: StatusFilter) -> Bool {
        a.channel == b.channel && a.version == b.version && a.state == b.state && a.label?.key == b.label?.key
            && a.label?.value == b.label?.value && a.failed == b.failed
    }

    var isEmpty: Bool { channel == nil && version == nil && state == nil && label == nil && !failed }

    /// A channel the fleet does not have is a typo, not an empty answer.
    func check(against fleet: Fleet?) throws {
        guard let channel, let fleet, fleet.channels[channel] == nil else { return }
        let known = fleet.channels.keys.sorted()
        let hint = Spelling.closest(to: channel, in: known).map { " Did you mean '\($0)'?" } ?? ""
        throw DiagnosticsError([
            .error(
                "Unknown channel \(Diagnostic.quoted(channel)) in --channel",
                detail: "The fleet's channels are \(known.joined(separator: ", ")).\(hint)")
        ])
    }

    func matches(_ entry: StatusCommand.Entry) -> Bool {
        if let channel, entry.spec?.channel != channel { return false }
        if let version, entry.spec?.version != version, entry.recorded?.runningVersion != version { return false }
        if let state, entry.spec?.state != state, entry.recorded?.state != state { return false }
        if let label, entry.spec?.labels[label.key] != label.value { return false }
        if failed, !entry.sync.isFailure { return false }
        return true
    }
}

/// The fleet table or one instance's detail, for people or as JSON.
struct StatusView {
    typealias Entry = StatusCommand.Entry

    var format: ReportFormat
    var now: Date

    func fleet(_ entries: [Entry], filtered: Bool = false) throws -> String {
        if format == .json { return try Self.json(entries) }
        if entries.isEmpty && filtered { return "No instances match the filters." }
        return Self.table(entries, now: now)
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
                "\(e.spec?.state.rawValue ?? "-")/\(recordedState(e))", e.sync.text,
                lastOperation(e, now: now), e.lock?.holder ?? "", note(e),
            ]
        }
        return TableFormatter.render(
            headers: [
                "NAME", "CUSTOMER", "DESIRED", "RUNNING", "STATE (DESIRED/RECORDED)", "SYNC", "LAST OPERATION", "LOCK",
                "NOTE",
            ],
            rows: rows)
    }

    static func lastOperation(_ e: Entry, now: Date) -> String {
        guard let op = e.lastOperation else { return "never" }
        return "\(op.kind) \(op.result.rawValue) \(TimeText.relative(op.finishedAt ?? op.startedAt, now: now))"
    }

    /// The recorded state, except that an instance whose first apply never finished is "provisioning", not "active".
    static func recordedState(_ e: Entry) -> String {
        guard let recorded = e.recorded else { return "-" }
        return recorded.provisioned || recorded.state == .deleted ? recorded.state.rawValue : "provisioning"
    }

    static func note(_ e: Entry) -> String {
        if e.spec == nil { return "orphaned: no instance file" }
        if e.recorded == nil { return "not applied yet" }
        if let drift = e.drift {
            let count = drift.count
            return count == 0 ? "in sync" : "DRIFT: \(count) \(count == 1 ? "finding" : "findings")"
        }
        return e.trial ?? ""
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
                "  \(recordedState(e)), running \(running), region \(r.region)"
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
            "", "Sync: " + e.sync.text,
            "Last operation: " + lastOperation(e, now: now) + (e.lastOperation?.error.map { " (\($0))" } ?? ""),
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
