import FleetModel
import Foundation

/// Parses one plan value (an instance of a saved plan) from bytes straight into `PlanJSON`: no position-keeping node
/// tree in between, since a saved plan holds 100,000 instances. Strict like `JSONParser` (no comments, no trailing
/// commas, no duplicate keys); plans hold no `null` and no fractional numbers, so those are refused too.
struct PlanJSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index: Int
    private let end: Int

    /// A syntax problem at byte `offset` of the whole buffer.
    struct Failure: Error {
        var summary: String
        var offset: Int
    }

    /// Reads the elements of an instance's `steps` array in the parser's place (`InstancePlanDecoder`): called with
    /// the parser at an element's first byte, it must leave the parser just after that element.
    typealias StepReader = (inout PlanJSONParser) throws(Failure) -> Void

    /// The top-level object's `steps` array, when it was handed to a `StepReader`, reads as an empty array.
    private var steps: StepReader?
    /// Whether the `StepReader` was handed the `steps` array (it is not when the key is missing or not an array).
    private(set) var readSteps = false

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) throws(Failure) -> PlanJSON {
        var parser = PlanJSONParser(bytes: bytes, index: range.lowerBound, end: range.upperBound)
        return try parser.whole()
    }

    /// Parses an instance, handing the elements of its `steps` array to `steps` instead of parsing them; returns the
    /// instance (with `steps` empty) and whether `steps` was called for the array.
    static func parseInstance(
        _ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, steps: StepReader
    ) throws(Failure) -> (instance: PlanJSON, readSteps: Bool) {
        try withoutActuallyEscaping(steps) { steps throws(Failure) in
            var parser = PlanJSONParser(bytes: bytes, index: range.lowerBound, end: range.upperBound)
            parser.steps = steps
            return (try parser.whole(), parser.readSteps)
        }
    }

    private mutating func whole() throws(Failure) -> PlanJSON {
        let value = try value(depth: 0)
        skipSpace()
        guard index == end else { throw Failure(summary: "unexpected text after the value", offset: index) }
        return value
    }

    /// The offset of the next byte to read, in the whole buffer.
    var offset: Int { index }

    /// Whether the bytes at the current offset are `expected`, for a `StepReader` recognizing a value it has read
    /// before; if they are, the parser moves past them.
    mutating func skip(ifNextAre expected: UnsafeRawBufferPointer) -> Bool {
        guard end - index >= expected.count,
            memcmp(bytes.baseAddress! + index, expected.baseAddress!, expected.count) == 0
        else { return false }
        index += expected.count
        return true
    }

    /// The value at the current offset, parsed as an element of the `steps` array.
    mutating func stepValue() throws(Failure) -> PlanJSON { try value(depth: 2) }

    /// Where the object or array at the current offset ends, found by matching brackets outside strings without
    /// parsing anything; nil when it does not end. Only to find the bytes of a value to recognize them (the bytes of a
    /// value read and checked before are valid); anything else must still be parsed.
    func endOfContainer() -> Int? {
        guard index < end, bytes[index] == UInt8(ascii: "{") || bytes[index] == UInt8(ascii: "[") else { return nil }
        if let laidOut = endOfLaidOutContainer() { return laidOut }
        var depth = 0
        var at = index
        while at < end {
            switch bytes[at] {
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return at + 1 }
            case UInt8(ascii: "\""):
                at += 1
                while at < end, bytes[at] != UInt8(ascii: "\"") { at += bytes[at] == UInt8(ascii: "\\") ? 2 : 1 }
            default: break
            }
            at += 1
        }
        return nil
    }

    /// `endOfContainer` for a container pretty-printed as `JSONEncoder` writes it (`PrettyPrintedLines`); nil when it
    /// does not open with a line break.
    private func endOfLaidOutContainer() -> Int? {
        guard index + 1 < end, bytes[index + 1] == UInt8(ascii: "\n") else { return nil }
        var indent = 0
        while index - indent - 1 >= 0, bytes[index - indent - 1] == UInt8(ascii: " ") { indent += 1 }
        guard index - indent - 1 >= 0, bytes[index - indent - 1] == UInt8(ascii: "\n") else { return nil }
        let closing = bytes[index] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
        let line = PrettyPrintedLines.closingLine(bytes, from: index + 1, end: end, indent: indent, closing: closing)
        return line.map { $0 + indent + 2 }
    }

    /// Moves past bytes found to be a known value (`endOfContainer`).
    mutating func move(to offset: Int) { index = offset }

    /// The bytes `range` of the whole buffer.
    func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[range]))
    }

    private mutating func skipSpace() {
        while index < end {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private func fail(_ summary: String) -> Failure { Failure(summary: summary, offset: index) }

    private mutating func value(depth: Int) throws(Failure) -> PlanJSON {
        guard depth < 64 else { throw fail("nested too deeply") }
        skipSpace()
        guard index < end else { throw fail("expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return .bool(try literal("true", true))
        case UInt8(ascii: "f"): return .bool(try literal("false", false))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .int(try integer())
        default: throw fail("expected a string, a whole number, true or false, an array or an object")
        }
    }

    private mutating func literal(_ word: StaticString, _ result: Bool) throws(Failure) -> Bool {
        let count = word.utf8CodeUnitCount
        guard end - index >= count else { throw fail("expected \(word)") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw fail("expected \(word)") }
        index += count
        return result
    }

    private mutating func integer() throws(Failure) -> Int {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var value = 0
        var digits = 0
        while index < end, case let byte = bytes[index], byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw Failure(summary: "number too large", offset: start) }
            value = sum
            digits += 1
            index += 1
        }
        guard digits > 0 else { throw Failure(summary: "expected a digit", offset: start) }
        if digits > 1, bytes[start + (negative ? 1 : 0)] == UInt8(ascii: "0") {
            throw Failure(summary: "numbers do not start with 0", offset: start)
        }
        if index < end, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            throw Failure(summary: "expected a whole number", offset: start)
        }
        return negative ? -value : value
    }

    private mutating func string() throws(Failure) -> String {
        index += 1  // the opening quote
        let start = index
        // The common case, no escape: one scan and one copy.
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw fail("control character in a string") }
            index += 1
        }
        var scalars = Array(bytes[start..<index])
        while index < end {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < end else { throw fail("unterminated string") }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escaped)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard end - index >= 6, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw fail("unpaired surrogate") }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw fail("invalid \\u escape") }
                    scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw fail("invalid escape")
                }
            default:
                guard byte >= 0x20 else { throw fail("control character in a string") }
                scalars.append(byte)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard end - index >= 4 else { throw fail("invalid \\u escape") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape")
            }
            code = code << 4 | UInt32(digit)
            index += 1
        }
        return code
    }

    private mutating func array(depth: Int) throws(Failure) -> PlanJSON {
        index += 1
        var elements: [PlanJSON] = []
        skipSpace()
        if index < end, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            elements.append(try value(depth: depth + 1))
            skipSpace()
            guard index < end else { throw fail("unterminated array") }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "]") { return .array(elements) }
            guard byte == UInt8(ascii: ",") else { throw Failure(summary: "expected , or ]", offset: index - 1) }
        }
    }

    /// An array whose elements `each` reads (no tree is built); the same syntax checks as `array(depth:)`.
    private mutating func array(depth: Int, each: StepReader) throws(Failure) {
        index += 1
        skipSpace()
        if index < end, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipSpace()
            guard index < end else { throw fail("expected a value") }
            try each(&self)
            skipSpace()
            guard index < end else { throw fail("unterminated array") }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "]") { return }
            guard byte == UInt8(ascii: ",") else { throw Failure(summary: "expected , or ]", offset: index - 1) }
        }
    }

    private mutating func object(depth: Int) throws(Failure) -> PlanJSON {
        index += 1
        // Kept in file order: readers look members up by key, and `PlanJSONObject` refuses unknown ones.
        var members: [PlanJSON.Member] = []
        skipSpace()
        if index < end, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .members(members)
        }
        while true {
            skipSpace()
            guard index < end, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key in quotes") }
            let keyOffset = index
            let key = try string()
            if members.contains(where: { $0.key == key }) {
                throw Failure(summary: "duplicate key \"\(key)\"", offset: keyOffset)
            }
            skipSpace()
            guard index < end, bytes[index] == UInt8(ascii: ":") else { throw fail("expected :") }
            index += 1
            skipSpace()
            if depth == 0, key == "steps", let steps, index < end, bytes[index] == UInt8(ascii: "[") {
                readSteps = true
                try array(depth: depth, each: steps)
                members.append(PlanJSON.Member(key: key, value: .array([])))
            } else {
                members.append(PlanJSON.Member(key: key, value: try value(depth: depth + 1)))
            }
            skipSpace()
            guard index < end else { throw fail("unterminated object") }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "}") { return .members(members) }
            guard byte == UInt8(ascii: ",") else { throw Failure(summary: "expected , or }", offset: index - 1) }
        }
    }
}
