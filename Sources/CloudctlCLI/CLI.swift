import Foundation

/// Entry point of the command-line tool; returns the process exit code.
public enum CLI {
    public static let toolVersion = "0.1.0"
    public static func run(_ arguments: [String]) async -> Int32 {
        // TODO(helper: CLI) — placeholder
        0
    }
}
