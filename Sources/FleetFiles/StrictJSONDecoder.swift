import FleetModel
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
    public static func decode<T: Decodable>(
        _ type: T.Type, from bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>,
        path: [CodingKey] = []
    ) throws -> T {
        let node: JSONNode
        switch JSONParser.parse(Array(bytes[range])) {
        case .success(let parsed): node = parsed
        case .failure(let error):
            let position = TextPosition(offset: range.lowerBound + error.offset, in: bytes)
            throw StrictDecodingError(
                path: render(path),
                problem: "\(error.summary) (line \(position.line), column \(position.column))")
        }
        let usage = KeyUsage()
        let root = path.reduce(nil) { PathLink(parent: $0, key: $1) }
        do {
            let value = try T(from: NodeDecoder(node: node, parent: root, key: nil, usage: usage))
            try usage.checkAllRead()
            return value
        } catch let error as DecodingError {
            throw describe(error)
        }
    }

    /// Decodes `bytes[range]` as a plan value parsed straight into its `PlanJSON` shape, without a node tree or
    /// `Decoder`'s per-key overhead (a saved plan holds 100,000 instances); `T(planJSON:)` refuses unknown keys.
    public static func decodePlan<T: PlanJSONConvertible>(
        _ type: T.Type, from bytes: UnsafeBufferPointer<UInt8>,
        range: Range<Int>, path: [CodingKey] = []
    ) throws -> T {
        let json: PlanJSON
        do {
            json = try PlanJSONParser.parse(bytes, range: range)
        } catch {
            let position = TextPosition(offset: error.offset, in: bytes)
            throw StrictDecodingError(
                path: render(path),
                problem: "\(error.summary) (line \(position.line), column \(position.column))")
        }
        do {
            return try T(planJSON: json)
        } catch {
            throw StrictDecodingError(path: render(path + error.codingPath), problem: error.message)
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

/// Where a value sits, as a chain to its parent: built once per container, turned into a `[CodingKey]` only for
/// messages (copying a key array for every value dominated decoding large plans).
final class PathLink {
    let parent: PathLink?
    let key: CodingKey

    init(parent: PathLink?, key: CodingKey) {
        self.parent = parent
        self.key = key
    }

    static func path(_ link: PathLink?, then key: CodingKey? = nil) -> [CodingKey] {
        var keys: [CodingKey] = key.map { [$0] } ?? []
        var link = link
        while let current = link {
            keys.append(current.key)
            link = current.parent
        }
        return keys.reversed()
    }
}

/// Which members of each decoded object were read; what is left unread is an unknown key.
final class KeyUsage {
    private var objects: [(members: [JSONMember], first: Int, path: PathLink?)] = []
    private var read: [Bool] = []

    /// Registers an object's members; returns the index of its first flag.
    func register(_ members: [JSONMember], path: PathLink?) -> Int {
        let first = read.count
        objects.append((members, first, path))
        read.append(contentsOf: repeatElement(false, count: members.count))
        return first
    }

    func markRead(_ flag: Int) { read[flag] = true }

    func checkAllRead() throws {
        guard let unread = read.firstIndex(of: false) else { return }
        let object = objects.last { $0.first <= unread }!
        let key = object.members[unread - object.first].key
        let path = PathLink.path(object.path, then: PathKey(stringValue: key))
        throw StrictDecodingError(
            path: StrictJSONDecoder.render(path),
            problem: "unknown key \"\(key)\"")
    }
}

private struct NodeDecoder: Decoder {
    let node: JSONNode
    /// The enclosing container's path, and this value's key in it (nil at the root).
    let parent: PathLink?
    let key: CodingKey?
    let usage: KeyUsage
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var codingPath: [CodingKey] { PathLink.path(parent, then: key) }

    private var link: PathLink? { key.map { PathLink(parent: parent, key: $0) } ?? parent }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = node.value else { throw mismatch("an object") }
        let link = link
        let first = usage.register(members, path: link)
        return KeyedDecodingContainer(KeyedNodeContainer<Key>(members: members, first: first, link: link, usage: usage))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let elements) = node.value else { throw mismatch("an array") }
        return UnkeyedNodeContainer(elements: elements, link: link, usage: usage)
    }

    /// The string value, without the round trip through a single-value container.
    func string() throws -> String {
        guard case .string(let value) = node.value else { throw mismatch("a string") }
        return value
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleNodeContainer(decoder: self) }

    func mismatch(_ expected: String) -> DecodingError {
        .typeMismatch(
            Any.self,
            .init(
                codingPath: codingPath,
                debugDescription: "expected \(expected), found \(node.quoted)"))
    }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [JSONMember]
    /// The usage flag of the first member.
    let first: Int
    let link: PathLink?
    let usage: KeyUsage
    var codingPath: [CodingKey] { PathLink.path(link) }

    var allKeys: [Key] { members.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { index(of: key) != nil }

    private func index(of key: Key) -> Int? {
        let name = key.stringValue
        guard let index = members.firstIndex(where: { $0.key == name }) else { return nil }
        usage.markRead(first + index)
        return index
    }

    private func decoder(for key: Key) throws -> NodeDecoder {
        guard let index = index(of: key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        return NodeDecoder(node: members[index].value, parent: link, key: key, usage: usage)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let index = index(of: key) else { return true }
        if case .null = members[index].value.value { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let decoder = try decoder(for: key)
        if T.self == String.self { return try decoder.string() as! T }
        return try T(from: decoder)
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder(for: key).string() }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder(for: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try decoder(for: key).unkeyedContainer()
    }
    func superDecoder() throws -> Decoder { try decoder(for: Key(stringValue: "super")!) }
    func superDecoder(forKey key: Key) throws -> Decoder { try decoder(for: key) }
}

private struct UnkeyedNodeContainer: UnkeyedDecodingContainer {
    let elements: [JSONNode]
    let link: PathLink?
    let usage: KeyUsage
    var currentIndex = 0
    var codingPath: [CodingKey] { PathLink.path(link) }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next() throws -> NodeDecoder {
        guard !isAtEnd else {
            let path = codingPath + [PathKey(intValue: currentIndex)]
            let context = DecodingError.Context(codingPath: path, debugDescription: "the array has too few elements")
            throw DecodingError.valueNotFound(Any.self, context)
        }
        let key = PathKey(intValue: currentIndex)
        let decoder = NodeDecoder(node: elements[currentIndex], parent: link, key: key, usage: usage)
        currentIndex += 1
        return decoder
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, case .null = elements[currentIndex].value else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: next()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
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
