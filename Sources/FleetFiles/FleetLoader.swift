import Dispatch
import Foundation
import FleetModel
import ProviderAPI

/// The result of reading a fleet repository: whatever parsed, and every problem found.
public struct LoadedFleet: Sendable {
    public var fleet: Fleet?
    /// Specs that parsed and validated, sorted by name.
    public var specs: [InstanceSpec]
    /// Relative path of each spec's file, by instance name (for diagnostics downstream).
    public var files: [String: String]
    public var diagnostics: [Diagnostic]
    /// How many instance files were read, valid or not (every `Instances/*.json` but `_fleet.json`).
    public var instanceFileCount: Int
    /// The bytes read, as a digest; nil when some file could not be read.
    public var filesDigest: FleetFilesDigest?
    public init(
        fleet: Fleet?, specs: [InstanceSpec], files: [String: String], diagnostics: [Diagnostic],
        instanceFileCount: Int = 0, filesDigest: FleetFilesDigest? = nil
    ) {
        self.fleet = fleet
        self.specs = specs
        self.files = files
        self.diagnostics = diagnostics
        self.instanceFileCount = instanceFileCount
        self.filesDigest = filesDigest
    }
}

/// Reads `Instances/_fleet.json` and `Instances/*.json` strictly.
public enum FleetLoader {
    public static let fleetFile = "Instances/_fleet.json"

    /// Loads and validates the repository at `repo`; never throws for content problems, they are diagnostics.
    /// `rules` are the cloud's limits on values (the CLI passes AWS's).
    ///
    /// Every file is checked even when others are broken, so one run reports every problem. Instance
    /// files are read and decoded in parallel chunks; results are merged in file-name order.
    public static func load(repo: URL, rules: any CloudRules) -> LoadedFleet {
        load(repo: repo, rules: rules, chunkSize: 256, chunksPerBatch: 32)
    }

    /// `load(repo:rules:)` with the parallel grouping spelled out: files per task and tasks per batch held at once.
    static func load(repo: URL, rules: any CloudRules, chunkSize: Int, chunksPerBatch: Int) -> LoadedFleet {
        let directory = repo.appendingPathComponent("Instances").path
        guard let root = RepositoryFile(root: repo.path),
            let entries = try? FileManager.default.contentsOfDirectory(atPath: directory)
        else {
            return LoadedFleet(
                fleet: nil, specs: [], files: [:],
                diagnostics: [
                    .error(
                        "no Instances directory in \(repo.path)",
                        detail:
                            "a fleet repository holds Instances/_fleet.json and one Instances/<name>.json per instance",
                        at: SourceLocation(file: "Instances"))
                ])
        }
        // Every file below is checked to stay inside the repository; a linked-in Instances folder would defeat that.
        guard root.staysInside("Instances") else {
            return LoadedFleet(
                fleet: nil, specs: [], files: [:],
                diagnostics: [
                    .error(
                        "Instances is a symbolic link leading outside the repository",
                        detail: "fleet files must be regular files inside the repository; cloudctl read none of them",
                        at: SourceLocation(file: "Instances"))
                ])
        }
        var diagnostics: [Diagnostic] = []
        var fleet: Fleet?
        var references = FleetReferences()
        var digest = FleetFilesDigest.Builder()
        if entries.contains("_fleet.json") {
            let file = root.read(fleetFile, limit: RepositoryFile.fleetFileLimit)
            let content = file.diagnostics.isEmpty ? FleetFilesDigest.Builder.content(file.bytes) : nil
            digest.add(path: fleetFile, content: content)
            if file.diagnostics.isEmpty { (fleet, references) = FleetDecoder(rules: rules).decode(file) }
            diagnostics += file.diagnostics
        } else {
            diagnostics.append(
                .error(
                    "missing \(fleetFile)",
                    detail: "create it with the fleet's name, dns, image, tiers, releases and channels",
                    at: SourceLocation(file: fleetFile)))
        }

        let names = instanceFileNames(entries)
        if names.isEmpty {
            diagnostics.append(
                .warning(
                    "no instance files",
                    detail: "add one Instances/<name>.json per instance; until then there is "
                        + "nothing to plan",
                    at: SourceLocation(file: "Instances")))
        }
        var specs: [InstanceSpec] = []
        // Growing by doubling would hold the old and new buffers at once: 45 MB for 100,000 specs instead of 23 MB.
        specs.reserveCapacity(names.count)
        // Paths by name, reusing each decoded file's path string (the decoder checked that the name matches the file).
        var files: [String: String] = [:]
        files.reserveCapacity(names.count)
        var domainOwners: [String: String] = [:]
        var sharedDomains: Set<String> = []
        decodeInstances(
            names: names, root: root, references: references, rules: rules, chunkSize: chunkSize,
            chunksPerBatch: chunksPerBatch
        ) { file in
            diagnostics += file.diagnostics
            digest.add(path: file.path, content: file.content)
            if let (domain, location) = file.domain {
                if let owner = domainOwners[domain] {
                    diagnostics.append(
                        .error(
                            "domain \(Diagnostic.quoted(domain)) is also used by \(owner)",
                            detail:
                                "domains must be unique across the fleet; "
                                + "change the domain in \(owner) or \(file.path)",
                            at: location))
                    sharedDomains.insert(domain)
                } else {
                    domainOwners[domain] = file.path
                }
            }
            if let spec = file.spec {
                specs.append(spec)
                files[spec.name] = file.path
            }
        }
        if !sharedDomains.isEmpty {
            for spec in specs where sharedDomains.contains(spec.domain) { files[spec.name] = nil }
            specs.removeAll { sharedDomains.contains($0.domain) }
        }
        // File names are sorted, so specs almost always are: sorting anyway costs a buffer of half the specs.
        if !zip(specs, specs.dropFirst()).allSatisfy({ $0.name < $1.name }) { specs.sort { $0.name < $1.name } }
        return LoadedFleet(
            fleet: fleet, specs: specs, files: files, diagnostics: diagnostics, instanceFileCount: names.count,
            filesDigest: digest.digest)
    }

