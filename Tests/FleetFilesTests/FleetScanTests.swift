import Foundation
import XCTest
@testable import FleetFiles
import FleetModel
import AWSProvider

/// `FleetLoader.scan`: the same files as `load`, read but not decoded, with the same digest.
final class FleetScanTests: XCTestCase {
    func testScanOfTheSampleFleetMatchesWhatLoadReads() throws {
        let loaded = FleetLoader.load(repo: packageRoot, rules: AWSRules())
        let scan = try XCTUnwrap(FleetLoader.scan(repo: packageRoot, rules: AWSRules()))
        XCTAssertEqual(scan.fleet, loaded.fleet)
        XCTAssertEqual(scan.headings, loaded.specs.map(\.heading))
        XCTAssertNotNil(loaded.filesDigest)
        XCTAssertEqual(scan.filesDigest, loaded.filesDigest)
    }

    /// Any change to any file's bytes, a file added or removed, changes the digest; a non-instance file does not.
    func testDigestChangesWithEveryFileAndOnlyWithThem() throws {
        let repo = try TemporaryRepository(testCase: self)
        try repo.copy(packageRoot.appendingPathComponent("Instances/_fleet.json"), as: "_fleet.json")
        try repo.write("alpha.json", instanceJSON("alpha"))
        try repo.write("beta.json", instanceJSON("beta"))
        func digest() throws -> FleetFilesDigest {
            let scan = try XCTUnwrap(FleetLoader.scan(repo: repo.url, rules: AWSRules()))
            XCTAssertEqual(FleetLoader.load(repo: repo.url, rules: AWSRules()).filesDigest, scan.filesDigest)
            return scan.filesDigest
        }
        var seen = [try digest()]
        let changes: [(String, () throws -> Void)] = [
            ("a space in an instance file", { try repo.write("beta.json", instanceJSON("beta") + " ") }),
            ("an instance file added", { try repo.write("gamma.json", instanceJSON("gamma")) }),
            (
                "an instance file removed",
                { try FileManager.default.removeItem(atPath: repo.path("Instances/alpha.json")) }
            ),
            (
                "the fleet file",
                {
                    let fleet = try String(contentsOfFile: repo.path("Instances/_fleet.json"), encoding: .utf8)
                    try repo.write("_fleet.json", fleet + "\n")
                }
            ),
        ]
        for (what, change) in changes {
            try change()
            let now = try digest()
            XCTAssertFalse(seen.contains(now), what)
            seen.append(now)
        }
        try repo.write("notes.txt", "not an instance file")
        try repo.write(".hidden.json", "{}")
        XCTAssertEqual(try digest(), seen.last)
    }

    /// A repository `load` would report problems in is not scanned: only a full load can say what is wrong.
    func testUnreadableOrIncompleteFilesGiveNoScan() throws {
        let cases: [(String, (TemporaryRepository) throws -> Void)] = [
            ("no fleet file", { _ in }),
            ("a syntax error", { try $0.write("beta.json", "{") }),
            (
                "no type",
                {
                    try $0.write("beta.json", instanceJSON("beta").replacingOccurrences(of: "\"type\"", with: "\"x\""))
                }
            ),
            (
                "a directory",
                {
                    try FileManager.default.createDirectory(
                        atPath: $0.path("Instances/beta.json"), withIntermediateDirectories: true)
                }
            ),
        ]
        for (index, (what, setUp)) in cases.enumerated() {
            let repo = try TemporaryRepository(testCase: self)
            if index > 0 {
                try repo.copy(packageRoot.appendingPathComponent("Instances/_fleet.json"), as: "_fleet.json")
            }
            try repo.write("alpha.json", instanceJSON("alpha"))
            try setUp(repo)
            XCTAssertNil(FleetLoader.scan(repo: repo.url, rules: AWSRules()), what)
        }
    }
}
