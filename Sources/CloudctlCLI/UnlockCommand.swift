import Foundation

/// `cloudctl unlock NAME`: force-removes an instance's lock (after a crashed apply), saying who held it.
enum UnlockCommand {
    static let command = Command(spec: CommandSpec(
        name: "unlock", abstract: "Force-remove an instance's lock, e.g. after a crashed apply.",
        arguments: "NAME", positionals: 1...1)) { context in
        let name = context.arguments.positionals[0]
        if let lock = try await context.existingStore()?.forceUnlock(instance: name) {
            context.console.out("Removed the lock on \(name) held by \(lock.holder) since \(TimeText.iso(lock.acquiredAt)).")
            context.console.out("If that apply is still running, it may fail; run `cloudctl status \(name)` to check.")
        } else {
            context.console.out("\(name) was not locked.")
        }
        return CLI.ExitCode.success
    }
}
