import XCTest
import FleetModel

final class ShardTests: XCTestCase {
    /// Fixed answers (computed independently with Python's hashlib): a change of the hash would move instances
    /// between runners of one run that use different cloudctl builds.
    func testAssignmentIsStableAcrossBuilds() {
        let expected: [(name: String, of2: Int, of3: Int, of7: Int)] = [
            ("acme", 1, 1, 3), ("globex", 2, 2, 3), ("hooli", 2, 3, 3), ("initech", 2, 2, 2), ("dogfood", 2, 3, 5),
            ("oldco", 2, 2, 4), ("umbrella-trial", 2, 1, 7),
        ]
        for row in expected {
            XCTAssertEqual(Shard.index(of: row.name, count: 2), row.of2, row.name)
            XCTAssertEqual(Shard.index(of: row.name, count: 3), row.of3, row.name)
            XCTAssertEqual(Shard.index(of: row.name, count: 7), row.of7, row.name)
        }
    }

    /// Every instance falls in exactly one shard, and shards are roughly even.
    func testShardsCoverEveryInstanceOnce() {
        let names = (0..<2000).map { "customer-\($0)" }
        for count in [1, 2, 3, 8] {
            let shards = (1...count).map { Shard(index: $0, count: count)! }
            var sizes = Array(repeating: 0, count: count)
            for name in names {
                let owners = shards.filter { $0.contains(name) }
                XCTAssertEqual(owners.count, 1, "\(name) in \(owners) of \(count)")
                sizes[owners[0].index - 1] += 1
            }
            let even = names.count / count
            XCTAssertTrue(sizes.allSatisfy { abs($0 - even) < even / 5 }, "uneven shards \(sizes)")
        }
    }

    func testParse() {
        let cases: [(text: String, shard: Shard?, reason: String?)] = [
            ("1/2", Shard(index: 1, count: 2), nil),
            ("2/2", Shard(index: 2, count: 2), nil),
            ("1/1", Shard(index: 1, count: 1), nil),
            ("256/256", Shard(index: 256, count: 256), nil),
            ("0/2", nil, "K must be between 1 and N (2)"),
            ("3/2", nil, "K must be between 1 and N (2)"),
            ("1/0", nil, "N must be between 1 and 256"),
            ("1/257", nil, "N must be between 1 and 256"),
            ("1", nil, "must be K/N"),
            ("a/b", nil, "must be K/N"),
            ("-1/2", nil, "must be K/N"),
            ("1/2/3", nil, "must be K/N"),
            ("", nil, "must be K/N"),
        ]
        for row in cases {
            switch Shard.parse(row.text) {
            case .success(let shard):
                XCTAssertEqual(shard, row.shard, row.text)
            case .failure(let error):
                XCTAssertNil(row.shard, "\(row.text): \(error)")
                XCTAssertTrue(error.description.contains(row.reason ?? "?"), "\(row.text): \(error)")
                XCTAssertTrue(error.description.contains("\"\(row.text)\""), "quotes the value: \(error)")
            }
        }
    }
}