    /// The instance files among the `Instances` folder's entries, in the order they are read.
    static func instanceFileNames(_ entries: [String]) -> [String] {
        entries.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") && $0 != "_fleet.json" }.sorted()
    }

    /// Decodes instance files in parallel chunks and hands them to `consume` in file-name order, one batch at a time,
    /// so only a batch of decoded files (not all 100,000) is held besides the specs.
    private static func decodeInstances(
        names: [String], root: RepositoryFile, references: FleetReferences,
        rules: any CloudRules, chunkSize: Int, chunksPerBatch: Int,
        consume: (DecodedSpecFile) -> Void
    ) {
        let batchSize = chunksPerBatch * chunkSize
        for batchStart in stride(from: 0, to: names.count, by: batchSize) {
            let batchEnd = min(names.count, batchStart + batchSize)
            let chunkCount = (batchEnd - batchStart + chunkSize - 1) / chunkSize
            let chunks = ChunkResults<DecodedSpecFile>(count: chunkCount)
            DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                var decoder = SpecDecoder(fleet: references, rules: rules)
                let range = batchStart + chunk * chunkSize..<min(batchEnd, batchStart + (chunk + 1) * chunkSize)
                chunks.store(
                    chunk,
                    range.map { index in
                        if let unsafe = unsafeName(names[index]) { return unsafe }
                        let file = root.read("Instances/" + names[index], limit: RepositoryFile.instanceFileLimit)
                        guard file.diagnostics.isEmpty else {
                            return DecodedSpecFile(path: file.path, diagnostics: file.diagnostics)
                        }
                        var decoded = decoder.decode(file, fileName: file.path.fileStem)
                        decoded.content = FleetFilesDigest.Builder.content(file.bytes)
                        return decoded
                    })
            }
            for file in chunks.joined() { consume(file) }
        }
    }

    /// A refusal for a file name with control characters (it is printed with every diagnostic), nil for others.
    private static func unsafeName(_ name: String) -> DecodedSpecFile? {
        guard name.firstTerminalControl != nil else { return nil }
        let path = "Instances/" + ObjectReader.pathComponent(name)
        return DecodedSpecFile(
            path: path,
            diagnostics: [
                .error(
                    "file name has a control character",
                    detail: "rename the file to <instance name>.json; cloudctl did not read it",
                    at: SourceLocation(file: path))
            ])
    }
}

/// Per-chunk results written by parallel workers, then handed out (and released) in chunk order.
final class ChunkResults<Element>: @unchecked Sendable, Sequence {
    private var slots: [[Element]]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: [], count: count) }

    func store(_ chunk: Int, _ elements: [Element]) { lock.withLock { slots[chunk] = elements } }

    /// Yields each chunk once, dropping it from memory as it goes.
    func makeIterator() -> AnyIterator<[Element]> {
        var next = 0
        return AnyIterator { [self] in
            lock.withLock {
                guard next < slots.count else { return nil }
                defer {
                    slots[next] = []
                    next += 1
                }
                return slots[next]
            }
        }
    }
}
