/// Hand-written format checks for instance and fleet fields; no regular expressions,
/// because they run for every one of possibly 100,000 files.
enum FieldSyntax {
    /// `^[a-z][a-z0-9-]{2,39}$`: instance and fleet names.
    static func isName(_ text: String) -> Bool { isLowercaseIdentifier(text, lengths: 3...40) }

    /// `^[a-z][a-z0-9-]{0,31}$`: tier and channel names.
    static func isKeyName(_ text: String) -> Bool { isLowercaseIdentifier(text, lengths: 1...32) }

    /// A lowercase DNS name of at least two labels, each 1–63 of `a-z 0-9 -`, not starting or ending with `-`.
    static func isHostname(_ text: String) -> Bool {
        guard text.utf8.count <= 253 else { return false }
        let labels = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
                && label.allSatisfy { isLowercaseLetter($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// A real calendar date `YYYY-MM-DD`.
    static func isDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = number(bytes[0..<4]), let month = number(bytes[5..<7]), let day = number(bytes[8..<10]),
            (1...12).contains(month)
        else { return false }
        let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    /// A container image repository without tag or digest, e.g. `registry.example.com/acme/app`.
    static func isImageRepository(_ text: String) -> Bool {
        guard !text.isEmpty, !text.contains("@"), !text.hasSuffix("/"),
            let lastComponent = text.split(separator: "/", omittingEmptySubsequences: false).last,
            !lastComponent.isEmpty, !lastComponent.contains(":")
        else { return false }
        return text.utf8.allSatisfy { isLowercaseLetter($0) || isDigit($0) || Array("._-/:".utf8).contains($0) }
    }

    /// Digits only, as a number; nil when empty or not all digits.
    static func number(_ digits: some Collection<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy(isDigit) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    private static func isLowercaseIdentifier(_ text: String, lengths: ClosedRange<Int>) -> Bool {
        let bytes = text.utf8
        guard lengths.contains(bytes.count), let first = bytes.first, isLowercaseLetter(first) else { return false }
        return bytes.allSatisfy { isLowercaseLetter($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    private static func isLowercaseLetter(_ b: UInt8) -> Bool { b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") }
}
