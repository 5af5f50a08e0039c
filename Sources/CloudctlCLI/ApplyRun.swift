import Foundation
import StateBackend

/// Identifies one `cloudctl apply`: a run id, and the fleet repository's git commit with a dirty flag.
enum ApplyRun {
    /// `r-20261130T204233Z-3f9a1c`: sortable by time, and unique enough for two applies started the same second.
    static func makeId(now: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: now)
        let two = { (n: Int?) in String(format: "%02d", n ?? 0) }
        let stamp =
            "\(c.year ?? 0)\(two(c.month))\(two(c.day))T\(two(c.hour))\(two(c.minute))\(two(c.second))Z"
        let suffix = String(UInt32.random(in: 0...0xFF_FFFF), radix: 16)
        return "r-\(stamp)-\(String(repeating: "0", count: 6 - suffix.count))\(suffix)"
    }

    /// The run for an apply from `repo`; without git or outside a work tree the commit is nil.
    static func make(repo: URL, now: Date) -> RunInfo {
        let commit = git(["rev-parse", "--verify", "HEAD"], in: repo)?.trimmingCharacters(in: .whitespacesAndNewlines)
        // Only the fleet's files count: a dirty README does not change what was applied.
        let changes = commit == nil ? nil : git(["status", "--porcelain", "--", "Instances"], in: repo)
        return RunInfo(
            id: makeId(now: now), commit: commit.flatMap { $0.isEmpty ? nil : $0 },
            dirty: !(changes ?? "").isEmpty)
    }

    /// Output of `git ARGS` run in `directory`; nil when git is missing or fails (not a repository).
    private static func git(_ arguments: [String], in directory: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
