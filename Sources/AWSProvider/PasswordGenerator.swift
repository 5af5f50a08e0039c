import Digests

/// Generates database passwords from libcrypto's CSPRNG; they live only in Secrets Manager.
public enum PasswordGenerator {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// `length` letters and digits, uniformly chosen (rejection sampling avoids modulo bias).
    public static func generate(length: Int = 40) -> String {
        var out = ""
        let limit = UInt8(256 - 256 % alphabet.count)
        while out.count < length {
            for b in SecureRandom.bytes(64) where b < limit && out.count < length {
                out.append(alphabet[Int(b) % alphabet.count])
            }
        }
        return out
    }
}
