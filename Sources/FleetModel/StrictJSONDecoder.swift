/// Why a part of a JSON document does not decode: where (a path such as `instances[3].steps[0].action`) and what.
public struct StrictDecodingError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var problem: String
    public var description: String { path.isEmpty ? problem : "\(problem) at \(path)" }
}

/// Decodes a `Decodable` value from one part of a JSON document with the strict parser, and refuses every object
/// key the type's `init(from:)` never asked for, so an edited or foreign file cannot smuggle in fields.
public enum StrictJSONDecoder {
    /// Decodes `bytes[range]` as a `T`; `path` is where the part sits in its document, for messages.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>,
                                            path: [CodingKey] = []) throws -> T {
        let node: JSONNode
        switch JSONParser.parse(Array(bytes[range])) {
        case .success(let parsed): node = parsed
        case .failure(let error):
            let position = TextPosition(offset: range.lowerBound + error.offset, in: bytes)
            throw StrictDecodingError(path: render(path),
                                      problem: "\(error.summary) (line \(position.line), column \(position.column))")
        }
        let usage = KeyUsage()
        do {
            let value = try T(from: NodeDecoder(node: node, codingPath: path, usage: usage))
            try usage.checkAllRead()
            return value
        } catch let error as DecodingError {
            throw describe(error)
        }
    }

    static func describe(_ error: DecodingError) -> StrictDecodingError {
        switch error {
        case .keyNotFound(let key, let context):
            StrictDecodingError(path: render(context.codingPath + [key]), problem: "missing")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            StrictDecodingError(path: render(context.codingPath), problem: context.debugDescription)
        @unknown default:
            StrictDecodingError(path: "", problem: "\(error)")
        }
    }

    /// `instances[3].steps[0].action`.
    public static func render(_ path: [CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }
}

/// A coding key made at run time: an array index or an object key from the file.
public struct PathKey: CodingKey {
    public var stringValue: String
    public var intValue: Int?
    public init(stringValue: String) { self.stringValue = stringValue }
    public init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// Which members of each decoded object were read; what is left unread is an unknown key.
final class KeyUsage {
    private var objects: [(members: [JSONMember], read: [Bool], path: [CodingKey])] = []

    func register(_ members: [JSONMember], path: [CodingKey]) -> Int {
        objects.append((members, Array(repeating: false, count: members.count), path))
        return objects.count - 1
    }

    func markRead(object: Int, member: Int) { objects[object].read[member] = true }

    func checkAllRead() throws {
        for object in objects {
            if let unread = object.read.firstIndex(of: false) {
                throw StrictDecodingError(path: StrictJSONDecoder.render(object.path + [PathKey(stringValue: object.members[unread].key)]),
                                          problem: "unknown key \"\(object.members[unread].key)\"")
            }
        }
    }
}

private struct NodeDecoder: Decoder {
    let node: JSONNode
    let codingPath: [CodingKey]
    let usage: KeyUsage
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = node.value else { throw mismatch("an object") }
        let object = usage.register(members, path: codingPath)
        return KeyedDecodingContainer(KeyedNodeContainer<Key>(members: members, object: object, codingPath: codingPath, usage: usage))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let elements) = node.value else { throw mismatch("an array") }
        return UnkeyedNodeContainer(elements: elements, codingPath: codingPath, usage: usage)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleNodeContainer(decoder: self) }

    func mismatch(_ expected: String) -> DecodingError {
        .typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(node.quoted)"))
    }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [JSONMember]
    let object: Int
    let codingPath: [CodingKey]
    let usage: KeyUsage

    var allKeys: [Key] { members.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { index(of: key) != nil }

    private func index(of key: Key) -> Int? {
        let name = key.stringValue
        guard let index = members.firstIndex(where: { $0.key == name }) else { return nil }
        usage.markRead(object: object, member: index)
        return index
    }

    private func decoder(for key: Key) throws -> NodeDecoder {
        guard let index = index(of: key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        return NodeDecoder(node: members[index].value, codingPath: codingPath + [key], usage: usage)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let index = index(of: key) else { return true }
        if case .null = members[index].value.value { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try T(from: decoder(for: key)) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey> {
        try decoder(for: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { try decoder(for: key).unkeyedContainer() }
    func superDecoder() throws -> Decoder { try decoder(for: Key(stringValue: "super")!) }
    func superDecoder(forKey key: Key) throws -> Decoder { try decoder(for: key) }
}

private struct UnkeyedNodeContainer: UnkeyedDecodingContainer {
    let elements: [JSONNode]
    let codingPath: [CodingKey]
    let usage: KeyUsage
    var currentIndex = 0

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next() throws -> NodeDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath + [PathKey(intValue: currentIndex)],
                                                              debugDescription: "the array has too few elements"))
        }
        let decoder = NodeDecoder(node: elements[currentIndex], codingPath: codingPath + [PathKey(intValue: currentIndex)], usage: usage)
        currentIndex += 1
        return decoder
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, case .null = elements[currentIndex].value else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: next()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> Decoder { try next() }
}

private struct SingleNodeContainer: SingleValueDecodingContainer {
    let decoder: NodeDecoder
    var codingPath: [CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool {
        if case .null = decoder.node.value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let value) = decoder.node.value else { throw decoder.mismatch("true or false") }
        return value
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let value) = decoder.node.value else { throw decoder.mismatch("a string") }
        return value
    }

    func decode(_ type: Double.Type) throws -> Double {
        switch decoder.node.value {
        case .integer(let value): return Double(value)
        case .fraction(let value): return value
        default: throw decoder.mismatch("a number")
        }
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let integer = type as? any FixedWidthInteger.Type { return try decodeInteger(integer) as! T }
        return try T(from: decoder)
    }

    private func decodeInteger<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        guard case .integer(let value) = decoder.node.value, let exact = I(exactly: value) else {
            throw decoder.mismatch("a whole number")
        }
        return exact
    }
}
