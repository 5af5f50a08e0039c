import Foundation
import XCTest

/// A throwaway fleet repository under the temp directory, removed when the test ends.
struct TemporaryRepository {
    let url: URL

    init(testCase: XCTestCase) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("cloudctl-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: url.appendingPathComponent("Instances"), withIntermediateDirectories: true)
        let url = url
        testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    }

    /// Writes `Instances/<name>`.
    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: url.appendingPathComponent("Instances/\(name)"))
    }

    /// The absolute path of `relative` inside the repository.
    func path(_ relative: String) -> String { url.appendingPathComponent(relative).path }

    func copy(_ source: URL, as name: String) throws {
        try FileManager.default.copyItem(at: source, to: url.appendingPathComponent("Instances/\(name)"))
    }
}

/// The repository this package lives in (for the sample fleet under `Instances/`).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A valid instance file for the sample fleet; `extra` appends members (start it with ",").
func instanceJSON(_ name: String, domain: String? = nil, extra: String = "") -> String {
    """
    {
      "name": "\(name)",
      "customer": "Example",
      "type": "production",
      "version": "5.2.3",
      "size": "small",
      "region": "us-east-1",
      "domain": "\(domain ?? "\(name).demo.cloudctl.test")",
      "channel": "stable",
      "state": "active",
      "maintenanceWindow": {"day": "sun", "start": "02:00", "duration": "4h", "timeZone": "UTC"}\(extra)
    }
    """
}
