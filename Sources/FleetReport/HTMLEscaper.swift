/// Escapes text for the three places the fleet page puts strings: element text, attribute values and the JSON
/// island read by the page's script. Every string from instance files, the cloud or the journal goes through here.
public enum HTMLEscaper {
    /// Text for element content or a double- or single-quoted attribute value: `& < > " '` become entities.
    public static func text(_ value: String) -> String {
        guard value.utf8.contains(where: isSpecialInHTML) else { return value }
        var result = ""
        result.reserveCapacity(value.utf8.count + 16)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A JSON string literal safe inside `<script type="application/json">`: besides JSON's own escapes, `<`, `>`
    /// and `&` become `\u003c` etc. so no value can close the script element or open a comment, and U+2028/U+2029
    /// are escaped for older JavaScript parsers.
    public static func jsonString(_ value: String, to out: inout String) {
        out += "\""
        guard value.utf8.contains(where: isSpecialInJSON) else {
            out += value
            out += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// `jsonString(value, to:)` appended as UTF-8 bytes (the page's data island is written as bytes).
    static func jsonString(_ value: String, to out: inout [UInt8]) {
        guard value.utf8.contains(where: isSpecialInJSON) else {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: value.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        var escaped = ""
        jsonString(value, to: &escaped)
        out.append(contentsOf: escaped.utf8)
    }

    private static func isSpecialInHTML(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
            || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }

    /// 0xE2 starts U+2028 and U+2029 in UTF-8; checking the lead byte keeps the scan byte-wise.
    private static func isSpecialInJSON(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "<")
            || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "&") || byte == 0xE2
    }
}
