import FleetModel
import Foundation
/// A JSON syntax or shape problem found while outlining a document, at a 1-based line and column.
public struct JSONOutlineError: Error, Equatable {
    public var summary: String
    public var line: Int
    public var column: Int
}

/// The byte ranges of a JSON document's parts, found without decoding them: the members of the top-level object and
/// the elements of an array. Nested values are only skipped (strings, brackets and separators are checked); each part
/// is decoded strictly later, one at a time, so a file of hundreds of megabytes is never parsed as a whole.
public struct JSONOutline {
    /// One `"key": value` of an object; `value` is the byte range of the value.
    public struct Member: Equatable, Sendable {
        public var key: String
        public var value: Range<Int>
    }

    /// One array element; `identity` is the string value of the element's member named by the caller, when the
    /// element is an object holding that member as a plain string (no escapes).
    public struct Element: Equatable, Sendable {
        public var range: Range<Int>
        public var identity: String?
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private static let maxDepth = 256
    private let seen = SeenElements()

    public init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The document's top-level object: its members in file order (duplicate keys refused) and, when it has a member
    /// `arrayKey` holding an array, that array's elements. `release` is called every 16 MiB scanned, with the offset
    /// reached, so a caller can drop the pages already read.
    public func topLevel(arrayKey: String, identityKey: String, release: (Int) -> Void = { _ in })
        throws -> (members: [Member], elements: [Element])
    {
        var index = 0
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { index = 3 }
        skipWhitespace(&index)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else {
            throw error("expected a JSON object", at: index)
        }
        var found: [Member] = []
        var elements: [Element] = []
        index = try withoutActuallyEscaping(release) { release in
            try members(of: index, depth: 1, arrayKey: arrayKey) { start in
                let (end, list) = try self.elements(at: start, identityKey: identityKey, release: release)
                elements = list
                return end
            } each: {
                found.append($0)
            }
        }
        skipWhitespace(&index)
        guard index == bytes.count else { throw error("unexpected text after the end of the JSON object", at: index) }
        var keys = Set<String>()
        for member in found where !keys.insert(member.key).inserted {
            throw error("the key \"\(member.key)\" appears more than once", at: member.value.lowerBound)
        }
        return (found, elements)
    }

    /// The elements of the array starting at `start`; returns the index after its `]`.
    private func elements(at start: Int, identityKey: String, release: (Int) -> Void) throws -> (Int, [Element]) {
        var index = start
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else {
            throw error("expected an array", at: index)
        }
        if let laidOut = laidOutElements(at: start, identityKey: identityKey, release: release) { return laidOut }
        index += 1
        let identity = Array(identityKey.utf8)
        var elements: [Element] = []
        var released = index
        skipWhitespace(&index)
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { return (index + 1, []) }
        while true {
            skipWhitespace(&index)
            let start = index
            var name: String?
            if index < bytes.count, bytes[index] == UInt8(ascii: "{") {
                index = try members(of: index, depth: 2) { member in
                    guard name == nil, member.key.utf8.elementsEqual(identity) else { return }
                    name = plainString(member.value)
                }
            } else {
                index = try skipValue(index, depth: 2)
            }
            elements.append(Element(range: start..<index, identity: name))
            if index - released >= 16 << 20 {
                release(index)
                released = index
            }
            skipWhitespace(&index)
            guard index < bytes.count else { throw error("unexpected end of file inside an array", at: index) }
            if bytes[index] == UInt8(ascii: "]") { return (index + 1, elements) }
            guard bytes[index] == UInt8(ascii: ",") else { throw error("expected ',' or ']' in an array", at: index) }
            index += 1
        }
    }

