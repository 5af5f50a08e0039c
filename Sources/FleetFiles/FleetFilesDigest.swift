import FleetModel

/// SHA-256 over every file of a fleet repository that a load reads (the fleet file and each instance file, by path,
/// in path order): equal digests mean byte-identical files, so whatever was planned from them would be planned again.
public struct FleetFilesDigest: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]
    public var description: String { ContentHash.hex(bytes) }

    /// Collects files in path order; yields no digest once a file could not be read whole.
    struct Builder {
        // Each file as its length-prefixed path and the SHA-256 of its bytes: ~60 bytes a file, hashed once at the end.
        private var text = Array("cloudctl fleet files 1\n".utf8)
        private var complete = true

        mutating func add(path: String, content: [UInt8]?) {
            guard let content else {
                complete = false
                return
            }
            text += "\(path.utf8.count):\(path)".utf8
            text += content
        }

        /// The SHA-256 of a file's bytes, as `add` takes it (computed by whichever thread read the file).
        static func content(_ bytes: [UInt8]) -> [UInt8] { ContentHash.sha256(bytes) }

        var digest: FleetFilesDigest? { complete ? FleetFilesDigest(bytes: ContentHash.sha256(text)) : nil }
    }
}
