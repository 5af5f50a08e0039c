import FleetModel

/// A JSON syntax problem at a byte offset: what was found, and what was expected instead.
struct JSONSyntaxError: Error {
    var summary: String
    var detail: String
    var offset: Int
}

/// A strict RFC 8259 parser over bytes that records where every value starts.
///
/// Hand-written because Foundation's parser reports neither line nor column, and because
/// loading 100,000 instance files must stay fast. Duplicate keys, trailing commas and
/// comments are errors.
struct JSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    private static let maxDepth = 256

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Parses one complete JSON document.
    static func parse(_ bytes: [UInt8]) -> Result<JSONNode, JSONSyntaxError> {
        bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(buffer)
            do { return .success(try parser.parseDocument()) } catch { return .failure(error as! JSONSyntaxError) }
        }
    }

    private mutating func parseDocument() throws -> JSONNode {
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { index = 3 }
        skipWhitespace()
        guard index < bytes.count else {
            throw JSONSyntaxError(
                summary: "the file is empty", detail: "expected one JSON object { ... }", offset: index)
        }
        let node = try parseValue()
        skipWhitespace()
        guard index == bytes.count else {
            throw JSONSyntaxError(
                summary: "unexpected \(found()) after the end of the JSON value",
                detail: "a file holds exactly one JSON value; remove what follows it", offset: index)
        }
        return node
    }

    private mutating func parseValue() throws -> JSONNode {
        let start = index
        guard index < bytes.count else {
            throw JSONSyntaxError(
                summary: "unexpected end of file, expected a value",
                detail: "complete the value or remove the dangling key or comma", offset: index)
        }
        switch bytes[index] {
        case UInt8(ascii: "{"): return JSONNode(value: .object(try parseObject()), offset: start)
        case UInt8(ascii: "["): return JSONNode(value: .array(try parseArray()), offset: start)
        case UInt8(ascii: "\""): return JSONNode(value: .string(try parseString()), offset: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONNode(value: try parseNumber(), offset: start)
        default:
            if consume("true") { return JSONNode(value: .bool(true), offset: start) }
            if consume("false") { return JSONNode(value: .bool(false), offset: start) }
            if consume("null") { return JSONNode(value: .null, offset: start) }
            throw JSONSyntaxError(summary: "expected a value, found \(found())", detail: valueHint(), offset: start)
        }
    }

    private mutating func parseObject() throws -> [JSONMember] {
        let open = index
        try enterContainer()
        defer { depth -= 1 }
        var members: [JSONMember] = []
        var lastComma: Int?
        skipWhitespace()
        if peek(UInt8(ascii: "}")) {
            index += 1
            return members
        }
        while true {
            skipWhitespace()
            guard peek(UInt8(ascii: "\"")) else {
                if let lastComma, peek(UInt8(ascii: "}")) {
                    throw JSONSyntaxError(
                        summary: "trailing comma in object", detail: "remove the ',' after the last member",
                        offset: lastComma)
                }
                if index >= bytes.count { throw unclosed("object", "}", at: open) }
                throw JSONSyntaxError(
                    summary: "expected a string key, found \(found())",
                    detail: isComment()
                        ? "JSON has no comments; remove it" : "object keys are strings in double quotes", offset: index)
            }
            let keyOffset = index
            let key = try parseString()
            if let first = members.first(where: { $0.key == key }) {
                let at = TextPosition(offset: first.keyOffset, in: bytes)
                throw JSONSyntaxError(
                    summary: "duplicate key \(Diagnostic.quoted(key))",
                    detail: "first defined at line \(at.line), column \(at.column); each key may appear only once",
                    offset: keyOffset)
            }
            skipWhitespace()
            guard peek(UInt8(ascii: ":")) else {
                throw JSONSyntaxError(
                    summary: "expected ':' after key \(Diagnostic.quoted(key)), found \(found())",
                    detail: "write \(Diagnostic.quoted(key)): value", offset: index)
            }
            index += 1
            skipWhitespace()
            members.append(JSONMember(key: key, keyOffset: keyOffset, value: try parseValue()))
            let valueEnd = index
            skipWhitespace()
            if peek(UInt8(ascii: ",")) {
                lastComma = index
                index += 1
                continue
            }
            if peek(UInt8(ascii: "}")) {
                index += 1
                return members
            }
            if index >= bytes.count { throw unclosed("object", "}", at: open) }
            // A key right after a value is a forgotten comma: point where it belongs, not at the next line.
            if peek(UInt8(ascii: "\"")) { throw missingComma(at: valueEnd, between: "object members") }
            throw JSONSyntaxError(
                summary: "expected ',' or '}' after object member, found \(found())",
                detail: "separate members with commas and close the object with '}'", offset: index)
        }
    }

    private mutating func parseArray() throws -> [JSONNode] {
        let open = index
        try enterContainer()
        defer { depth -= 1 }
        var elements: [JSONNode] = []
        skipWhitespace()
        if peek(UInt8(ascii: "]")) {
            index += 1
            return elements
        }
        while true {
            skipWhitespace()
            if index >= bytes.count { throw unclosed("array", "]", at: open) }
            elements.append(try parseValue())
            let valueEnd = index
            skipWhitespace()
            if peek(UInt8(ascii: ",")) {
                let comma = index
                index += 1
                skipWhitespace()
                if peek(UInt8(ascii: "]")) {
                    throw JSONSyntaxError(
                        summary: "trailing comma in array", detail: "remove the ',' after the last element",
                        offset: comma)
                }
                continue
            }
            if peek(UInt8(ascii: "]")) {
                index += 1
                return elements
            }
            if index >= bytes.count { throw unclosed("array", "]", at: open) }
            if peek(UInt8(ascii: "\"")) || peek(UInt8(ascii: "{")) || peek(UInt8(ascii: "[")) {
                throw missingComma(at: valueEnd, between: "array elements")
            }
            throw JSONSyntaxError(
                summary: "expected ',' or ']' after array element, found \(found())",
                detail: "separate elements with commas and close the array with ']'", offset: index)
        }
    }

    /// Parses a string starting at the opening quote; the common escape-free ASCII case copies bytes once.
    private mutating func parseString() throws -> String {
        let open = index
        index += 1
        let contentStart = index
        var isASCII = true
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let content = UnsafeBufferPointer(rebasing: bytes[contentStart..<index])
                index += 1
                if isASCII { return String(decoding: content, as: UTF8.self) }
                return try validUTF8(content, open: open)
            }
            if b == UInt8(ascii: "\\") { return try parseEscapedString(open: open, contentStart: contentStart) }
            try checkStringByte(b, open: open)
            if b >= 0x80 { isASCII = false }
            index += 1
        }
        throw unterminatedString(at: open)
    }

    private mutating func parseEscapedString(open: Int, contentStart: Int) throws -> String {
        var buffer = Array(bytes[contentStart..<index])
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return try buffer.withUnsafeBufferPointer { try validUTF8($0, open: open) }
            }
            if b != UInt8(ascii: "\\") {
                try checkStringByte(b, open: open)
                buffer.append(b)
                index += 1
                continue
            }
            let escape = index
            index += 1
            guard index < bytes.count else { throw unterminatedString(at: open) }
            if let replacement = unescaped(bytes[index]) {
                buffer.append(replacement)
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "u") else {
                throw JSONSyntaxError(
                    summary:
                        "invalid escape \\\(bytes[index] < 0x80 ? String(UnicodeScalar(bytes[index])) : "?") in string",
                    detail: "valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX", offset: escape)
            }
            index += 1
            var scalar = try hex4(escape: escape)
            if (0xD800..<0xDC00).contains(scalar), consume("\\u") {
                let low = try hex4(escape: escape)
                guard (0xDC00..<0xE000).contains(low) else { throw loneSurrogate(at: escape) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw loneSurrogate(at: escape) }
            buffer.append(contentsOf: Array(String(Character(unicode)).utf8))
        }
        throw unterminatedString(at: open)
    }

    private mutating func hex4(escape: Int) throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count, let digit = hexDigit(bytes[index]) else {
                throw JSONSyntaxError(
                    summary: "invalid \\u escape in string",
                    detail: "write \\u followed by four hex digits, e.g. \\u00e9", offset: escape)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// The byte a one-letter escape such as `\n` stands for.
    private func unescaped(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): b
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
    }

    private func hexDigit(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private mutating func parseNumber() throws -> JSONNode.Value {
        let start = index
        var isInteger = true
        _ = consume("-")
        if consume("0") {
            if index < bytes.count, isDigit(bytes[index]) {
                throw JSONSyntaxError(
                    summary: "invalid number: leading zeros are not allowed",
                    detail: "write the number without leading zeros", offset: start)
            }
        } else if !consumeDigits() {
            throw JSONSyntaxError(summary: "invalid number", detail: "expected digits after '-'", offset: start)
        }
        if consume(".") {
            isInteger = false
            guard consumeDigits() else {
                throw JSONSyntaxError(
                    summary: "invalid number", detail: "expected digits after the decimal point", offset: start)
            }
        }
        if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
            isInteger = false
            index += 1
            if !consume("+") { _ = consume("-") }
            guard consumeDigits() else {
                throw JSONSyntaxError(
                    summary: "invalid number", detail: "expected digits in the exponent", offset: start)
            }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let n = Int(text) { return .integer(n) }
        return .fraction(Double(text) ?? .infinity)
    }

    // MARK: Small helpers

    private mutating func enterContainer() throws {
        depth += 1
        guard depth <= Self.maxDepth else {
            throw JSONSyntaxError(
                summary: "nesting is deeper than \(Self.maxDepth) levels", detail: "flatten the value", offset: index)
        }
        index += 1
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func peek(_ byte: UInt8) -> Bool { index < bytes.count && bytes[index] == byte }

    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private mutating func consumeDigits() -> Bool {
        let start = index
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        return index > start
    }

    /// Consumes `word` when the bytes at the cursor spell it exactly.
    private mutating func consume(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for i in 0..<count where bytes[index + i] != word.utf8Start[i] { return false }
        index += count
        return true
    }

    private func checkStringByte(_ b: UInt8, open: Int) throws {
        if b == 0x0A || b == 0x0D { throw unterminatedString(at: open) }
        if b < 0x20 {
            throw JSONSyntaxError(
                summary: "control character U+\(String(b, radix: 16, uppercase: true).leftPadded(4)) in string",
                detail: "write it as an escape such as \\t or \\u0009", offset: index)
        }
    }

    private func validUTF8(_ content: UnsafeBufferPointer<UInt8>, open: Int) throws -> String {
        guard let text = String(validating: content, as: UTF8.self) else {
            throw JSONSyntaxError(summary: "invalid UTF-8 in string", detail: "save the file as UTF-8", offset: open)
        }
        return text
    }

    private func unterminatedString(at open: Int) -> JSONSyntaxError {
        JSONSyntaxError(
            summary: "unterminated string", detail: "add the closing '\"' before the end of the line", offset: open)
    }

    private func loneSurrogate(at escape: Int) -> JSONSyntaxError {
        JSONSyntaxError(
            summary: "invalid \\u escape: unpaired surrogate",
            detail: "write characters outside the BMP as a surrogate pair", offset: escape)
    }

    private func unclosed(_ kind: String, _ closer: String, at open: Int) -> JSONSyntaxError {
        JSONSyntaxError(
            summary: "unexpected end of file: \(kind) is never closed",
            detail: "add the missing '\(closer)' for the \(kind) opened here", offset: open)
    }

    private func missingComma(at offset: Int, between what: String) -> JSONSyntaxError {
        JSONSyntaxError(
            summary: "missing ',' between \(what)", detail: "add a ',' here, after the value", offset: offset)
    }

    private func isComment() -> Bool { peek(UInt8(ascii: "/")) }

    private func valueHint() -> String {
        if isComment() { return "JSON has no comments; remove it" }
        if index < bytes.count, bytes[index] == UInt8(ascii: "'") { return "strings use double quotes" }
        if index < bytes.count, (bytes[index] | 0x20) >= UInt8(ascii: "a"), (bytes[index] | 0x20) <= UInt8(ascii: "z") {
            return "put text in double quotes; literals are lowercase true, false, null"
        }
        return "a value is a string in double quotes, a number, true, false, null, an object or an array"
    }

    /// The token at the cursor for messages: `'}'`, `"small"` for a bare word, or `end of file`.
    private func found() -> String {
        guard index < bytes.count else { return "end of file" }
        var end = index
        while end < bytes.count, end - index < 20,
            bytes[end] >= 0x80 || (bytes[end] | 0x20) >= UInt8(ascii: "a") && (bytes[end] | 0x20) <= UInt8(ascii: "z")
                || isDigit(bytes[end]) || bytes[end] == UInt8(ascii: "_")
        {
            end += 1
        }
        if end > index + 1 {
            let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
            return Diagnostic.quoted(word)
        }
        let scalarEnd = Swift.min(bytes.count, index + 4)
        let character =
            String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<scalarEnd]), as: UTF8.self).first.map(
                String.init) ?? "?"
        // A control character is named, never printed: it could start a terminal escape sequence.
        if let scalar = character.unicodeScalars.first, scalar.isTerminalControl {
            return "control character U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(4)
        }
        return character == "'" ? "\"'\"" : "'\(character)'"
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: Swift.max(0, width - count)) + self }
}
