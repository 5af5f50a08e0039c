import Foundation
import FleetModel
import StateBackend

/// `cloudctl history [NAME]`: operations newest first, with their steps and errors.
enum HistoryCommand {
    static let command = Command(HistoryOptions.self) { options, context in
        let now = context.environment.now()
        let since = options.since?.start(now: now)
        let filter = OperationFilter(instance: options.name, run: options.run, since: since)
        let store = try context.existingStore(fleet: nil)
        let operations = try await store?.operations(matching: filter, limit: options.limit) ?? []
        // Only a full page can have left some out.
        let total =
            operations.count < options.limit
            ? operations.count : try await store?.countOperations(matching: filter) ?? operations.count
        let more = total - operations.count
        let view = HistoryView(format: options.format, now: now)
        // Decisions belong to no run; a run filter leaves them out.
        let decisions =
            options.run != nil
            ? [] : try await store?.rolloutDecisions(version: nil, since: since, limit: options.limit) ?? []
        context.console.out(
            try view.render(
                operations, instance: options.name, since: since, more: more,
                decisions: decisions.filter { options.name == nil || $0.instances.contains(options.name!) }))
        if options.format == .json, let note = HistoryView.moreNote(more) { context.console.err(note) }
        return CLI.ExitCode.success
    }
}

/// `cloudctl history [NAME] [--since WHEN] [--limit N] [--json]`.
struct HistoryOptions: CommandOptions, Equatable {
    /// The history command's own options.
    enum Option {
        static let limit = OptionSpec.integer(
            "--limit", "N", in: limitBounds,
            "Show at most N operations, \(limitBounds.lowerBound) to \(limitBounds.upperBound) "
                + "(default: \(defaultLimit)).")
        static let run = OptionSpec.string(
            "--run", "ID", "Only the operations of one apply run (its id is printed by apply and shown here).")
        static let since = OptionSpec.string(
            "--since", "WHEN",
            "Only operations started since WHEN: 30m, 12h, 7d (at most 10 years back), "
                + "or an ISO 8601 date (2026-11-20) or time.")
    }

    static let limitBounds = 1...10_000
    static let defaultLimit = 20

    static let spec = CommandSpec(
        name: "history", abstract: "Show past operations, newest first, with their steps and errors.",
        arguments: "[NAME]", positionals: 0...1,
        options: [Option.limit, Option.since, Option.run, ReportFormat.jsonOption],
        environment: [CLI.Environment.db])

    /// One instance's operations; nil for every instance.
    var name: String?
    var since: Since?
    var limit = defaultLimit
    var format: ReportFormat = .human
    /// One apply run's operations; nil for every run.
    var run: String?

    init(
        name: String? = nil, since: Since? = nil, limit: Int = defaultLimit, format: ReportFormat = .human,
        run: String? = nil
    ) {
        self.name = name
        self.since = since
        self.limit = limit
        self.format = format
        self.run = run
    }

    init(_ arguments: ParsedArguments, environment: CLIEnvironment) throws(UsageError) {
        var since: Since?
        if let text = arguments.value(Option.since) {
            do {
                since = try Since(text)
            } catch {
                throw UsageError("\(Option.since.name) \(error.reason), got '\(text)'", for: Self.spec)
            }
        }
        self.init(
            name: arguments.positionals.first, since: since,
            limit: arguments.integer(Option.limit) ?? Self.defaultLimit, format: ReportFormat(arguments),
            run: arguments.value(Option.run))
    }
}

/// The start of a `--since` window: a duration back from now, or a fixed date and time.
enum Since: Sendable, Equatable {
    case ago(seconds: Int)
    case date(Date)

    /// Why a `--since` value was refused, phrased to follow "--since".
    struct Invalid: Error, Equatable {
        var reason: String
    }

    /// Ten years: further back than any journal goes, and far from overflowing a date.
    static let maximumSeconds = 3650 * 86400

    /// `45s`, `30m`, `12h`, `7d` (at most 10 years), an ISO 8601 date (`2026-11-20`, midnight UTC) or date-time
    /// (`2026-11-20T18:00:00Z`).
    init(_ text: String) throws(Invalid) {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        let digits = text.dropLast()
        let isCount = !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
        if let unit = text.last.flatMap({ units[$0] }), isCount {
            // Compared per unit so that too many digits for an Int are "too far back", not "not a duration".
            guard let count = Int(digits), count <= Self.maximumSeconds / unit else {
                throw Invalid(reason: "must be at most 10 years back (3650d)")
            }
            self = .ago(seconds: count * unit)
            return
        }
        let day = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()
        guard let date = (try? Date(text, strategy: .iso8601)) ?? (try? Date(text, strategy: day)) else {
            throw Invalid(
                reason: "must be a duration like 30m, 12h or 7d, "
                    + "or an ISO 8601 date or time like 2026-11-20 or 2026-11-20T18:00:00Z")
        }
        self = .date(date)
    }

