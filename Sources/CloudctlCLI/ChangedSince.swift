import Foundation
import FleetModel
import FleetFiles
import AWSProvider

/// `--changed-since REF` of `plan`, `apply` and `validate`: the instances whose effective spec differs between the
/// git revision REF and the working tree.
enum ChangedSince {
    static let option = OptionSpec.string(
        "--changed-since", "REF",
        "Only instances whose effective spec (file plus the fleet settings it uses) differs from git revision REF.")

    /// The revision given, refusing one git would read as an option.
    static func revision(_ arguments: ParsedArguments, spec: CommandSpec) throws(UsageError) -> String? {
        guard let text = arguments.value(option) else { return nil }
        guard !text.isEmpty, !text.hasPrefix("-"), text.firstTerminalControl == nil else {
            throw UsageError("--changed-since must name a git revision (e.g. origin/main), got '\(text)'", for: spec)
        }
        return text
    }

    /// "3 instances changed since origin/main: acme, globex, hooli." (names shortened past ten).
    static func summary(_ changed: ChangedInstances, revision: String) -> String {
        let count = changed.names.count
        let quoted = Diagnostic.quoted(revision)
        guard count > 0 else { return "No instance changed since \(quoted)." }
        let shown = changed.names.prefix(10).joined(separator: ", ") + (count > 10 ? ", and \(count - 10) more" : "")
        var text = "\(count) \(count == 1 ? "instance" : "instances") changed since \(quoted): \(shown)."
        if !changed.removed.isEmpty {
            text += " Removed since then (orphaned, never torn down): \(changed.removed.joined(separator: ", "))."
        }
        return text
    }

    /// Loads the repository as it was at `revision` and compares it with `current`.
    static func select(_ revision: String, repo: URL, current: LoadedFleet) throws -> ChangedInstances {
        let snapshot = try GitSnapshot.instances(at: revision, repo: repo)
        defer { try? FileManager.default.removeItem(at: snapshot) }
        let old = FleetLoader.load(repo: snapshot, rules: AWSRules())
        return ChangedInstances(old: old, new: current)
    }
}

/// What an instance's desired state depends on: its file plus the parts of `_fleet.json` it uses. Equal values plan
/// the same; a new catalog release or another tier leaves it alone.
struct EffectiveSpec: Equatable {
    var spec: InstanceSpec
    var fleetName: String
    var image: String
    var dns: DNSSettings
    var retention: RetentionPeriod
    var tier: Tier?
    var channel: Channel?
    /// The catalog entry of the version the instance should run (its `jumpFrom` shapes the upgrade path to it).
    var release: Release?

    init(_ spec: InstanceSpec, fleet: Fleet) {
        self.spec = spec
        fleetName = fleet.name
        image = fleet.image
        dns = fleet.dns
        retention = fleet.retention
        tier = fleet.tiers[spec.size]
        channel = fleet.channels[spec.channel]
        release = fleet.releases.release(spec.version)
    }
}

/// The instance files that changed between two loads of a repository.
struct ChangedInstances: Equatable {
    /// Instances with a valid file now whose effective spec differs (or that are new), sorted.
    var names: [String]
    /// Files (`Instances/<name>.json`) that changed and do not load now: `validate` reports their problems.
    var invalidFiles: Set<String>
    /// Instances whose file is gone now (they show up as orphaned; nothing tears them down).
    var removed: [String]

    init(old: LoadedFleet, new: LoadedFleet) {
        let before: [String: EffectiveSpec] =
            old.fleet.map { fleet in
                Dictionary(
                    old.specs.map { ($0.name, EffectiveSpec($0, fleet: fleet)) }, uniquingKeysWith: { a, _ in a })
            } ?? [:]
        var names: [String] = []
        var after: Set<String> = []
        if let fleet = new.fleet {
            for spec in new.specs {
                after.insert(spec.name)
                if before[spec.name] != EffectiveSpec(spec, fleet: fleet) { names.append(spec.name) }
            }
        }
        self.names = names.sorted()
        // A file that does not load now is a change worth reporting whatever it was before.
        let validPaths = Set(new.files.values)
        invalidFiles = Set(
            new.diagnostics.compactMap(\.location?.file).filter {
                $0.hasPrefix("Instances/") && $0 != FleetLoader.fleetFile && !validPaths.contains($0)
            })
        removed = old.specs.map(\.name).filter { !after.contains($0) && new.files[$0] == nil }.sorted()
        removed.removeAll { name in invalidFiles.contains("Instances/\(name).json") }
    }
}

/// Reads `Instances/` at a git revision into a temporary directory, through `git` itself.
enum GitSnapshot {
    /// A directory holding `Instances/` as of `revision`; the caller removes it.
    static func instances(at revision: String, repo: URL) throws -> URL {
        // `./Instances` is relative to `repo`, which may be a folder inside the git repository.
        let listing = try git(["ls-tree", "-z", revision, "--", "./Instances/"], repo: repo, revision: revision)
        var paths: [String] = []
        for entry in listing.split(separator: 0) {
            // "<mode> <type> <object>\t<path>": regular files only; links and folders are not instance files.
            guard let tab = entry.firstIndex(of: UInt8(ascii: "\t")) else { continue }
            let header = String(decoding: entry[..<tab], as: UTF8.self)
            guard header.hasPrefix("100644 blob ") || header.hasPrefix("100755 blob ") else { continue }
            let path = String(decoding: entry[(tab + 1)...], as: UTF8.self)
            let name = (path as NSString).lastPathComponent
            guard name.hasSuffix(".json"), !name.contains("/"), !name.hasPrefix(".") else { continue }
            paths.append(name)
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("cloudctl-changed-since-\(UUID().uuidString)")
        let instances = directory.appendingPathComponent("Instances")
        try FileManager.default.createDirectory(at: instances, withIntermediateDirectories: true)
        let requests = paths.map { "\(revision):./Instances/\($0)\n" }.joined()
        let contents = try git(["cat-file", "--batch"], repo: repo, revision: revision, input: Data(requests.utf8))
        var offset = contents.startIndex
        for name in paths {
            guard let newline = contents[offset...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            let header = String(decoding: contents[offset..<newline], as: UTF8.self).split(separator: " ")
            offset = newline + 1
            guard header.count == 3, header[1] == "blob", let size = Int(header[2]) else { continue }
            let body = contents[offset..<offset + size]
            offset += size + 1
            try Data(body).write(to: instances.appendingPathComponent(name))
        }
        return directory
    }

    /// Runs git in `repo`; its standard output, or a diagnostic naming the revision and git's own words.
    private static func git(_ arguments: [String], repo: URL, revision: String, input: Data? = nil) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", repo.path] + arguments
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        do {
            try process.run()
        } catch {
            throw failure(revision, "cannot run git (\(error.localizedDescription))")
        }
        // Written from another thread: git answers while it reads, and a full pipe would stall both.
        let writer = Thread {
            if let input { stdin.fileHandleForWriting.write(input) }
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw failure(revision, text.isEmpty ? "git exited with \(process.terminationStatus)" : text)
        }
        return data
    }

    private static func failure(_ revision: String, _ message: String) -> DiagnosticsError {
        DiagnosticsError([
            .error(
                "Cannot read the fleet files at git revision \(Diagnostic.quoted(revision))",
                detail: "\(Diagnostic.quoted(String(message.prefix(200)))). --changed-since needs a git repository "
                    + "with that revision (in CI, fetch enough history, e.g. fetch-depth: 0).")
        ])
    }
}
