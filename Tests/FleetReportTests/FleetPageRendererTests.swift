import Foundation
import XCTest
import FleetModel
import FleetReport
import Rollout
import StateBackend

final class FleetPageRendererTests: XCTestCase {
    // 2026-11-25 is a Wednesday: a Sunday window is closed.
    private let now = ISO8601DateFormatter().date(from: "2026-11-25T12:00:00Z")!
    private let hostile = "<script>alert(1)</script>"

    private func spec(
        _ name: String, customer: String? = nil, version: Version = Version(5, 2, 3), channel: String = "stable",
        type: InstanceType = .production
    ) -> InstanceSpec {
        InstanceSpec(
            name: name, customer: customer ?? name.capitalized, type: type, version: version, size: "small",
            region: "us-east-1", domain: "\(name).example.com", channel: channel, state: .active,
            maintenanceWindow: MaintenanceWindow(day: .sun, start: "02:00", duration: "4h", timeZone: "UTC"))
    }

    private func recorded(_ name: String, running: Version? = Version(5, 2, 3)) -> RecordedInstance {
        RecordedInstance(
            name: name, region: "us-east-1", runningVersion: running,
            resources: [
                .network: RecordedResource(cloudId: "vpc-0abc", inputsHash: "h"),
                .database: RecordedResource(
                    cloudId: "arn:aws:rds:us-east-1:123456789012:db:\(name)", inputsHash: "h",
                    attributes: .database(
                        DatabaseAttributes(region: "us-east-1", databaseClass: "db.t3.micro", storageGB: 20))),
            ])
    }

    private func operation(_ id: Int64, _ name: String, _ result: OperationResult, error: String? = nil)
        -> OperationRecord
    {
        OperationRecord(
            id: id, instance: name, kind: "apply", holder: "ci@runner pid \(id)", result: result, error: error,
            startedAt: now.addingTimeInterval(-3600 * Double(id)), finishedAt: now.addingTimeInterval(-3500))
    }

    private func page(_ instances: [ReportInstance], rollouts: [RolloutSection]? = nil, drift: [DriftSection]? = nil)
        -> String
    {
        FleetPageRenderer.render(
            FleetPage(
                fleet: "demo", generatedAt: now, toolVersion: "0.1.0", instances: instances, rollouts: rollouts,
                drift: drift, notices: ["note \(hostile)"]))
    }

