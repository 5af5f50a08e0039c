import Digests

/// SHA-256 over text or bytes, hex-encoded; used for step input hashes and plan fingerprints.
public enum ContentHash {
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] { Digest.sha256(bytes) }

    /// SHA-256 of bytes in place (a slice of a mapped file), without copying them.
    public static func sha256(_ bytes: UnsafeRawBufferPointer) -> [UInt8] { Digest.sha256(bytes) }

    public static func sha256Hex(_ text: String) -> String { hex(sha256(Array(text.utf8))) }

    /// Hash of a string map in key order: the canonical form of step inputs.
    public static func sha256Hex(_ map: [String: String]) -> String {
        sha256Hex(map.keys.sorted().map { "\($0)=\(map[$0]!)" }.joined(separator: "\n"))
    }

    public static func hex(_ bytes: [UInt8]) -> String { Digest.hex(bytes) }
}
