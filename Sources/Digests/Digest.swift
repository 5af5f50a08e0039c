import Foundation
import CCrypto
import FleetModel

/// The keyed and plain digests SigV4 and S3 need, over libcrypto.
enum Digest {
    /// HMAC-SHA256 of `data` under `key`.
    static func hmacSHA256(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBufferPointer { k in
            data.withUnsafeBufferPointer { d in
                _ = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), d.baseAddress, d.count, &out, &length)
            }
        }
        return Array(out.prefix(Int(length)))
    }

    static func sha256Hex(_ data: Data) -> String { ContentHash.hex(ContentHash.sha256(Array(data))) }

    /// Base64 MD5, for S3's `Content-MD5` (real S3 demands it on several bucket-configuration PUTs).
    static func md5Base64(_ data: Data) -> String {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let bytes = Array(data)
        bytes.withUnsafeBufferPointer { b in _ = EVP_Digest(b.baseAddress, b.count, &out, &length, EVP_md5(), nil) }
        return Data(out.prefix(Int(length))).base64EncodedString()
    }
}
