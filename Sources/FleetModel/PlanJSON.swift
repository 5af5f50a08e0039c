/// The JSON shape of plan values: one description that both `Codable` and the streaming plan writer follow, so the two
/// can never disagree. Objects keep their members sorted by key, as `JSONEncoder` with `.sortedKeys` writes them.
public indirect enum PlanJSON: Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case array([PlanJSON])
    /// Members sorted by key; build with `object(_:)`.
    case members([Member])

    /// One member of an object.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: PlanJSON
        public init(key: String, value: PlanJSON) {
            self.key = key
            self.value = value
        }
    }

    /// An object from members in any order.
    public static func object(_ members: [(String, PlanJSON)]) -> PlanJSON {
        // Builders list their members in key order where they can; checking is cheaper than sorting.
        let inOrder = zip(members, members.dropFirst()).allSatisfy { $0.0 < $1.0 }
        return .members((inOrder ? members : members.sorted { $0.0 < $1.0 }).map { Member(key: $0.0, value: $0.1) })
    }

    /// Scalar text: the canonical form hashes are taken over.
    public var text: String {
        switch self {
        case .string(let s): s
        case .int(let n): String(n)
        case .bool(let b): b ? "true" : "false"
        case .array(let a): a.map(\.text).joined(separator: ",")
        case .members(let o): o.map { "\($0.key)=\($0.value.text)" }.joined(separator: ",")
        }
    }
}

/// A plan file value that does not have the expected shape; `path` names where (`instances[3].steps[0].after`).
public struct PlanJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: [String]
    public var message: String
    public init(path: [String] = [], _ message: String) {
        self.path = path
        self.message = message
    }

    /// The same error, one level further out.
    public func within(_ key: String) -> PlanJSONError { PlanJSONError(path: [key] + path, message) }

    public var description: String {
        path.isEmpty ? message : "\(path.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")): \(message)"
    }
}

/// The members of one object, read with their types checked; unknown keys were refused when it was made. Members are
/// looked up by a linear scan: plan objects have a handful of keys, and hashing them dominated reading large plans.
public struct PlanJSONObject: Sendable {
    private let members: [PlanJSON.Member]

    init(_ members: [PlanJSON.Member]) { self.members = members }

    private func lookup(_ key: String) -> PlanJSON? {
        for member in members where member.key == key { return member.value }
        return nil
    }

    public func has(_ key: String) -> Bool { lookup(key) != nil }

    public func value(_ key: String) throws(PlanJSONError) -> PlanJSON {
        guard let value = lookup(key) else { throw PlanJSONError(path: [key], "missing") }
        return value
    }

    public func string(_ key: String) throws(PlanJSONError) -> String {
        guard case .string(let s) = try value(key) else { throw PlanJSONError(path: [key], "expected a string") }
        return s
    }

    public func optionalString(_ key: String) throws(PlanJSONError) -> String? {
        has(key) ? try string(key) : nil
    }

    public func int(_ key: String) throws(PlanJSONError) -> Int {
        guard case .int(let n) = try value(key) else { throw PlanJSONError(path: [key], "expected a whole number") }
        return n
    }

    public func bool(_ key: String) throws(PlanJSONError) -> Bool {
        guard case .bool(let b) = try value(key) else { throw PlanJSONError(path: [key], "expected true or false") }
        return b
    }

    public func version(_ key: String) throws(PlanJSONError) -> Version {
        let text = try string(key)
        guard let version = Version(text) else { throw PlanJSONError(path: [key], "expected a version, got '\(text)'") }
        return version
    }

    public func array(_ key: String) throws(PlanJSONError) -> [PlanJSON] {
        guard case .array(let a) = try value(key) else { throw PlanJSONError(path: [key], "expected an array") }
        return a
    }

    /// Reads a nested value with `read`, prefixing errors with `key`.
    public func nested<T>(_ key: String, _ read: (PlanJSON) throws(PlanJSONError) -> T) throws(PlanJSONError) -> T {
        do {
            return try read(try value(key))
        } catch {
            throw error.path.first == key ? error : error.within(key)
        }
    }

