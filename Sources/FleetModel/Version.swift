/// An application version `major.minor.patch`, ordered numerically.
public struct Version: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(_ major: Int, _ minor: Int, _ patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Parses `x.y.z` (digits only, no leading `v`); nil when malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var numbers: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber), let n = Int(part) else {
                return nil
            }
            numbers.append(n)
        }
        self.init(numbers[0], numbers[1], numbers[2])
    }

    /// The `major.minor` line this version belongs to.
    public var line: MinorLine { MinorLine(major: major, minor: minor) }

    public var description: String { "\(major).\(minor).\(patch)" }

    public static func < (a: Version, b: Version) -> Bool {
        (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let v = Version(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "expected a version x.y.z, got \"\(text)\""))
        }
        self = v
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// A `major.minor` release line; upgrades move one line at a time.
public struct MinorLine: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }
    public var description: String { "\(major).\(minor)" }
    public static func < (a: MinorLine, b: MinorLine) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
}