    func start(now: Date) -> Date {
        switch self {
        case .ago(let seconds): now.addingTimeInterval(-Double(seconds))
        case .date(let date): date
        }
    }
}

/// Operations newest first with their steps, for people or as JSON.
struct HistoryView {
    var format: ReportFormat
    var now: Date

    /// `instance` and `since` only shape the "nothing found" line; `more` counts what the limit left out.
    /// Rollout decisions show between the operations, by time; `--json` keeps to operations (`rollout status --json`
    /// has the decisions).
    func render(
        _ operations: [OperationRecord], instance: String?, since: Date?, more: Int = 0,
        decisions: [RolloutDecisionRecord] = []
    ) throws -> String {
        if format == .json {
            // The array stays the document scripts read; `moreNote` goes to stderr.
            return String(decoding: try TimeText.jsonEncoder().encode(operations), as: UTF8.self)
        }
        guard !operations.isEmpty || !decisions.isEmpty else {
            return "No operations recorded" + (instance.map { " for \($0)" } ?? "")
                + (since.map { " since \(TimeText.iso($0))" } ?? "") + "."
        }
        let entries =
            operations.map { (at: $0.startedAt, text: Self.render($0, now: now)) }
            + decisions.map { (at: $0.at, text: Self.render($0, now: now)) }
        var text = entries.sorted { $0.at > $1.at }.map(\.text).joined(separator: "\n\n")
        if let note = Self.moreNote(more) { text += "\n\n" + note }
        return text
    }

    /// "3 more operations not shown; raise --limit to see them."; nil when none were left out.
    static func moreNote(_ more: Int) -> String? {
        guard more > 0 else { return nil }
        return "\(more) more \(more == 1 ? "operation" : "operations") not shown; raise --limit to see them."
    }

    static func render(_ decision: RolloutDecisionRecord, now: Date) -> String {
        var header =
            "rollout \(decision.version) \(decision.kind.rawValue) wave \(decision.wave) "
            + "(channel \(decision.channel))  "
            + "\(TimeText.iso(decision.at)) (\(TimeText.relative(decision.at, now: now))), by \(decision.actor)"
        if let note = decision.note { header += "\n  \(note)" }
        if !decision.instances.isEmpty { header += "\n  instances: \(decision.instances.joined(separator: ", "))" }
        return header
    }

    static func render(_ op: OperationRecord, now: Date) -> String {
        var header =
            "#\(op.id) \(op.instance) \(op.kind) \(op.result.rawValue)  \(TimeText.iso(op.startedAt)) "
            + "(\(TimeText.relative(op.startedAt, now: now)))"
        if let finished = op.finishedAt {
            header += ", took \(TimeText.duration(Int(finished.timeIntervalSince(op.startedAt))))"
        }
        header += ", by \(who(op.holder))"
        var lines = [header]
        if let run = op.run {
            let commit = run.commit.map { "commit \($0.prefix(12))" + (run.dirty ? " (dirty)" : "") } ?? "no git commit"
            lines.append("  run \(run.id), \(commit)")
        }
        if let error = op.error { lines.append("  error: \(error)") }
        if !op.steps.isEmpty { lines.append(stepTable(op.steps, indent: "  ")) }
        return lines.joined(separator: "\n")
    }

    /// "user@host" from a lock holder "user@host pid 123": who ran it and from where.
    static func who(_ holder: String) -> String {
        holder.range(of: " pid ", options: .backwards).map { String(holder[..<$0.lowerBound]) } ?? holder
    }

    /// One line per step: number, action, resource, status (with attempts), cloud id or error.
    static func stepTable(_ steps: [StepRecord], indent: String) -> String {
        TableFormatter.render(
            headers: [indent + "#", "STEP", "STATUS", "RESULT"],
            rows: steps.map { step in
                [
                    indent + "\(step.index + 1)", "\(step.action.rawValue) \(step.resource.rawValue)",
                    step.status.rawValue + (step.attempts > 1 ? " (\(step.attempts) attempts)" : ""),
                    step.error.map { "error: \($0)" } ?? step.cloudId ?? step.note ?? "",
                ]
            })
    }
}
