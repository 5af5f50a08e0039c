import Foundation
import XCTest
@testable import FleetModel

/// Every file under `BadFiles/instances` and `BadFiles/fleets` must produce exactly the diagnostics in
/// its `.expected` file. Re-record with `CLOUDCTL_RECORD_BAD_FILES=1 swift test --filter BadFileCorpusTests`.
final class BadFileCorpusTests: XCTestCase {
    private let corpus = Bundle.module.resourceURL!.appendingPathComponent("BadFiles")
    private let sourceCorpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("BadFiles")
    private let recording = ProcessInfo.processInfo.environment["CLOUDCTL_RECORD_BAD_FILES"] == "1"

    /// An instance case is loaded as `Instances/<case>.json` next to a good fleet file.
    func testInstanceCases() throws {
        let cases = try caseNames(in: "instances")
        XCTAssertGreaterThanOrEqual(cases.count, 30)
        for name in cases {
            let repo = try TemporaryRepository(testCase: self)
            try repo.copy(corpus.appendingPathComponent("fleet.json"), as: "_fleet.json")
            try repo.copy(corpus.appendingPathComponent("instances/\(name).json"), as: "\(name).json")
            try check(FleetLoader.load(repo: repo.url), against: "instances/\(name)")
        }
    }

    /// A fleet case is loaded as `Instances/_fleet.json` with no instances.
    func testFleetCases() throws {
        let cases = try caseNames(in: "fleets")
        XCTAssertGreaterThanOrEqual(cases.count, 5)
        for name in cases {
            let repo = try TemporaryRepository(testCase: self)
            try repo.copy(corpus.appendingPathComponent("fleets/\(name).json"), as: "_fleet.json")
            let loaded = FleetLoader.load(repo: repo.url)
            XCTAssertNil(loaded.fleet, name)
            try check(loaded, against: "fleets/\(name)")
        }
    }

    func testGoodCorpusFleetLoadsCleanly() throws {
        let repo = try TemporaryRepository(testCase: self)
        try repo.copy(corpus.appendingPathComponent("fleet.json"), as: "_fleet.json")
        XCTAssertEqual(FleetLoader.load(repo: repo.url).diagnostics, [])
    }

    private func caseNames(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: corpus.appendingPathComponent(folder).path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    private func check(_ loaded: LoadedFleet, against casePath: String) throws {
        let actual = loaded.diagnostics.map(\.description).joined(separator: "\n") + "\n"
        XCTAssertFalse(loaded.diagnostics.isEmpty, "\(casePath) produced no diagnostic")
        if recording {
            try Data(actual.utf8).write(to: sourceCorpus.appendingPathComponent(casePath + ".expected"))
            return
        }
        let expected = try String(contentsOf: corpus.appendingPathComponent(casePath + ".expected"), encoding: .utf8)
        XCTAssertEqual(actual, expected, casePath)
    }
}
