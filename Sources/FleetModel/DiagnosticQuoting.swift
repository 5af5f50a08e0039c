extension Diagnostic {
    /// Most characters of a file's value a message shows; values are echoed to terminals and PR comments.
    public static let excerptLimit = 64

    /// `"value"` as a message shows a value read from a file: control characters, terminal escapes and bidi
    /// controls written as escapes (`\u001b`), quotes and backslashes escaped, cut after `excerptLimit` characters.
    public static func quoted(_ text: String) -> String {
        // The common case, a short printable ASCII value, is shown as is.
        let isPlain = text.utf8.allSatisfy { byte in
            byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
        }
        if text.utf8.count <= excerptLimit, isPlain {
            return "\"" + text + "\""
        }
        var out = "\""
        for (index, scalar) in text.unicodeScalars.enumerated() {
            guard index < excerptLimit else {
                out += "…"
                break
            }
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.isTerminalControl:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension String {
    /// The first character that `isTerminalControl`, if any. Every string of every instance file is checked, so
    /// the common case (printable ASCII) is one scan over contiguous bytes.
    public var firstTerminalControl: Unicode.Scalar? {
        func isPrintableASCII(_ bytes: some Sequence<UInt8>) -> Bool { bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }
        if utf8.withContiguousStorageIfAvailable(isPrintableASCII) ?? isPrintableASCII(utf8) { return nil }
        return unicodeScalars.first(where: \.isTerminalControl)
    }
}

extension Unicode.Scalar {
    /// C0 and C1 control characters, DEL, line/paragraph separators and bidi controls: characters that move the
    /// cursor, start terminal escape sequences or make text display in another order than it reads.
    public var isTerminalControl: Bool {
        switch value {
        case 0x00..<0x20, 0x7F...0x9F: true
        case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
