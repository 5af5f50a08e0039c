import FleetModel

/// A parsed JSON value that remembers the byte offset where it starts, so diagnostics can point at it.
struct JSONNode {
    /// The value itself; objects keep their members in file order.
    enum Value {
        case object([JSONMember])
        case array([JSONNode])
        case string(String)
        case integer(Int)
        /// A number with a fraction or exponent, or too large for `Int`.
        case fraction(Double)
        case bool(Bool)
        case null
    }

    var value: Value
    var offset: Int

    /// How the value reads in a message: `the string "256"`, `the number 1.5`, `an object`.
    var quoted: String {
        switch value {
        case .object: "an object"
        case .array: "an array"
        case .string(let s): "the string \(Diagnostic.quoted(s))"
        case .integer(let n): "the number \(n)"
        case .fraction(let d): "the number \(d)"
        case .bool(let b): "\(b)"
        case .null: "null"
        }
    }
}

/// One `"key": value` pair of a JSON object.
struct JSONMember {
    var key: String
    var keyOffset: Int
    var value: JSONNode
}

/// A 1-based line and column (in characters) inside a file.
struct TextPosition: Equatable {
    var line: Int
    var column: Int

    /// Where byte `offset` of `bytes` lies; columns count Unicode scalars, not bytes.
    init(offset: Int, in bytes: UnsafeBufferPointer<UInt8>) {
        var line = 1
        var column = 1
        let hasBOM = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
        var i = hasBOM ? 3 : 0
        let end = min(offset, bytes.count)
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 && b != UInt8(ascii: "\r") {
                column += 1
            }
            i += 1
        }
        self.line = line
        self.column = column
    }

    init(offset: Int, in bytes: [UInt8]) {
        self = bytes.withUnsafeBufferPointer { TextPosition(offset: offset, in: $0) }
    }
}
