/// Writes strings as JSON string literals, for every JSON cloudctl produces by hand (saved plans, AWS bodies, edited
/// instance files), so all of them escape alike.
public enum JSONStringEscaper {
    /// A JSON string literal as `JSONEncoder` writes it: quotes, backslashes and control characters escaped,
    /// everything else (slashes, non-ASCII) as is. Plans of 100,000 instances go through here: the common case
    /// (nothing to escape) is one byte scan and three writes.
    public static func write(_ text: String, to out: inout some TextOutputStream) {
        out.write("\"")
        guard needsEscaping(text) else {
            out.write(text)
            out.write("\"")
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out.write("\\\"")
            case "\\": out.write("\\\\")
            case "\n": out.write("\\n")
            case "\r": out.write("\\r")
            case "\t": out.write("\\t")
            case "\u{08}": out.write("\\b")
            case "\u{0C}": out.write("\\f")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out.write("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: out.write(String(scalar))
            }
        }
        out.write("\"")
    }

    /// `write` into a new string.
    public static func quoted(_ text: String) -> String {
        var result = ""
        write(text, to: &result)
        return result
    }

    private static func needsEscaping(_ text: String) -> Bool {
        func check(_ bytes: some Sequence<UInt8>) -> Bool {
            bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        }
        // Scanning the contiguous bytes is several times faster than iterating the UTF-8 view.
        return text.utf8.withContiguousStorageIfAvailable(check) ?? check(text.utf8)
    }
}