    /// The elements of the array at `start` when it is laid out as `JSONEncoder` pretty-prints an array of objects
    /// in a top-level member (as cloudctl writes the instances of a plan): each element opens with `{` and closes with
    /// the first line that is exactly four spaces and `}`, and elements are separated by exactly `,` and a line
    /// break. Found by lines (`PrettyPrintedLines`) instead of walking every byte; nil when the separators or the end
    /// are not laid out so, and the byte walk reads the array.
    /// Nothing inside an element is checked here: every element of a plan is later decoded strictly or found equal to
    /// what cloudctl writes, so a hand-made file that only looks laid out is refused for its element, not its line.
    private func laidOutElements(at start: Int, identityKey: String, release: (Int) -> Void) -> (Int, [Element])? {
        let open = Array("[\n    {".utf8)
        let close = 6  // "\n    }"
        let next = Array(",\n    {".utf8)
        let end = Array("\n  ]".utf8)
        let name = Array("      \"\(identityKey)\" : \"".utf8)
        guard matches(open, at: start) else { return nil }
        var elements: [Element] = []
        var index = start + open.count - 1
        var released = index
        while true {
            guard
                let closing = PrettyPrintedLines.closingLine(
                    bytes, from: index, end: bytes.count, indent: 4, closing: UInt8(ascii: "}"))
            else { return nil }
            let range = index..<closing + close
            elements.append(Element(range: range, identity: identity(name, in: range)))
            index = range.upperBound
            if index - released >= 16 << 20 {
                release(index)
                released = index
            }
            if matches(next, at: index) {
                index += next.count - 1
            } else if matches(end, at: index) {
                return (index + end.count, elements)
            } else {
                return nil
            }
        }
    }

    private func matches(_ pattern: [UInt8], at index: Int) -> Bool {
        bytes.count - index >= pattern.count
            && pattern.withUnsafeBytes { memcmp(bytes.baseAddress! + index, $0.baseAddress!, pattern.count) == 0 }
    }

    /// The plain string value of the member on the line starting with `prefix` (after the line break) inside `range`,
    /// if there is one; nil for escapes and control characters, as the byte walk has it.
    private func identity(_ prefix: [UInt8], in range: Range<Int>) -> String? {
        var line = range.lowerBound
        let base = UnsafeRawPointer(bytes.baseAddress!)
        while line < range.upperBound,
            let hit = memchr(base + line, Int32(UInt8(ascii: "\n")), range.upperBound - line)
        {
            line = UnsafeRawPointer(hit) - base + 1
            guard matches(prefix, at: line) else { continue }
            let start = line + prefix.count
            var index = start
            while index < range.upperBound, bytes[index] >= 0x20, bytes[index] != UInt8(ascii: "\""),
                bytes[index] != UInt8(ascii: "\\")
            {
                index += 1
            }
            guard index < range.upperBound, bytes[index] == UInt8(ascii: "\"") else { return nil }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
        return nil
    }

    /// Walks the object starting at `start`, handing each member to `each`; returns the index after its `}`.
    /// `arrayKey`'s value, when it starts with `[`, is walked by `array` instead of being skipped.
    private func members(
        of start: Int, depth: Int, arrayKey: String? = nil, array: ((Int) throws -> Int)? = nil,
        each: (Member) -> Void
    ) throws -> Int {
        var index = start + 1
        skipWhitespace(&index)
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { return index + 1 }
        while true {
            skipWhitespace(&index)
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a string key", at: index)
            }
            let keyStart = index
            index = try skipString(index)
            let key = plainString(keyStart..<index) ?? String(decoding: bytes[keyStart + 1..<index - 1], as: UTF8.self)
            skipWhitespace(&index)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("expected ':' after a key", at: index)
            }
            index += 1
            skipWhitespace(&index)
            let valueStart = index
            if let array, key == arrayKey, index < bytes.count, bytes[index] == UInt8(ascii: "[") {
                index = try array(index)
            } else {
                index = try skipValue(index, depth: depth + 1)
            }
            each(Member(key: key, value: valueStart..<index))
            skipWhitespace(&index)
            guard index < bytes.count else { throw error("unexpected end of file inside an object", at: index) }
            if bytes[index] == UInt8(ascii: "}") { return index + 1 }
            guard bytes[index] == UInt8(ascii: ",") else { throw error("expected ',' or '}' in an object", at: index) }
            index += 1
        }
    }

