import Foundation
import FleetModel
import FleetFiles
import AWSProvider

/// `cloudctl validate`: load and check every instance file; no database, no cloud.
enum ValidateCommand {
    static let command = Command(ValidateOptions.self) { options, context in
        let loaded = FleetLoader.load(repo: context.repo, rules: AWSRules())
        guard let revision = options.changedSince else {
            context.report(loaded.diagnostics)
            context.console.out(ValidateView.summary(loaded.diagnostics, fileCount: loaded.instanceFileCount))
            return loaded.diagnostics.hasErrors ? CLI.ExitCode.failure : CLI.ExitCode.success
        }
        // Only the changed files' problems (and the fleet file's, which every instance uses) are reported.
        let changed = try ChangedSince.select(revision, repo: context.repo, current: loaded)
        let files = Set(changed.names.map { loaded.files[$0] ?? "Instances/\($0).json" }).union(changed.invalidFiles)
        let diagnostics = loaded.diagnostics.filter { diagnostic in
            guard let file = diagnostic.location?.file else { return true }
            return files.contains(file) || !file.hasPrefix("Instances/") || file == FleetLoader.fleetFile
        }
        context.console.out(ChangedSince.summary(changed, revision: revision))
        context.report(diagnostics)
        context.console.out(ValidateView.summary(diagnostics, fileCount: files.count))
        return diagnostics.hasErrors ? CLI.ExitCode.failure : CLI.ExitCode.success
    }
}

/// `cloudctl validate [--changed-since REF]`.
struct ValidateOptions: CommandOptions, Equatable {
    static let spec = CommandSpec(
        name: "validate",
        abstract: "Check the fleet and instance files; print every problem.", options: [ChangedSince.option])

    /// Only the files whose effective spec changed since this git revision (and the fleet file).
    var changedSince: String?

    init(changedSince: String? = nil) { self.changedSince = changedSince }
    init(_ arguments: ParsedArguments, environment: CLIEnvironment) throws(UsageError) {
        changedSince = try ChangedSince.revision(arguments, spec: Self.spec)
    }
}

/// The closing line of `validate` (each problem itself is a diagnostic on stderr).
enum ValidateView {
    /// "Validated 7 instance files: no problems." / "2 errors in 2 files." / "Validated 7 instance files: 1 warning."
    static func summary(_ diagnostics: [Diagnostic], fileCount: Int) -> String {
        let errors = diagnostics.filter { $0.severity == .error }
        let warnings = diagnostics.count - errors.count
        let warningText = "\(warnings) \(warnings == 1 ? "warning" : "warnings")"
        let validated = "Validated \(fileCount) instance \(fileCount == 1 ? "file" : "files")"
        guard !errors.isEmpty else { return validated + ": " + (warnings == 0 ? "no problems." : warningText + ".") }
        let files = Set(diagnostics.map { $0.location?.file ?? "" }).count
        return "\(errors.count) \(errors.count == 1 ? "error" : "errors")" + (warnings > 0 ? ", " + warningText : "")
            + " in \(files) \(files == 1 ? "file" : "files")."
    }
}
