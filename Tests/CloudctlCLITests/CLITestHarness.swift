import Foundation
import XCTest
import Synchronization
import FleetModel
import ProviderAPI
import TestSupport
@testable import CloudctlCLI

/// Captures what a command writes; feeds canned stdin lines.
final class CapturedConsole: Sendable {
    private let buffers = Mutex((out: "", err: "", input: [String]()))
    let stdoutIsTerminal: Bool
    let stdinIsTerminal: Bool
    /// Runs before each line is read: what happens while a question is open.
    let onRead: @Sendable () -> Void

    init(
        input: [String] = [], stdoutIsTerminal: Bool = false, stdinIsTerminal: Bool = false,
        onRead: @escaping @Sendable () -> Void = {}
    ) {
        buffers.withLock { $0.input = input }
        self.stdoutIsTerminal = stdoutIsTerminal
        self.stdinIsTerminal = stdinIsTerminal
        self.onRead = onRead
    }

    var out: String { buffers.withLock { $0.out } }
    var err: String { buffers.withLock { $0.err } }

    var console: Console {
        Console(
            writeOut: { text in self.buffers.withLock { $0.out += text } },
            writeErr: { text in self.buffers.withLock { $0.err += text } },
            readLine: {
                self.onRead()
                return self.buffers.withLock { $0.input.isEmpty ? nil : $0.input.removeFirst() }
            },
            stdoutIsTerminal: stdoutIsTerminal, stdinIsTerminal: stdinIsTerminal)
    }
}

/// One in-process run of the CLI.
struct CLIRun {
    var code: Int32
    var out: String
    var err: String
}

/// A temporary fleet repository written from `Fixtures`.
struct TemporaryRepo {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("cloudctl-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: url.appendingPathComponent("Instances"), withIntermediateDirectories: true)
        try write("_fleet.json", Self.fleetFile)
    }

    var dbPath: String { url.appendingPathComponent(".cloudctl/state.db").path }

    func write(_ file: String, _ text: String) throws {
        try text.write(to: url.appendingPathComponent("Instances/\(file)"), atomically: true, encoding: .utf8)
    }

    func writeSpec(_ spec: InstanceSpec) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try write("\(spec.name).json", String(decoding: try encoder.encode(spec), as: UTF8.self))
    }

    func remove() { try? FileManager.default.removeItem(at: url) }

    /// The fleet of `Fixtures.fleet()`, as a file.
    static let fleetFile = """
        {
          "name": "test",
          "dns": {"zone": "cloud.example.com", "target": "ingress.cloud.example.com"},
          "image": "registry.example.com/app",
          "tiers": {
            "small": {"databaseClass": "db.t3.micro", "storageGB": 20, "cpu": 256, "memory": 512, "replicas": 1},
            "medium": {"databaseClass": "db.t3.medium", "storageGB": 50, "cpu": 512, "memory": 1024, "replicas": 2}
          },
          "releases": [{"version": "5.2.3"}, {"version": "5.3.0"}],
          "channels": {"stable": {"waves": [{"name": "all"}]}, "pause": {"paused": true}}
        }
        """
}

/// Runs the CLI in-process with captured output, no signal handlers, a fixed clock and a fake home.
/// `stdout`, when given, receives standard output instead of `console`.
func runCLI(
    _ arguments: [String], repo: TemporaryRepo? = nil, console: CapturedConsole = CapturedConsole(),
    provider: FakeCloudProvider = FakeCloudProvider(), now: Date = CLITestClock.now,
    stdout: (@Sendable (String) -> Void)? = nil
) async -> CLIRun {
    let variables = [
        "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "test-secret",
        "USER": "tester",
    ]
    var streams = console.console
    if let stdout { streams.writeOut = stdout }
    let environment = CLIEnvironment(
        console: streams, variables: variables, homeDirectory: "/nonexistent",
        currentDirectory: repo?.url.path ?? FileManager.default.temporaryDirectory.path,
        now: { now }, makeProvider: { _ in provider }, trapSignals: false)
    let code = await CLI.run(arguments, environment: environment)
    return CLIRun(code: code, out: console.out, err: console.err)
}

enum CLITestClock {
    /// Sunday 2026-11-22 03:00 UTC: inside `Fixtures.window` (sun 02:00 for 4h).
    static let now = Date(timeIntervalSince1970: 1_795_316_400)
}

/// A test case with a temporary repository holding `Fixtures.spec("acme")`.
class RepoTestCase: XCTestCase {
    var repo: TemporaryRepo!

    override func setUpWithError() throws {
        repo = try TemporaryRepo()
        try repo.writeSpec(Fixtures.spec("acme"))
    }

    override func tearDown() { repo.remove() }
}