    /// The index just after the value starting at `start`.
    private func skipValue(_ start: Int, depth: Int) throws -> Int {
        guard depth <= Self.maxDepth else { throw error("values are nested too deeply", at: start) }
        guard start < bytes.count else { throw error("unexpected end of file, expected a value", at: start) }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return try skipString(start)
        case UInt8(ascii: "{"):
            return try members(of: start, depth: depth) { _ in }
        case UInt8(ascii: "["):
            var index = start + 1
            skipWhitespace(&index)
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { return index + 1 }
            var position = 0
            while true {
                skipWhitespace(&index)
                if let known = seen.match(bytes, at: index, position: position) {
                    index += known
                } else {
                    let start = index
                    index = try skipValue(index, depth: depth + 1)
                    seen.remember(bytes, start..<index, position: position)
                }
                position += 1
                skipWhitespace(&index)
                guard index < bytes.count else { throw error("unexpected end of file inside an array", at: index) }
                if bytes[index] == UInt8(ascii: "]") { return index + 1 }
                guard bytes[index] == UInt8(ascii: ",") else {
                    throw error("expected ',' or ']' in an array", at: index)
                }
                index += 1
            }
        default:
            // Numbers and literals: checked when the part holding them is decoded.
            var index = start
            while index < bytes.count, Self.isScalarByte(bytes[index]) { index += 1 }
            guard index > start else { throw error("expected a value", at: start) }
            return index
        }
    }

    private static func isScalarByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "E"):
            true
        default: false
        }
    }

    /// The index just after the string starting at `start` (its opening quote).
    private func skipString(_ start: Int) throws -> Int {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""): return index + 1
            case UInt8(ascii: "\\"): index += 2
            case 0..<0x20: throw error("control character inside a string", at: index)
            default: index += 1
            }
        }
        throw error("unterminated string", at: start)
    }

    /// The text of the string at `range` (quotes included) when it has no escapes; nil for anything else.
    private func plainString(_ range: Range<Int>) -> String? {
        guard range.count >= 2, bytes[range.lowerBound] == UInt8(ascii: "\"") else { return nil }
        let inner = bytes[range.lowerBound + 1..<range.upperBound - 1]
        guard !inner.contains(UInt8(ascii: "\\")) else { return nil }
        return String(decoding: inner, as: UTF8.self)
    }

    private func skipWhitespace(_ index: inout Int) {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
    }

    private func error(_ summary: String, at offset: Int) -> JSONOutlineError {
        let position = TextPosition(offset: offset, in: bytes)
        return JSONOutlineError(summary: summary, line: position.line, column: position.column)
    }
}

/// Objects already skipped inside arrays, by position in their array: large documents repeat them (the steps of a
/// saved plan's instances), and bytes equal to a whole object skipped before are that object again, so they are
/// skipped with one comparison instead of a scan. A couple of large objects per position are kept.
private final class SeenElements {
    private var slots: [[[UInt8]]] = []
    private var next: [Int] = []
    private static let positions = 64
    private static let perPosition = 2
    /// Smaller objects are scanned: comparing would not save much.
    private static let minimumSize = 128

    /// The length of a remembered object that the bytes at `offset` start with.
    func match(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, position: Int) -> Int? {
        guard position < slots.count, offset < bytes.count, bytes[offset] == UInt8(ascii: "{") else { return nil }
        for known in slots[position] where bytes.count - offset >= known.count {
            let equal = known.withUnsafeBytes { memcmp(bytes.baseAddress! + offset, $0.baseAddress!, known.count) == 0 }
            if equal { return known.count }
        }
        return nil
    }

    /// Remembers the whole value at `range`, when it is a large object.
    func remember(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, position: Int) {
        guard position < Self.positions, range.count >= Self.minimumSize, bytes[range.lowerBound] == UInt8(ascii: "{")
        else { return }
        while slots.count <= position {
            slots.append([])
            next.append(0)
        }
        let copy = Array(bytes[range])
        if slots[position].count < Self.perPosition {
            slots[position].append(copy)
        } else {
            slots[position][next[position]] = copy
            next[position] = (next[position] + 1) % Self.perPosition
        }
    }
}
