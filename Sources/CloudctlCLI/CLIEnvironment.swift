import Foundation
import FleetModel
import ProviderAPI
import AWSProvider

/// Everything a command takes from outside the process: console, environment variables, clock, cloud.
public struct CLIEnvironment: Sendable {
    public var console: Console
    public var variables: [String: String]
    public var homeDirectory: String
    public var currentDirectory: String
    public var now: @Sendable () -> Date
    /// Builds the provider `apply` talks to; tests swap in a fake.
    public var makeProvider: @Sendable (AWSConfig) -> any CloudProvider
    /// Whether `apply` installs SIGINT/SIGTERM handlers (off in tests).
    public var trapSignals: Bool

    public init(
        console: Console, variables: [String: String], homeDirectory: String, currentDirectory: String,
        now: @escaping @Sendable () -> Date = { Date() },
        makeProvider: @escaping @Sendable (AWSConfig) -> any CloudProvider = { AWSCloudProvider(config: $0) },
        trapSignals: Bool = true
    ) {
        self.console = console
        self.variables = variables
        self.homeDirectory = homeDirectory
        self.currentDirectory = currentDirectory
        self.now = now
        self.makeProvider = makeProvider
        self.trapSignals = trapSignals
    }

    /// The real process environment.
    public static var process: CLIEnvironment {
        CLIEnvironment(
            console: .standard, variables: ProcessInfo.processInfo.environment,
            homeDirectory: NSHomeDirectory(), currentDirectory: FileManager.default.currentDirectoryPath)
    }

    var terminal: Terminal {
        Terminal(color: Terminal.colorEnabled(isTerminal: console.stdoutIsTerminal, environment: variables))
    }
}