    /// A string that must be one of an enum's raw values.
    public func enumValue<E: RawRepresentable>(_ key: String, _ type: E.Type) throws(PlanJSONError) -> E
    where E.RawValue == String {
        let text = try string(key)
        guard let value = E(rawValue: text) else { throw PlanJSONError(path: [key], "unknown value '\(text)'") }
        return value
    }
}

extension PlanJSON {
    /// This value as an object whose keys all lie in `allowed`.
    public func fields(allowed: [String]) throws(PlanJSONError) -> PlanJSONObject {
        guard case .members(let members) = self else { throw PlanJSONError("expected an object") }
        for member in members where !allowed.contains(member.key) {
            throw PlanJSONError(path: [member.key], "unknown key \"\(member.key)\"")
        }
        return PlanJSONObject(members)
    }

    /// This value as an object of string members (labels).
    public func stringMap() throws(PlanJSONError) -> [String: String] {
        guard case .members(let members) = self else { throw PlanJSONError("expected an object") }
        var map: [String: String] = [:]
        for member in members {
            guard case .string(let value) = member.value else {
                throw PlanJSONError(path: [member.key], "expected a string")
            }
            map[member.key] = value
        }
        return map
    }
}

extension PlanJSON: Codable {
    public init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: PlanJSONKey.self) {
            var members: [(String, PlanJSON)] = []
            for key in keyed.allKeys { members.append((key.stringValue, try keyed.decode(PlanJSON.self, forKey: key))) }
            self = .object(members)
            return
        }
        if var unkeyed = try? decoder.unkeyedContainer() {
            var elements: [PlanJSON] = []
            while !unkeyed.isAtEnd { elements.append(try unkeyed.decode(PlanJSON.self)) }
            self = .array(elements)
            return
        }
        let single = try decoder.singleValueContainer()
        if let b = try? single.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? single.decode(Int.self) {
            self = .int(n)
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .string(let s):
            var single = encoder.singleValueContainer()
            try single.encode(s)
        case .int(let n):
            var single = encoder.singleValueContainer()
            try single.encode(n)
        case .bool(let b):
            var single = encoder.singleValueContainer()
            try single.encode(b)
        case .array(let elements):
            var unkeyed = encoder.unkeyedContainer()
            for element in elements { try unkeyed.encode(element) }
        case .members(let members):
            var keyed = encoder.container(keyedBy: PlanJSONKey.self)
            for member in members { try keyed.encode(member.value, forKey: PlanJSONKey(member.key)) }
        }
    }
}

/// A coding key for any member name, or an array position (`[3]` in a `PlanJSONError` path).
struct PlanJSONKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) {
        self.stringValue = string
        self.intValue = nil
    }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }

    /// The coding path a `PlanJSONError` path names.
    static func path(_ path: [String]) -> [any CodingKey] {
        path.map { element in
            if element.hasPrefix("["), element.hasSuffix("]"), let index = Int(element.dropFirst().dropLast()) {
                return PlanJSONKey(intValue: index)!
            }
            return PlanJSONKey(element)
        }
    }
}

extension PlanJSONError {
    /// Where the problem is, as coding keys (array positions as int keys).
    public var codingPath: [any CodingKey] { PlanJSONKey.path(path) }

    /// The same problem as a `DecodingError` at `codingPath` + this error's path, for `Decodable` callers.
    func decodingError(at codingPath: [any CodingKey]) -> DecodingError {
        .dataCorrupted(.init(codingPath: codingPath + PlanJSONKey.path(path), debugDescription: message))
    }
}

/// A value with a plan-JSON shape, so `Codable` and the streaming writer share it.
public protocol PlanJSONConvertible {
    var planJSON: PlanJSON { get }
    init(planJSON: PlanJSON) throws(PlanJSONError)
}

/// `Codable` through the plan-JSON shape, so `JSONEncoder` and the streaming writer cannot disagree.
public protocol PlanJSONCodable: PlanJSONConvertible, Codable {}

extension PlanJSONCodable {
    public init(from decoder: any Decoder) throws {
        do {
            try self.init(planJSON: try PlanJSON(from: decoder))
        } catch let error as PlanJSONError {
            throw error.decodingError(at: decoder.codingPath)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try planJSON.encode(to: encoder)
    }
}
