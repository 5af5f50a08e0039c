import FleetModel

/// A value the editor writes into an instance file.
public enum InstanceFileValue: Sendable, Hashable {
    case string(String)
    case integer(Int)
    case bool(Bool)
}

/// Why `InstanceFileEditor` refused an edit; the file is left as it was.
public enum InstanceFileEditError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file is not strict JSON (the parser's message, at a 1-based line and column).
    case invalidJSON(summary: String, line: Int, column: Int)
    /// The key at the end of `path` does not exist (its parent does).
    case missingKey(path: [String])
    /// The value at `path` is not an object, so the rest of the edit path cannot be followed.
    case notAnObject(path: [String])
    /// An empty path names the whole file, which the editor never replaces.
    case emptyPath

    public var description: String {
        switch self {
        case .invalidJSON(let summary, let line, let column):
            "not valid JSON at line \(line), column \(column): \(summary)"
        case .missingKey(let path): "no key \(Self.dotted(path)) in the file"
        case .notAnObject(let path): "\(Self.dotted(path)) is not an object"
        case .emptyPath: "no key given to change"
        }
    }

    private static func dotted(_ path: [String]) -> String { Diagnostic.quoted(path.joined(separator: ".")) }
}

/// Changes one value in an instance file and leaves every other byte as it was (whitespace, key order, line endings),
/// so a rollout's edit of `"version"` shows in review as exactly that one change.
public enum InstanceFileEditor {
    /// `bytes` with the value at `path` (object keys from the top) replaced by `value`.
    public static func setting(
        path: [String], to value: InstanceFileValue,
        in bytes: [UInt8]
    ) throws(InstanceFileEditError) -> [UInt8] {
        guard !path.isEmpty else { throw .emptyPath }
        var node: JSONNode
        switch JSONParser.parse(bytes) {
        case .success(let root): node = root
        case .failure(let problem):
            let position = TextPosition(offset: problem.offset, in: bytes)
            throw .invalidJSON(summary: problem.summary, line: position.line, column: position.column)
        }
        for (depth, key) in path.enumerated() {
            guard case .object(let members) = node.value else { throw .notAnObject(path: Array(path[..<depth])) }
            // The parser refuses duplicate keys, so the first match is the only one.
            guard let member = members.first(where: { $0.key == key }) else {
                throw .missingKey(path: Array(path[...depth]))
            }
            node = member.value
        }
        let end = JSONValueExtent.end(ofValueAt: node.offset, in: bytes)
        return Array(bytes[..<node.offset]) + literal(value) + Array(bytes[end...])
    }

    private static func literal(_ value: InstanceFileValue) -> [UInt8] {
        switch value {
        case .string(let text): Array(JSONStringEscaper.quoted(text).utf8)
        case .integer(let number): Array(String(number).utf8)
        case .bool(let flag): Array((flag ? "true" : "false").utf8)
        }
    }
}

/// Where a JSON value ends, for a document the parser has already accepted (so no error handling here).
enum JSONValueExtent {
    /// The offset just past the value starting at `start`.
    static func end(ofValueAt start: Int, in bytes: [UInt8]) -> Int {
        var index = start
        var depth = 0
        repeat {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index = endOfString(at: index, in: bytes)
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            default:
                // A number or literal outside any container ends at the first delimiter.
                if depth == 0 {
                    while index < bytes.count, !isDelimiter(bytes[index]) { index += 1 }
                    return index
                }
            }
            index += 1
        } while depth > 0 && index < bytes.count
        return index
    }

    /// The offset just past the closing quote of the string opening at `open`.
    private static func endOfString(at open: Int, in bytes: [UInt8]) -> Int {
        var index = open + 1
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
        }
        return index + 1
    }

    private static func isDelimiter(_ b: UInt8) -> Bool {
        b == UInt8(ascii: ",") || b == UInt8(ascii: "}") || b == UInt8(ascii: "]") || b == 0x20 || b == 0x09
            || b == 0x0A || b == 0x0D
    }
}
