import Foundation
import CCrypto

/// The digests cloudctl needs, over libcrypto: SHA-256 (step hashes, fingerprints, SigV4), HMAC-SHA256 (SigV4)
/// and MD5 (S3's `Content-MD5`).
public enum Digest {
    /// SHA-256 of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { buf in _ = SHA256(buf.baseAddress, buf.count, &digest) }
        return digest
    }

    /// HMAC-SHA256 of `data` under `key`.
    public static func hmacSHA256(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBufferPointer { k in
            data.withUnsafeBufferPointer { d in
                _ = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), d.baseAddress, d.count, &out, &length)
            }
        }
        return Array(out.prefix(Int(length)))
    }

    public static func sha256Hex(_ data: Data) -> String { hex(sha256(Array(data))) }

    /// Base64 MD5, for S3's `Content-MD5` (real S3 demands it on several bucket-configuration PUTs).
    public static func md5Base64(_ data: Data) -> String {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let bytes = Array(data)
        bytes.withUnsafeBufferPointer { b in _ = EVP_Digest(b.baseAddress, b.count, &out, &length, EVP_md5(), nil) }
        return Data(out.prefix(Int(length))).base64EncodedString()
    }

    /// Lowercase hex of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Digest {
    /// SHA-256 of `bytes` in place, without copying them into an array.
    public static func sha256(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        _ = SHA256(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, &digest)
        return digest
    }
}
