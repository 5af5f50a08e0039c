import FleetModel

/// `cloudctl rollout plan|advance|status VERSION [options]`.
struct RolloutOptions: CommandOptions, Equatable {
    /// What the rollout command does.
    enum Action: String, CaseIterable, Sendable {
        case plan, advance, status
    }

    /// The rollout command's own options.
    enum Option {
        static let markdown = OptionSpec.flag("--markdown", "plan: print markdown (for a pull request comment).")
        static let approve = OptionSpec.string(
            "--approve", "WAVE", "advance: record your approval of WAVE first (it may start, or go past its failures).")
        static let commit = OptionSpec.flag(
            "--commit", "advance: commit the edited files in one git commit naming the wave and instances.")
    }

    static let spec = CommandSpec(
        name: "rollout", abstract: "Roll a release out wave by wave: plan, advance (edits files), status.",
        arguments: "plan|advance|status VERSION", positionals: 2...2,
        options: [ReportFormat.jsonOption, Option.markdown, Option.approve, Option.commit],
        conflicts: [[ReportFormat.jsonOption, Option.markdown]])

    var action: Action
    var version: Version
    var format: PlanFormat = .text
    var approve: String?
    var commit = false

    /// How `rollout plan` and `rollout status` print.
    enum PlanFormat: Sendable, Equatable { case text, json, markdown }

    init(action: Action, version: Version, format: PlanFormat = .text, approve: String? = nil, commit: Bool = false) {
        self.action = action
        self.version = version
        self.format = format
        self.approve = approve
        self.commit = commit
    }

    init(_ arguments: ParsedArguments, environment: CLIEnvironment) throws(UsageError) {
        let words = arguments.positionals
        guard let action = Action(rawValue: words[0]) else {
            throw UsageError.unknown(
                "rollout action", words[0], among: Action.allCases.map(\.rawValue), command: Self.spec.name,
                usage: Self.spec.usage)
        }
        guard let version = Version(words[1]) else {
            throw UsageError("VERSION must be major.minor.patch, e.g. 5.4.0, got '\(words[1])'", for: Self.spec)
        }
        let json = arguments.flag(ReportFormat.jsonOption)
        let markdown = arguments.flag(Option.markdown)
        let approve = arguments.value(Option.approve)
        let commit = arguments.flag(Option.commit)
        // Each option belongs to some actions only; a misplaced one is a usage error, not silently ignored.
        let misplaced: String? =
            switch action {
            case .plan: approve != nil ? Option.approve.name : commit ? Option.commit.name : nil
            case .advance:
                json ? ReportFormat.jsonOption.name : markdown ? Option.markdown.name : nil
            case .status:
                markdown
                    ? Option.markdown.name
                    : approve != nil
                        ? Option.approve.name
                        : commit ? Option.commit.name : nil
            }
        if let misplaced {
            throw UsageError("\(misplaced) does not apply to 'rollout \(action.rawValue)'", for: Self.spec)
        }
        self.init(
            action: action, version: version, format: json ? .json : markdown ? .markdown : .text, approve: approve,
            commit: commit)
    }
}
