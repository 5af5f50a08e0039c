import Foundation
import XCTest
@testable import FleetFiles
import FleetModel
import AWSProvider

/// Every file under `BadFiles/instances` and `BadFiles/fleets` must produce exactly the diagnostics in
/// its `.expected` file. Re-record with `CLOUDCTL_RECORD_BAD_FILES=1 swift test --filter BadFileCorpusTests`.
final class BadFileCorpusTests: XCTestCase {
    private let corpus = Bundle.module.resourceURL!.appendingPathComponent("BadFiles")
    private let sourceCorpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "BadFiles")
    private let recording = ProcessInfo.processInfo.environment["CLOUDCTL_RECORD_BAD_FILES"] == "1"

    /// An instance case is loaded as `Instances/<case>.json` next to a good fleet file.
    func testInstanceCases() throws {
        try runCases(in: "instances", minimum: 30, fleetLoads: true) { repo, name in
            try repo.copy(corpus.appendingPathComponent("fleet.json"), as: "_fleet.json")
            try repo.copy(corpus.appendingPathComponent("instances/\(name).json"), as: "\(name).json")
        }
    }

    /// A fleet case is loaded as `Instances/_fleet.json` with no instances.
    func testFleetCases() throws {
        try runCases(in: "fleets", minimum: 10, fleetLoads: false) { repo, name in
            try repo.copy(corpus.appendingPathComponent("fleets/\(name).json"), as: "_fleet.json")
        }
    }

    /// The good fleet file alone has no problem; the empty Instances folder is a warning, not silence.
    func testGoodCorpusFleetLoadsWithOnlyTheEmptyFolderWarning() throws {
        let repo = try TemporaryRepository(testCase: self)
        try repo.copy(corpus.appendingPathComponent("fleet.json"), as: "_fleet.json")
        let loaded = FleetLoader.load(repo: repo.url, rules: AWSRules())
        XCTAssertNotNil(loaded.fleet)
        XCTAssertEqual(loaded.diagnostics.map(\.severity), [.warning])
        XCTAssertEqual(loaded.diagnostics.first?.summary, "no instance files")
        XCTAssertEqual(loaded.diagnostics.first?.location, SourceLocation(file: "Instances"))
    }

    private func runCases(
        in folder: String, minimum: Int, fleetLoads: Bool, setUp: (TemporaryRepository, String) throws -> Void
    ) throws {
        let cases = try FileManager.default.contentsOfDirectory(atPath: corpus.appendingPathComponent(folder).path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
        XCTAssertGreaterThanOrEqual(cases.count, minimum)
        for name in cases {
            let repo = try TemporaryRepository(testCase: self)
            try setUp(repo, name)
            let loaded = FleetLoader.load(repo: repo.url, rules: AWSRules())
            XCTAssertEqual(loaded.fleet != nil, fleetLoads, name)
            XCTAssertFalse(loaded.diagnostics.isEmpty, "\(folder)/\(name) produced no diagnostic")
            let actual = loaded.diagnostics.map(\.description).joined(separator: "\n") + "\n"
            let expectedFile = "\(folder)/\(name).expected"
            if recording {
                try Data(actual.utf8).write(to: sourceCorpus.appendingPathComponent(expectedFile))
            } else {
                XCTAssertEqual(
                    actual, try String(contentsOf: corpus.appendingPathComponent(expectedFile), encoding: .utf8),
                    expectedFile)
            }
        }
    }
}
