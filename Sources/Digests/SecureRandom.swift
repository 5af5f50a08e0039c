import CCrypto

/// Bytes from libcrypto's CSPRNG, so every use of libcrypto sits in this one target.
public enum SecureRandom {
    /// `count` random bytes; traps if libcrypto cannot provide them (nothing safe to fall back to).
    public static func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        precondition(RAND_bytes(&bytes, Int32(bytes.count)) == 1, "libcrypto RAND_bytes failed")
        return bytes
    }
}
