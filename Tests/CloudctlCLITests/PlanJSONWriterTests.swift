import XCTest
import Foundation
import FleetModel
@testable import CloudctlCLI

/// The streaming saved-plan writer: byte-identical to `JSONEncoder`'s layout and read back as the same `Plan`.
final class PlanJSONWriterTests: XCTestCase {
    /// Orphans, refusals, empty inputs and steps, and text that needs every kind of escape.
    static var trickyPlan: Plan {
        let odd = "quote \" backslash \\ slash / newline \n tab \t cr \r bell \u{07} nul \u{00} esc \u{1B} é → 😀"
        let steps = [
            PlanStep(
                action: .update, resource: .dnsRecord, reason: .domainMove(from: odd, to: "a.example.com"),
                before: .dnsRecord(DNSRecordAttributes(domain: odd, zone: "Z/1", target: "t")),
                after: .dnsRecord(DNSRecordAttributes(domain: "a.example.com", zone: "Z/1", target: odd))),
            PlanStep(action: .delete, resource: .bucket, reason: .teardown, disruptive: true),
            PlanStep(
                action: .healthCheck, resource: .service, reason: .verify(Version(5, 3, 0)),
                detail: .healthCheck(
                    expect: TaskDefinitionAttributes(image: odd, version: Version(5, 3, 0), cpu: 256, memory: 512))),
            PlanStep(
                action: .healthCheck, resource: .service, reason: .verify(Version(5, 3, 0)),
                detail: .healthCheck(
                    expect: TaskDefinitionAttributes(image: "i", version: Version(5, 3, 0), cpu: 256, memory: 512),
                    probe: HealthProbe(url: "https://a.example.com/healthz?\(odd)", versionHeader: "X-App-Version"))),
            PlanStep(
                action: .update, resource: .bucket, reason: .labelsChanged,
                detail: .labels(before: ["team": "a", odd: odd], after: ["team": "b"])),
        ]
        return Plan(
            toolVersion: "9.9.9-beta+\"x\"", fleet: "fleet/\(odd)",
            instances: [
                InstancePlan(
                    name: "a", wave: 3, specFingerprint: "s", recordedFingerprint: "r",
                    changes: [.domain(from: odd, to: "a.example.com"), .protection(false), .relabel], steps: steps,
                    target: InstanceTarget(
                        region: "r", state: .active,
                        maintenanceWindow: MaintenanceWindow(
                            day: .sun, start: "02:00", duration: "4h", timeZone: odd), protected: false,
                        labels: ["team": "payments", odd: odd])),
                InstancePlan(
                    name: "b", status: .refused, specFingerprint: "s", recordedFingerprint: "r", steps: [], refusal: odd
                ),
                InstancePlan(name: "c", status: .orphaned, specFingerprint: "", recordedFingerprint: "r", steps: []),
            ])
    }

    func testMatchesJSONEncoderAndRoundTrips() throws {
        let plans = [
            ("fresh", PlanRenderingGoldenTests.fresh.plan), ("day two", PlanRenderingGoldenTests.dayTwo.plan),
            ("tricky", Self.trickyPlan),
            ("empty", Plan(toolVersion: "1", fleet: "f", instances: [])),
        ]
        for (name, plan) in plans {
            let written = PlanJSONRenderer.render(plan)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            XCTAssertEqual(written, String(decoding: try encoder.encode(plan), as: UTF8.self), name)
            XCTAssertEqual(try JSONDecoder().decode(Plan.self, from: Data(written.utf8)), plan, name)
        }
    }

    /// Apply compares a saved instance with a fresh one piece by piece; that must say exactly whether the bytes are
    /// what the writer renders: every one-byte change, dropped byte and added byte is a mismatch.
    func testPieceByPieceComparisonAgreesWithTheRenderedBytes() {
        let instances =
            Self.trickyPlan.instances + PlanRenderingGoldenTests.fresh.plan.instances
            + PlanRenderingGoldenTests.dayTwo.plan.instances
        var rendering = PlanJSONWriter.StepBytes()
        for (index, instance) in instances.enumerated() {
            let bytes = rendering.bytes(of: instance)
            var edits: [(String, [UInt8])] = [("unchanged", bytes), ("a byte added", bytes + [0x20])]
            edits.append(("a byte dropped", Array(bytes.dropLast())))
            // Each byte changed in turn would be slow for large instances; every 7th covers head, steps and tail.
            for offset in stride(from: 0, to: bytes.count, by: 7) {
                var changed = bytes
                changed[offset] = changed[offset] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
                edits.append(("byte \(offset) changed", changed))
            }
            for (name, edited) in edits {
                let matches = edited.withUnsafeBytes { rendering.matches(instance, $0) }
                XCTAssertEqual(matches, edited == bytes, "instance \(index), \(name)")
            }
        }
    }

    func testSavedPlanIsReadBack() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("planjson-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("sub/plan.json")
        try PlanCommand.save(Self.trickyPlan, to: url)
        XCTAssertEqual(try PlanJSONRenderer.read(url), Self.trickyPlan)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path), ["plan.json"])
    }

    func testChunkedOutputDeliversEverythingInOrder() {
        var chunks: [String] = []
        var output = ChunkedOutput { chunks.append($0) }
        let line = String(repeating: "x", count: 999) + "\n"
        for _ in 0..<200 { output.write(line) }
        output.flush()
        XCTAssertGreaterThan(chunks.count, 1)
        XCTAssertEqual(chunks.joined(), String(repeating: line, count: 200))
    }
}
