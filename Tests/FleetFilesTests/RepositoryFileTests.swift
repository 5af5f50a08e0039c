import Foundation
import XCTest
@testable import FleetFiles
import FleetModel
import AWSProvider

/// Instance files come from pull requests, possibly from forks: only regular files inside the repository, bounded
/// in size, are read, and nothing else is echoed.
final class RepositoryFileTests: XCTestCase {
    private let secret = "CLOUDCTL_TEST_SECRET=hunter2"

    /// Each case sets up `Instances/<name>` (or the folder itself); the load must report `summary` at `file`
    /// without ever showing the secret.
    func testFilesThatAreNotRegularFilesInsideTheRepositoryAreRefusedUnread() throws {
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cloudctl-outside-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: outside) }
        try Data(secret.utf8).write(to: outside.appendingPathComponent("env.json"))

        let cases: [(name: String, file: String, summary: String, setUp: (TemporaryRepository) throws -> Void)] = [
            (
                "link leaving the repository", "Instances/acme.json",
                "is a symbolic link leading outside the repository",
                { repo in
                    try FileManager.default.createSymbolicLink(
                        atPath: repo.path("Instances/acme.json"),
                        withDestinationPath: outside.appendingPathComponent("env.json").path)
                }
            ),
            (
                "link to a device", "Instances/acme.json", "is a symbolic link leading outside the repository",
                { repo in
                    try FileManager.default.createSymbolicLink(
                        atPath: repo.path("Instances/acme.json"), withDestinationPath: "/dev/zero")
                }
            ),
            (
                "relative link climbing out", "Instances/acme.json",
                "is a symbolic link leading outside the repository",
                { repo in
                    let climb = String(repeating: "../", count: 12) + outside.path.dropFirst() + "/env.json"
                    try FileManager.default.createSymbolicLink(
                        atPath: repo.path("Instances/acme.json"), withDestinationPath: climb)
                }
            ),
            (
                "dangling link", "Instances/acme.json", "is a symbolic link to nothing",
                { repo in
                    try FileManager.default.createSymbolicLink(
                        atPath: repo.path("Instances/acme.json"),
                        withDestinationPath: repo.path("missing.json"))
                }
            ),
            (
                "FIFO", "Instances/acme.json", "is a FIFO, not a regular file",
                { repo in
                    XCTAssertEqual(mkfifo(repo.path("Instances/acme.json"), 0o600), 0)
                }
            ),
            (
                "directory", "Instances/acme.json", "is a directory, not a regular file",
                { repo in
                    try FileManager.default.createDirectory(
                        atPath: repo.path("Instances/acme.json"), withIntermediateDirectories: false)
                }
            ),
            (
                "too large", "Instances/acme.json", "file is larger than 1 MB",
                { repo in
                    let padding = String(repeating: " ", count: RepositoryFile.instanceFileLimit)
                    try repo.write("acme.json", instanceJSON("acme") + padding + "\n")
                }
            ),
            (
                "fleet file linked out", "Instances/_fleet.json", "is a symbolic link leading outside the repository",
                { repo in
                    try FileManager.default.removeItem(atPath: repo.path("Instances/_fleet.json"))
                    try FileManager.default.createSymbolicLink(
                        atPath: repo.path("Instances/_fleet.json"),
                        withDestinationPath: outside.appendingPathComponent("env.json").path)
                }
            ),
            (
                "Instances folder linked out", "Instances",
                "Instances is a symbolic link leading outside the repository",
                { repo in
                    try FileManager.default.removeItem(atPath: repo.path("Instances"))
                    try FileManager.default.createSymbolicLink(
                        atPath: repo.path("Instances"), withDestinationPath: outside.path)
                }
            ),
            (
                "control character in the file name", #"Instances/"acme\u001b[2J.json""#,
                "file name has a control character",
                { repo in
                    try repo.write("acme\u{1b}[2J.json", self.secret)
                }
            ),
        ]
        for c in cases {
            let repo = try TemporaryRepository(testCase: self)
            try repo.copy(packageRoot.appendingPathComponent("Instances/_fleet.json"), as: "_fleet.json")
            try c.setUp(repo)
            let loaded = FleetLoader.load(repo: repo.url, rules: AWSRules())
            let errors = loaded.diagnostics.filter { $0.severity == .error }
            XCTAssertEqual(errors.map(\.summary), [c.summary], c.name)
            XCTAssertEqual(errors.first?.location?.file, c.file, c.name)
            XCTAssertFalse(loaded.diagnostics.description.contains("hunter2"), c.name)
            XCTAssertFalse(loaded.diagnostics.description.contains("\u{1b}"), c.name)
        }
    }

    func testLinkToARegularFileInsideTheRepositoryIsRead() throws {
        let repo = try TemporaryRepository(testCase: self)
        try repo.copy(packageRoot.appendingPathComponent("Instances/_fleet.json"), as: "_fleet.json")
        try FileManager.default.createDirectory(atPath: repo.path("shared"), withIntermediateDirectories: false)
        try Data(instanceJSON("acme").utf8).write(to: repo.url.appendingPathComponent("shared/acme.json"))
        try FileManager.default.createSymbolicLink(
            atPath: repo.path("Instances/acme.json"), withDestinationPath: "../shared/acme.json")
        let loaded = FleetLoader.load(repo: repo.url, rules: AWSRules())
        XCTAssertEqual(loaded.diagnostics, [])
        XCTAssertEqual(loaded.specs.map(\.name), ["acme"])
    }

    func testAFileJustUnderTheLimitIsRead() throws {
        let repo = try TemporaryRepository(testCase: self)
        try repo.copy(packageRoot.appendingPathComponent("Instances/_fleet.json"), as: "_fleet.json")
        let json = instanceJSON("acme")
        try repo.write(
            "acme.json", json + String(repeating: " ", count: RepositoryFile.instanceFileLimit - json.utf8.count))
        let loaded = FleetLoader.load(repo: repo.url, rules: AWSRules())
        XCTAssertEqual(loaded.diagnostics, [])
        XCTAssertEqual(loaded.specs.map(\.name), ["acme"])
    }
}
