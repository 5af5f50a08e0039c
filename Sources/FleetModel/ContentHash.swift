import CCrypto

/// SHA-256 over text or bytes, hex-encoded; used for step input hashes and plan fingerprints.
public enum ContentHash {
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { buf in _ = SHA256(buf.baseAddress, buf.count, &digest) }
        return digest
    }

    public static func sha256Hex(_ text: String) -> String { hex(sha256(Array(text.utf8))) }

    /// Hash of a string map in key order: the canonical form of step inputs.
    public static func sha256Hex(_ map: [String: String]) -> String {
        sha256Hex(map.keys.sorted().map { "\($0)=\(map[$0]!)" }.joined(separator: "\n"))
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](); out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0x0f)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