    /// The JSON island, parsed as a browser would read it.
    private func island(_ html: String) throws -> [String: Any] {
        let start = try XCTUnwrap(html.range(of: "<script type=\"application/json\" id=\"fleet-data\">"))
        let end = try XCTUnwrap(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        let json = String(html[start.upperBound..<end.lowerBound])
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    func testEscaperTable() {
        let cases: [(String, String)] = [
            ("plain", "plain"),
            ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
            ("a & b", "a &amp; b"),
            ("\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;"),
            ("Ümlaut → ok", "Ümlaut → ok"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(HTMLEscaper.text(input), expected, input)
        }
    }

    func testJSONStringEscapesWhatCouldCloseTheScript() throws {
        let cases: [(String, String)] = [
            ("plain", "\"plain\""),
            ("</script><b>", "\"\\u003c/script\\u003e\\u003cb\\u003e\""),
            ("a&b \"q\" \\", "\"a\\u0026b \\\"q\\\" \\\\\""),
            ("line\nbreak\u{2028}", "\"line\\nbreak\\u2028\""),
            ("tab\t\u{01}", "\"tab\\t\\u0001\""),
            ("→ arrow", "\"→ arrow\""),
        ]
        for (input, expected) in cases {
            var out = ""
            HTMLEscaper.jsonString(input, to: &out)
            XCTAssertEqual(out, expected, input)
            // And it reads back as the same string.
            let decoded = try JSONSerialization.jsonObject(with: Data("[\(out)]".utf8)) as? [String]
            XCTAssertEqual(decoded, [input])
        }
    }

    func testHostileStringsFromFilesCloudAndJournalAreNeverMarkup() throws {
        var instance = ReportInstance(
            name: "acme", spec: spec("acme", customer: hostile), recorded: recorded("acme"),
            lock: LockRecord(instance: "acme", holder: hostile, acquiredAt: now, leaseUntil: now + 60),
            operations: [operation(1, "acme", .failed, error: hostile)],
            steps: [
                StepRecord(
                    id: 1, operationId: 1, instance: "acme", index: 0, action: .update, resource: .database,
                    reason: "r", inputsHash: "h", status: .failed, error: "</script><script>alert(2)</script>")
            ])
        instance.recorded?.resources[.bucket] = RecordedResource(cloudId: "bucket-\(hostile)", inputsHash: "h")
        let html = page(
            [instance],
            rollouts: [
                RolloutSection(
                    release: hostile,
                    waves: [
                        wave(
                            hostile, channel: hostile, gate: [GateNote(kind: .baking, text: hostile)],
                            failed: [hostile])
                    ], skipped: [hostile])
            ],
            drift: [
                DriftSection(
                    instance: "acme",
                    findings: [
                        DriftFinding(
                            instance: "acme", resource: .bucket, drift: .changed, attribute: hostile, expected: hostile,
                            observed: hostile, cloudId: hostile)
                    ])
            ])
        XCTAssertFalse(html.contains("<script>alert"), "a hostile value became markup")
        XCTAssertFalse(html.contains("</script><script>alert(2)"))
        XCTAssertEqual(html.components(separatedBy: "<script").count - 1, 2, "only the data island and the script")
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "shown as text in the attention list")
        // The island still carries the values verbatim for the script's textContent.
        let data = try island(html)
        let rows = try XCTUnwrap(data["i"] as? [[Any]])
        XCTAssertEqual(rows.first?[1] as? String, hostile)
        let strings = try XCTUnwrap(data["s"] as? [String])
        XCTAssertTrue(strings.contains("</script><script>alert(2)</script>"))
    }

    func testPageRequestsNothingFromAnyHost() {
        let html = page([ReportInstance(name: "acme", spec: spec("acme"), recorded: recorded("acme"))])
        XCTAssertTrue(html.contains("default-src 'none'"), "the content security policy forbids every fetch")
        for pattern in ["src=", "<link", "@import", "url(", "fetch(", "XMLHttpRequest"] {
            XCTAssertFalse(html.contains(pattern), pattern)
        }
        // The only address on the page is the SVG namespace, which is a name, not a request.
        XCTAssertEqual(html.components(separatedBy: "://").count - 1, 1)
        XCTAssertTrue(html.contains("xmlns=\"http://www.w3.org/2000/svg\""))
    }

    func testAttentionListNamesFailedLockedAndWaitingInstances() {
        let instances = [
            ReportInstance(
                name: "broken", spec: spec("broken"), recorded: recorded("broken"),
                operations: [operation(1, "broken", .failed, error: "boom")], pendingChanges: false),
            ReportInstance(
                name: "held", spec: spec("held"), recorded: recorded("held"),
                lock: LockRecord(instance: "held", holder: "ops@box pid 7", acquiredAt: now, leaseUntil: now + 60),
                pendingChanges: false),
            ReportInstance(
                name: "waiting", spec: spec("waiting", version: Version(5, 3, 0)), recorded: recorded("waiting"),
                pendingChanges: true),
            ReportInstance(
                name: "fine", spec: spec("fine"), recorded: recorded("fine"),
                operations: [operation(2, "fine", .succeeded)], pendingChanges: false),
        ]
        let flags = instances.map { AttentionFlags($0, now: now) }
        XCTAssertEqual(flags, [[.failed], [.locked], [.pending, .outsideWindowPending], []])
        let html = page(instances)
        let attention = html[html.range(of: "<ul id=\"attention\">")!.upperBound...]
        let list = String(attention[..<attention.range(of: "</ul>")!.lowerBound])
        XCTAssertTrue(list.contains("#instance-broken"))
        XCTAssertTrue(list.contains("locked by ops@box pid 7"))
        XCTAssertTrue(list.contains("#instance-waiting"))
        XCTAssertFalse(list.contains("#instance-fine"))
    }

    func testGlanceCountsAndVersionChart() {
        let instances = [
            ReportInstance(name: "a", spec: spec("a"), recorded: recorded("a")),
            ReportInstance(name: "b", spec: spec("b", version: Version(5, 3, 0)), recorded: recorded("b")),
            ReportInstance(name: "c", spec: spec("c", channel: "canary", type: .trial), recorded: nil),
            ReportInstance(name: "gone", spec: nil, recorded: recorded("gone")),
        ]
        let glance = FleetGlance(instances)
        XCTAssertEqual(glance.byState.map(\.label), ["active", "not applied"])
        XCTAssertEqual(glance.byState.map(\.count), [3, 1])
        XCTAssertEqual(glance.byType.map(\.label), ["production", "trial", "no file"])
        XCTAssertEqual(glance.byType.map(\.count), [2, 1, 1])
        XCTAssertEqual(glance.channels.map(\.channel), ["canary", "stable"])
        let stable = glance.channels[1]
        XCTAssertEqual(stable.desired, ["5.2.3": 1, "5.3.0": 1])
        XCTAssertEqual(stable.running, ["5.2.3": 2])
        XCTAssertEqual(stable.upToDate, 1)
        XCTAssertEqual(glance.channels[0].running, [ChannelVersions.none: 1])
        XCTAssertEqual(glance.channels[0].versions, ["5.2.3", "none"])
        let html = page(instances)
        XCTAssertTrue(html.contains("<svg id=\"versions-chart\""))
        XCTAssertTrue(html.contains("<title>stable desired 5.3.0: 1</title>"))
        XCTAssertTrue(html.contains("2 · 1 at desired"))
    }

    func testIslandHasEveryInstanceWithItsJournal() throws {
        let steps = (0..<3).map { index in
            StepRecord(
                id: Int64(index), operationId: 2, instance: "acme", index: index, action: .update, resource: .service,
                reason: "r", inputsHash: "h", status: .succeeded, attempts: 1)
        }
        let instances = [
            ReportInstance(
                name: "acme", spec: spec("acme"), recorded: recorded("acme"),
                operations: [operation(2, "acme", .succeeded), operation(3, "acme", .failed, error: "quota")],
                steps: steps),
            ReportInstance(name: "beta", spec: spec("beta"), recorded: nil),
        ]
        let data = try island(page(instances))
        let strings = try XCTUnwrap(data["s"] as? [String])
        let rows = try XCTUnwrap(data["i"] as? [[Any]])
        XCTAssertEqual(rows.map { $0[0] as? String }, ["acme", "beta"])
        let acme = rows[0]
        XCTAssertEqual(strings[acme[4] as! Int], "5.2.3")
        // Resources: kind code, cloud id prefix, rest, attributes; the instance's name is written as U+0001.
        let resources = try XCTUnwrap(acme[10] as? [Any])
        XCTAssertEqual(resources.count, 8)
        XCTAssertEqual(resources[4] as? Int, ResourceKind.database.order)
        XCTAssertEqual(strings[resources[5] as! Int], "arn:aws:rds:us-east-1:123456789012:db:\u{1}")
        XCTAssertEqual(resources[6] as? String, "", "an id holding the name is kept whole, shared by the fleet")
        XCTAssertEqual(strings[resources[1] as! Int], "", "vpc-0abc has no prefix")
        XCTAssertEqual(resources[2] as? String, "vpc-0abc")
        XCTAssertEqual(
            strings[resources[7] as! Int],
            "backupRetentionDays=7, databaseClass=db.t3.micro, deletionProtection=false, region=us-east-1, storageGB=20"
        )
        let operations = try XCTUnwrap(acme[11] as? [Int])
        XCTAssertEqual(operations.count, 12)
        let results = try XCTUnwrap((data["e"] as? [String: [String]])?["result"])
        XCTAssertEqual(results[operations[1]], "succeeded")
        XCTAssertEqual(operations[3], 120, "started two hours before the page")
        XCTAssertEqual(strings[operations[11]], "quota")
        let stepFields = try XCTUnwrap(acme[12] as? [Int])
        XCTAssertEqual(stepFields.count, 15)
        XCTAssertEqual(stepFields[0], 0, "the step points at the first operation")
        let actions = try XCTUnwrap((data["e"] as? [String: [String]])?["action"])
        let kinds = try XCTUnwrap((data["e"] as? [String: [String]])?["resource"])
        let statuses = try XCTUnwrap((data["e"] as? [String: [String]])?["status"])
        let code = stepFields[2]
        XCTAssertEqual(
            [actions[code / 1000], kinds[code / 10 % 100], statuses[code % 10]], ["update", "service", "succeeded"])
        XCTAssertEqual(rows[1][10] as? [Int], [])
        XCTAssertEqual((rows[1][8] as? Int).map { $0 & AttentionFlags.notApplied.rawValue }, 16)
    }

    func testOptionalSectionsRenderOnlyWhenGiven() {
        let instances = [ReportInstance(name: "acme", spec: spec("acme"), recorded: recorded("acme"))]
        let plain = page(instances)
        XCTAssertFalse(plain.contains("id=\"rollouts\""))
        XCTAssertFalse(plain.contains("id=\"drift\""))
        let full = page(
            instances,
            rollouts: [
                RolloutSection(
                    release: "5.3.0",
                    waves: [wave("early", gate: [GateNote(kind: .overBudget, text: "wave canary: 1 of 4 failed")])])
            ],
            drift: [
                DriftSection(
                    instance: "acme",
                    findings: [
                        DriftFinding(
                            instance: "acme", resource: .service, drift: .changed, attribute: "replicas",
                            expected: "3", observed: "2", cloudId: "svc-1")
                    ])
            ])
        XCTAssertTrue(full.contains("<section id=\"rollouts\">"))
        XCTAssertTrue(full.contains("<progress max=\"4\" value=\"2\"></progress>"))
        XCTAssertTrue(full.contains("wave canary: 1 of 4 failed"))
        XCTAssertTrue(full.contains("<section id=\"drift\">"))
        XCTAssertTrue(full.contains("<b>changed service</b> <code>svc-1</code>: replicas: expected 3, observed 2"))
    }

    private func wave(
        _ name: String, channel: String = "stable", state: WaveStatus.State = .inProgress, gate: [GateNote] = [],
        failed: [String] = []
    ) -> RolloutWaveRow {
        RolloutWaveRow(
            name: name, channel: channel, state: state, total: 4, onVersion: 3, healthy: 2, failed: failed.count,
            waiting: 1, applying: 0, notStarted: 1, gate: gate, bakeLeft: nil, startedAt: now - 7200,
            finishedAt: nil, failedInstances: failed)
    }

    /// One table per release, one row per wave: counts, gate notes styled by kind, failed names capped, times.
    func testRolloutSectionRowsPerWave() {
        let failed = (1...7).map { "i\($0)<b>" }
        let html = page(
            [ReportInstance(name: "acme", spec: spec("acme"), recorded: recorded("acme"))],
            rollouts: [
                RolloutSection(
                    release: "5.3.0",
                    waves: [
                        RolloutWaveRow(
                            name: "canary", channel: "stable", state: .done, total: 2, onVersion: 2, healthy: 2,
                            failed: 0, waiting: 0, applying: 0, notStarted: 0, gate: [], bakeLeft: "31h",
                            startedAt: now - 7200, finishedAt: now - 3600),
                        wave(
                            "rest", state: .halted,
                            gate: [
                                GateNote(kind: .baking, text: "wave canary: bake 31h of 48h left"),
                                GateNote(kind: .approval, text: "wave rest: needs approval"),
                            ], failed: failed),
                    ], skipped: ["frozen (channel pause is paused)"]),
                RolloutSection(release: "5.4.0", waves: []),
            ])
        let cases: [(fragment: String, why: String)] = [
            ("<a href=\"#rollouts\">Rollouts</a>", "linked from the header"),
            ("<h3 id=\"rollout-5.3.0\">Release 5.3.0</h3>", "a heading per release"),
            ("<h3 id=\"rollout-5.4.0\">Release 5.4.0</h3>", "every release given"),
            (
                "<tr class=\"wave done\"><td>canary</td><td>stable</td><td>done</td><td><progress max=\"2\" "
                    + "value=\"2\"></progress></td><td>2</td><td>2</td><td>2</td><td>0</td><td>0</td><td>0</td>"
                    + "<td>0</td><td>31h</td><td>2026-11-25T10:00:00Z</td><td>2026-11-25T11:00:00Z</td>"
                    + "<td><span class=\"gate open\">open</span></td></tr>",
                "a done wave: counts, bake left, started and finished, gate open"
            ),
            ("<tr class=\"wave halted\"><td>rest</td>", "state as class"),
            ("<td>-</td><td>2026-11-25T10:00:00Z</td><td>-</td>", "no bake left, not finished"),
            (
                "<span class=\"gate baking\">wave canary: bake 31h of 48h left</span><br>"
                    + "<span class=\"gate approval\">wave rest: needs approval</span>",
                "every closure, styled by kind"
            ),
            (
                "failed: i1&lt;b&gt;, i2&lt;b&gt;, i3&lt;b&gt;, i4&lt;b&gt;, i5&lt;b&gt; and 2 more",
                "failed names capped and escaped"
            ),
            ("<p class=\"skipped\">Not reached: frozen (channel pause is paused)</p>", "what the release skips"),
        ]
        for (fragment, why) in cases { XCTAssertTrue(html.contains(fragment), "\(why): \(fragment)") }
        XCTAssertFalse(html.contains("i6&lt;b&gt;"))
        let empty = page([], rollouts: [])
        XCTAssertTrue(empty.contains("<section id=\"rollouts\"><h2>Rollouts</h2><p>No rollout in progress.</p>"))
    }
}
