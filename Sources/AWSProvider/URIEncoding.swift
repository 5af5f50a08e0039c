/// RFC 3986 percent-encoding as SigV4 defines it: only `A-Z a-z 0-9 - . _ ~` stay literal.
enum URIEncoding {
    static func encode(_ text: String, keepingSlash: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepingSlash:
                out += "/"
            default:
                out +=
                    "%" + String(byte >> 4, radix: 16, uppercase: true)
                    + String(byte & 0x0f, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// `name=value` pairs, encoded and sorted by name then value (the canonical query and the Query-protocol body).
    static func form(_ pairs: [(String, String)]) -> String {
        pairs.map { (encode($0.0), encode($0.1)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }
}
