/// `cloudctl version`: the tool version.
enum VersionCommand {
    static let command = Command(VersionOptions.self) { _, context in
        context.console.out(VersionView.render(CLI.toolVersion))
        return CLI.ExitCode.success
    }
}

/// `cloudctl version` takes only the global options.
struct VersionOptions: CommandOptions, Equatable {
    static let spec = CommandSpec(
        name: "version", abstract: "Print the cloudctl version.", globals: [],
        exitCodes: [(CLI.ExitCode.success, "always")])

    init() {}
    init(_ arguments: ParsedArguments, environment: CLIEnvironment) {}
}

/// "cloudctl 0.1.0".
enum VersionView {
    static func render(_ version: String) -> String { "cloudctl \(version)" }
}
