import Foundation
import FleetModel

/// `cloudctl drift [NAME…] [--json] [--detailed-exitcode]`: how the cloud differs from the files and records.
/// Reads only: no mutating call.
enum DriftCommand {
    static let command = Command(DriftOptions.self, run: run)

    static func run(_ options: DriftOptions, _ context: CommandContext) async throws -> Int32 {
        let workspace = try await FleetWorkspace.open(context)
        let scan = try await CloudScan.run(workspace, names: options.names, context: context)
        let view = DriftView(findings: scan.findings, calls: scan.observation.calls, ghosts: scan.observation.ghosts)
        context.console.out(options.format == .json ? try view.json() : view.text())
        let drifted = !scan.findings.isEmpty && options.detailedExitcode
        return drifted ? CLI.ExitCode.changesPresent : CLI.ExitCode.success
    }
}

/// `cloudctl drift` options.
struct DriftOptions: CommandOptions, Equatable {
    enum Option {
        static let detailedExitcode = OptionSpec.flag(
            "--detailed-exitcode", "Exit 2 when drift was found (0 when in sync, 1 on errors).")
    }

    static let spec = CommandSpec(
        name: "drift", abstract: "Read the cloud and show what differs from the files and records; changes nothing.",
        arguments: "[NAME…]", positionals: 0...Int.max,
        options: [ReportFormat.jsonOption, Option.detailedExitcode])

    var names: [String] = []
    var format: ReportFormat = .human
    var detailedExitcode = false

    init(names: [String] = [], format: ReportFormat = .human, detailedExitcode: Bool = false) {
        self.names = names
        self.format = format
        self.detailedExitcode = detailedExitcode
    }

    init(_ arguments: ParsedArguments, environment: CLIEnvironment) {
        self.init(
            names: arguments.positionals, format: ReportFormat(arguments),
            detailedExitcode: arguments.flag(Option.detailedExitcode))
    }
}

/// Drift findings for people (grouped by instance, one summary line) or as JSON (docs/drift.md).
struct DriftView {
    static let formatVersion = 1
    var findings: [DriftFinding]
    var calls: Int
    var ghosts: Int

    func text() -> String {
        var lines: [String] = []
        let groups = Dictionary(grouping: findings) { $0.instance ?? "" }
        for name in groups.keys.sorted() {
            lines.append(name.isEmpty ? "(no instance)" : name)
            for finding in groups[name] ?? [] { lines.append("  " + Self.line(finding)) }
            lines.append("")
        }
        lines.append(summaryLine)
        return lines.joined(separator: "\n")
    }

    /// "Drift: 1 missing, 2 changed, 1 unmanaged, 0 only-in-git (23 calls)." or "No drift …".
    var summaryLine: String {
        let summary = DriftSummary(findings)
        let scan = "\(calls) \(calls == 1 ? "call" : "calls")" + (ghosts > 0 ? ", \(ghosts) ghost ARNs dropped" : "")
        guard !summary.inSync else { return "No drift: the cloud matches what was applied (\(scan))." }
        let counts = DriftKind.allCases.map { "\(summary[$0]) \($0.rawValue)" }.joined(separator: ", ")
        return "Drift: \(counts) (\(scan))."
    }

    /// "changed    database class: expected …, observed … [id]": the kind padded, then the finding's summary.
    static func line(_ finding: DriftFinding) -> String {
        let kind = finding.drift.rawValue
        guard finding.drift != .onlyInGit else { return "\(kind): \(finding.summary)" }
        let resource = finding.resource?.rawValue ?? "instance"
        let id = finding.cloudId.map { " [\($0)]" } ?? ""
        let separator = finding.drift == .changed ? " " : ": "
        return kind.padding(toLength: 11, withPad: " ", startingAt: 0) + resource + separator + finding.summary + id
    }

    func json() throws -> String {
        let summary = DriftSummary(findings)
        let document = Document(
            formatVersion: Self.formatVersion, findings: findings.map(FindingJSON.init),
            summary: SummaryJSON(
                missing: summary[.missing], changed: summary[.changed], unmanaged: summary[.unmanaged],
                onlyInGit: summary[.onlyInGit], total: summary.total),
            calls: calls, ghosts: ghosts)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }

    struct Document: Encodable {
        var formatVersion: Int
        var findings: [FindingJSON]
        var summary: SummaryJSON
        var calls: Int
        var ghosts: Int
    }

    struct SummaryJSON: Encodable {
        var missing, changed, unmanaged, onlyInGit, total: Int
        enum CodingKeys: String, CodingKey {
            case missing, changed, unmanaged, total
            case onlyInGit = "only-in-git"
        }
    }

    /// Every key is always present; absent values are `null`.
    struct FindingJSON: Encodable {
        var finding: DriftFinding
        enum Key: String, CodingKey { case instance, resource, drift, attribute, expected, observed, cloudId }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(finding.instance, forKey: .instance)
            try c.encode(finding.resource?.rawValue, forKey: .resource)
            try c.encode(finding.drift.rawValue, forKey: .drift)
            try c.encode(finding.attribute, forKey: .attribute)
            try c.encode(finding.expected, forKey: .expected)
            try c.encode(finding.observed, forKey: .observed)
            try c.encode(finding.cloudId, forKey: .cloudId)
        }
    }
}
