/// One of N runners' share of a fleet (`--shard K/N`, K from 1 to N): the instances whose name hash picks K.
///
/// The hash is SHA-256 of the instance name, not Swift's `Hasher` (seeded per process): every runner, on every
/// machine and cloudctl version, must put an instance in the same shard.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// 1-based position of this shard.
    public let index: Int
    /// How many shards the fleet is split into.
    public let count: Int

    /// More runners than this would each get a handful of instances and spend their time waiting at wave barriers.
    public static let maxCount = 256

    /// Nil unless `1 <= index <= count <= maxCount`.
    public init?(index: Int, count: Int) {
        guard (1...Self.maxCount).contains(count), (1...count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// Reads `K/N`; the error says what is wrong with the text, quoting it.
    public static func parse(_ text: String) -> Result<Shard, ShardSyntaxError> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let numbers = parts.map { part in part.allSatisfy { $0.isASCII && $0.isNumber } ? Int(part) : nil }
        guard parts.count == 2, let index = numbers[0], let count = numbers[1] else {
            return .failure(ShardSyntaxError(text: text, reason: "must be K/N with whole numbers, e.g. 1/2"))
        }
        guard (1...maxCount).contains(count) else {
            return .failure(ShardSyntaxError(text: text, reason: "N must be between 1 and \(maxCount)"))
        }
        guard let shard = Shard(index: index, count: count) else {
            return .failure(ShardSyntaxError(text: text, reason: "K must be between 1 and N (\(count))"))
        }
        return .success(shard)
    }

    /// The shard (1…count) that `name` belongs to among `count` shards.
    public static func index(of name: String, count: Int) -> Int {
        let digest = ContentHash.sha256(Array(name.utf8))
        // The first 8 bytes as a big-endian number; modulo bias over 2^64 is negligible for count <= 256.
        let value = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(value % UInt64(count)) + 1
    }

    public func contains(_ name: String) -> Bool { Self.index(of: name, count: count) == index }

    public var description: String { "\(index)/\(count)" }
}

/// Why a `--shard` value is not a shard.
public struct ShardSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "--shard \(Diagnostic.quoted(text)) \(reason)" }
}
