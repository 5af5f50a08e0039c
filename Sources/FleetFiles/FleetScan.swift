import Dispatch
import Foundation
import FleetModel
import ProviderAPI

/// A fleet repository read without decoding its instance files: the fleet, the digest of every file, and each
/// instance's heading. Enough to show and check a saved plan whose files have not changed since it was made
/// (`FleetFilesDigest`), at a fraction of what loading and validating 100,000 files costs.
public struct FleetScan: Sendable {
    public var fleet: Fleet
    public var filesDigest: FleetFilesDigest
    /// In instance-file order (by name).
    public var headings: [InstanceHeading]
}

extension FleetLoader {
    /// Reads the repository at `repo` the way `load` reads it; nil when any file is missing, unreadable or not what
    /// a valid repository holds, since then the files are certainly not the ones a saved plan was made from.
    public static func scan(repo: URL, rules: any CloudRules) -> FleetScan? {
        let directory = repo.appendingPathComponent("Instances").path
        guard let root = RepositoryFile(root: repo.path), root.staysInside("Instances"),
            let entries = try? FileManager.default.contentsOfDirectory(atPath: directory),
            entries.contains("_fleet.json")
        else { return nil }
        let settings = root.read(fleetFile, limit: RepositoryFile.fleetFileLimit)
        // Read, then decoded: the decoder adds its problems to the same file, so it is asked again.
        guard settings.diagnostics.isEmpty, case (let fleet?, _) = FleetDecoder(rules: rules).decode(settings),
            settings.diagnostics.isEmpty
        else { return nil }
        var digest = FleetFilesDigest.Builder()
        digest.add(path: settings.path, content: FleetFilesDigest.Builder.content(settings.bytes))
        let names = instanceFileNames(entries)
        let chunkSize = 512
        let chunks = (names.count + chunkSize - 1) / chunkSize
        let slots = ChunkResults<(path: String, content: [UInt8], heading: InstanceHeading)?>(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = chunk * chunkSize..<min(names.count, (chunk + 1) * chunkSize)
            slots.store(
                chunk,
                range.map { index in
                    guard names[index].firstTerminalControl == nil else { return nil }
                    let file = root.read("Instances/" + names[index], limit: RepositoryFile.instanceFileLimit)
                    guard file.diagnostics.isEmpty, let heading = heading(file.bytes) else { return nil }
                    return (file.path, FleetFilesDigest.Builder.content(file.bytes), heading)
                })
        }
        var headings: [InstanceHeading] = []
        headings.reserveCapacity(names.count)
        for file in slots.joined() {
            guard let file else { return nil }
            digest.add(path: file.path, content: file.content)
            headings.append(file.heading)
        }
        guard let filesDigest = digest.digest else { return nil }
        return FleetScan(fleet: fleet, filesDigest: filesDigest, headings: headings)
    }

    /// The heading fields of an instance file, read as written (a file that validated holds them plainly).
    private static func heading(_ bytes: [UInt8]) -> InstanceHeading? {
        guard case .success(let node) = JSONParser.parse(bytes), case .object(let members) = node.value else {
            return nil
        }
        func string(_ key: String) -> String? {
            guard case .string(let value)? = members.first(where: { $0.key == key })?.value.value else { return nil }
            return value
        }
        guard let name = string("name"), let type = string("type").flatMap(InstanceType.init(rawValue:)),
            let region = string("region"), let channel = string("channel")
        else { return nil }
        return InstanceHeading(name: name, type: type, region: region, channel: channel)
    }
}
