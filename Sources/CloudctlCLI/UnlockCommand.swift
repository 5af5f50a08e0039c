import Foundation
import StateBackend

/// `cloudctl unlock NAME`: force-removes an instance's lock (after a crashed apply), saying who held it.
enum UnlockCommand {
    static let command = Command(UnlockOptions.self) { options, context in
        // Unlock reads no instance file, so any fleet's database may be unlocked; a missing one is a wrong path.
        let removed = try await context.writableStore(fleet: nil, create: false).forceUnlock(instance: options.name)
        context.console.out(UnlockView.render(instance: options.name, removed: removed))
        return CLI.ExitCode.success
    }
}

/// `cloudctl unlock NAME`.
struct UnlockOptions: CommandOptions, Equatable {
    static let spec = CommandSpec(
        name: "unlock", abstract: "Force-remove an instance's lock, e.g. after a crashed apply.",
        arguments: "NAME", positionals: 1...1, environment: [CLI.Environment.db])

    var name: String

    init(name: String) {
        self.name = name
    }

    init(_ arguments: ParsedArguments, environment: CLIEnvironment) {
        // The parser guarantees exactly one positional.
        name = arguments.positionals[0]
    }
}

/// What `unlock` says: whose lock went, or that there was none.
enum UnlockView {
    static func render(instance name: String, removed lock: LockRecord?) -> String {
        guard let lock else { return "\(name) was not locked." }
        return "Removed the lock on \(name) held by \(lock.holder) since \(TimeText.iso(lock.acquiredAt)).\n"
            + "If that apply is still running, it may fail; run `cloudctl status \(name)` to check."
    }
}
