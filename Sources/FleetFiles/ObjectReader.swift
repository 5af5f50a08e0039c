import FleetModel

/// Reads the members of one JSON object by key, reporting missing, mistyped and unknown keys.
struct ObjectReader {
    let file: DecodingFile
    /// Field path of the object itself (`""` for the top level).
    let path: String
    let offset: Int
    let members: [JSONMember]

    /// Nil (after a diagnostic) when `node` is not an object.
    init?(_ node: JSONNode, path: String, file: DecodingFile) {
        guard let members = file.object(node, path: path) else { return nil }
        self.file = file
        self.path = path
        self.offset = node.offset
        self.members = members
    }

    func path(_ key: String) -> String {
        let component = Self.pathComponent(key)
        return path.isEmpty ? component : path + "." + component
    }

    /// A key as it may appear in a field path: as is, or quoted and escaped when it is long or holds control
    /// characters (paths are printed with every diagnostic).
    static func pathComponent(_ key: String) -> String {
        key.utf8.count <= Diagnostic.excerptLimit && key.firstTerminalControl == nil
            ? key : Diagnostic.quoted(key)
    }

    func member(_ key: String) -> JSONNode? {
        for member in members where member.key == key { return member.value }
        return nil
    }

    /// The member, or nil after a "missing required key" diagnostic that shows `example`.
    func required(_ key: String, example: String) -> JSONNode? {
        if let node = member(key) { return node }
        file.error(
            "missing required key \"\(key)\"", detail: "add \"\(key)\": \(example)", offset: offset, field: path(key))
        return nil
    }

    func string(_ key: String, example: String) -> Field<String>? {
        required(key, example: example).flatMap { node in
            file.string(node, path: path(key)).map { Field(value: $0, offset: node.offset, path: path(key)) }
        }
    }

    func int(_ key: String, example: String) -> Field<Int>? {
        required(key, example: example).flatMap { node in
            file.int(node, path: path(key)).map { Field(value: $0, offset: node.offset, path: path(key)) }
        }
    }

    /// An optional string member: nil when absent or mistyped.
    func optionalString(_ key: String) -> Field<String>? {
        member(key).flatMap { node in
            file.string(node, path: path(key)).map { Field(value: $0, offset: node.offset, path: path(key)) }
        }
    }

    /// A string member that must be one of `T`'s raw values.
    func enumeration<T: RawRepresentable & CaseIterable>(_ key: String, as: T.Type, noun: String) -> T?
    where T.RawValue == String {
        guard let text = string(key, example: "\"\(T.allCases.first!.rawValue)\"") else { return nil }
        return file.enumeration(text, as: T.self, noun: noun)
    }

    /// Reports every key not in `allowed`, suggesting the closest allowed one.
    func rejectUnknownKeys(allowed: [String]) {
        for member in members where !allowed.contains(member.key) {
            file.error(
                "unknown key \(Diagnostic.quoted(member.key))",
                detail: Suggestion.expectedOneOf(allowed, for: member.key),
                offset: member.keyOffset, field: path(member.key))
        }
    }
}

extension DecodingFile {
    /// The string, or nil after a diagnostic when `node` is not a string or holds a control character.
    func string(_ node: JSONNode, path: String) -> String? {
        guard case .string(let s) = node.value else {
            return wrongType(node, path: path, expected: "a string", detail: "put the value in double quotes")
        }
        if let control = s.firstTerminalControl {
            rejectControl(control, offset: node.offset, path: path)
            return nil
        }
        return s
    }

    /// Reports a control character in a string or key: it could rewrite the terminal or PR comment showing it.
    func rejectControl(_ scalar: Unicode.Scalar, offset: Int, path: String) {
        let code = String(scalar.value, radix: 16, uppercase: true)
        error(
            "control character U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code) in \(path)",
            detail: "remove it; control characters, terminal escapes and bidi controls are not allowed in fleet "
                + "files",
            offset: offset, field: path)
    }

    func int(_ node: JSONNode, path: String) -> Int? {
        if case .integer(let n) = node.value { return n }
        return wrongType(
            node, path: path, expected: "an integer", detail: "write a whole number without quotes, e.g. 512")
    }

    func bool(_ node: JSONNode, path: String) -> Bool? {
        if case .bool(let b) = node.value { return b }
        return wrongType(node, path: path, expected: "true or false", detail: "write true or false without quotes")
    }

    func object(_ node: JSONNode, path: String) -> [JSONMember]? {
        if case .object(let members) = node.value { return members }
        return wrongType(node, path: path, expected: "an object", detail: "write an object: { \"key\": value, ... }")
    }

    func array(_ node: JSONNode, path: String) -> [JSONNode]? {
        if case .array(let elements) = node.value { return elements }
        return wrongType(node, path: path, expected: "an array", detail: "write an array: [ ... ]")
    }

    func enumeration<T: RawRepresentable & CaseIterable>(_ text: Field<String>, as: T.Type, noun: String) -> T?
    where T.RawValue == String {
        if let value = T(rawValue: text.value) { return value }
        error(
            "invalid \(noun) \(Diagnostic.quoted(text.value))",
            detail: Suggestion.expectedOneOf(T.allCases.map(\.rawValue), for: text.value), at: text)
        return nil
    }

    private func wrongType<T>(_ node: JSONNode, path: String, expected: String, detail: String) -> T? {
        error("expected \(expected), got \(node.quoted)", detail: detail, offset: node.offset, field: path)
        return nil
    }
}
