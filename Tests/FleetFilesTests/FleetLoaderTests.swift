import Foundation
import XCTest
@testable import FleetFiles
import FleetModel
import AWSProvider

final class FleetLoaderTests: XCTestCase {
    func testSampleFleetLoadsWithoutDiagnostics() throws {
        let loaded = FleetLoader.load(repo: packageRoot, rules: AWSRules())
        XCTAssertEqual(loaded.diagnostics.map(\.description), [])
        let fleet = try XCTUnwrap(loaded.fleet)
        XCTAssertEqual(fleet.name, "demo")
        XCTAssertGreaterThanOrEqual(fleet.tiers.count, 3)
        XCTAssertGreaterThanOrEqual(fleet.releases.releases.count, 8)
        XCTAssertEqual(Set(fleet.channels.keys), ["internal", "canary", "stable", "pause"])
        XCTAssertTrue(fleet.channels["pause"]!.paused)
        XCTAssertEqual(
            fleet.channels["stable"]!.waves,
            [Wave(name: "internal", types: [.internal]), Wave(name: "early", percent: 20), Wave(name: "rest")])
        XCTAssertEqual(fleet.releases.release(Version(5, 3, 0))?.jumpFrom, Version(5, 1, 0))

        let specs = loaded.specs
        XCTAssertTrue((6...7).contains(specs.count))
        XCTAssertEqual(specs.map(\.name), specs.map(\.name).sorted())
        XCTAssertEqual(Set(specs.map(\.type)), Set(InstanceType.allCases))
        XCTAssertEqual(Set(specs.map(\.state)), Set(InstanceState.allCases))
        XCTAssertTrue(specs.contains { $0.protected })
        XCTAssertTrue(specs.allSatisfy { $0.name.count <= 20 && $0.domain.hasSuffix(".demo.cloudctl.test") })
        XCTAssertEqual(loaded.files["acme"], "Instances/acme.json")
        let acme = try XCTUnwrap(specs.first { $0.name == "acme" })
        XCTAssertEqual(acme.features, ["sso": true, "auditLog": true])
        XCTAssertEqual(
            acme.maintenanceWindow,
            MaintenanceWindow(day: .sun, start: "02:00", duration: "4h", timeZone: "America/New_York"))
        XCTAssertEqual(specs.first { $0.type == .trial }?.trial, TrialSettings(expires: "2027-03-31"))
    }

    func testReportsEveryProblemAcrossFiles() throws {
        let repo = try TemporaryRepository(testCase: self)
        try repo.copy(packageRoot.appendingPathComponent("Instances/_fleet.json"), as: "_fleet.json")
        try repo.write("good.json", instanceJSON("good"))
        try repo.write("alpha.json", instanceJSON("alpha").replacingOccurrences(of: "\"size\"", with: "\"sise\""))
        try repo.write(
            "beta.json",
            instanceJSON("beta").replacingOccurrences(of: "5.2.3", with: "9.9.9")
                .replacingOccurrences(of: "us-east-1", with: "useast"))
        try repo.write("gamma.json", "{\n  \"name\": \"gamma\",\n}")
        let loaded = FleetLoader.load(repo: repo.url, rules: AWSRules())
        XCTAssertEqual(
            loaded.diagnostics.map { "\($0.location!.description): \($0.summary)" },
            [
                #"Instances/alpha.json:6:3 (sise): unknown key "sise""#,
                #"Instances/alpha.json:1:1 (size): missing required key "size""#,
                #"Instances/beta.json:5:14 (version): version "9.9.9" is not in the release catalog"#,
                #"Instances/beta.json:7:13 (region): invalid region "useast""#,
                "Instances/gamma.json:2:18: trailing comma in object",
            ])
        XCTAssertEqual(loaded.specs.map(\.name), ["good"])
        XCTAssertEqual(loaded.instanceFileCount, 4, "every instance file read counts, valid or not")
        XCTAssertNotNil(loaded.fleet)
    }

    func testEveryJSONFileButTheFleetFileIsAnInstanceFile() throws {
        let repo = try TemporaryRepository(testCase: self)
        try repo.copy(packageRoot.appendingPathComponent("Instances/_fleet.json"), as: "_fleet.json")
        try repo.write("good.json", instanceJSON("good"))
        try repo.write("_draft.json", instanceJSON("draft"))
        try repo.write("notes.txt", "not an instance file")
        let loaded = FleetLoader.load(repo: repo.url, rules: AWSRules())
        XCTAssertEqual(loaded.instanceFileCount, 2, "_draft.json is not skipped silently: it is checked and reported")
        XCTAssertEqual(loaded.diagnostics.map { $0.location?.file }, ["Instances/_draft.json"])
    }

    func testDuplicateDomainNamesBothFiles() throws {
        let repo = try TemporaryRepository(testCase: self)
        try repo.copy(packageRoot.appendingPathComponent("Instances/_fleet.json"), as: "_fleet.json")
        try repo.write("first.json", instanceJSON("first", domain: "shop.demo.cloudctl.test"))
        try repo.write("second.json", instanceJSON("second", domain: "shop.demo.cloudctl.test"))
        try repo.write("third.json", instanceJSON("third"))
        let loaded = FleetLoader.load(repo: repo.url, rules: AWSRules())
        XCTAssertEqual(
            loaded.diagnostics.map(\.description),
            [
                """
                Instances/second.json:8:13 (domain): error: domain "shop.demo.cloudctl.test" is also used by \
                Instances/first.json
                  domains must be unique across the fleet; change the domain in Instances/first.json or \
                Instances/second.json
                """
            ])
        XCTAssertEqual(loaded.specs.map(\.name), ["third"])
    }

    func testBrokenFleetFileStillChecksInstances() throws {
        let repo = try TemporaryRepository(testCase: self)
        try repo.write("_fleet.json", "{\"name\": \"demo\",")
        try repo.write("okay.json", instanceJSON("okay", domain: "okay.anywhere.example"))
        try repo.write("bad.json", instanceJSON("bad", extra: ",\n  \"protected\": \"yes\""))
        let loaded = FleetLoader.load(repo: repo.url, rules: AWSRules())
        XCTAssertEqual(
            loaded.diagnostics.map { "\($0.location!.description): \($0.summary)" },
            [
                "Instances/_fleet.json:1:1: unexpected end of file: object is never closed",
                #"Instances/bad.json:12:16 (protected): expected true or false, got the string "yes""#,
            ])
        XCTAssertNil(loaded.fleet)
        XCTAssertEqual(loaded.specs.map(\.name), ["okay"])
    }

    func testMissingFleetFileAndDirectory() throws {
        let repo = try TemporaryRepository(testCase: self)
        try repo.write("solo.json", instanceJSON("solo"))
        try repo.write("notes.txt", "not JSON, ignored")
        let loaded = FleetLoader.load(repo: repo.url, rules: AWSRules())
        XCTAssertEqual(loaded.diagnostics.map(\.summary), ["missing Instances/_fleet.json"])
        XCTAssertEqual(loaded.specs.map(\.name), ["solo"])

        let empty = FleetLoader.load(repo: repo.url.appendingPathComponent("nowhere"), rules: AWSRules())
        XCTAssertEqual(empty.diagnostics.first?.location?.file, "Instances")
        XCTAssertTrue(empty.diagnostics.hasErrors)
    }

    func testBrokenTierKeepsItsNameForInstances() throws {
        let repo = try TemporaryRepository(testCase: self)
        let fleet = try String(contentsOf: packageRoot.appendingPathComponent("Instances/_fleet.json"), encoding: .utf8)
        try repo.write("_fleet.json", fleet.replacingOccurrences(of: "\"cpu\": 256", with: "\"cpu\": 300"))
        try repo.write("uses-small.json", instanceJSON("uses-small"))
        let loaded = FleetLoader.load(repo: repo.url, rules: AWSRules())
        XCTAssertEqual(
            loaded.diagnostics.map { "\($0.location!.description): \($0.summary)" },
            [
                "Instances/_fleet.json:6:71 (tiers.small.cpu): invalid cpu 300"
            ])
        XCTAssertNil(loaded.fleet)
    }

    /// `retention` in `_fleet.json`: whole days, default 90; anything else is an error at the field.
    /// Labels become AWS tags: cloudctl's own prefix, AWS's prefix and characters AWS refuses are errors at the label.
    func testLabelTable() throws {
        let cases: [(labels: String, fieldPath: String?, summary: String?)] = [
            (#"{"team": "payments", "cost-center": "cc-42"}"#, nil, nil),
            (
                #"{"cloudctl:instance": "x"}"#, "labels.cloudctl:instance",
                #"label key "cloudctl:instance" uses the reserved prefix "cloudctl:""#
            ),
            (
                #"{"CloudCtl:team": "x"}"#, "labels.CloudCtl:team",
                #"label key "CloudCtl:team" uses the reserved prefix "cloudctl:""#
            ),
            (#"{"aws:team": "x"}"#, "labels.aws:team", #"label key "aws:team" uses the reserved prefix "aws:""#),
            (#"{"team": "a;b"}"#, "labels.team", #"label value "a;b" has a character AWS tags do not allow"#),
            (#"{"": "x"}"#, "labels.", "empty label key"),
            // AWS takes 50 tags per resource and cloudctl puts up to 3 of its own: 47 labels fit, 48 do not.
            (Self.labels(47, plus: #""team": "payments", "cost-center": "cc-42""#), nil, nil),
            (Self.labels(48), "labels", "too many labels (48)"),
        ]
        for c in cases {
            let repo = try TemporaryRepository(testCase: self)
            try repo.copy(packageRoot.appendingPathComponent("Instances/_fleet.json"), as: "_fleet.json")
            try repo.write("acme.json", instanceJSON("acme", extra: ",\n  \"labels\": \(c.labels)"))
            let loaded = FleetLoader.load(repo: repo.url, rules: AWSRules())
            XCTAssertEqual(loaded.diagnostics.first?.location?.fieldPath, c.fieldPath, c.labels)
            XCTAssertEqual(loaded.diagnostics.first?.summary, c.summary, c.labels)
            if c.summary == nil {
                XCTAssertEqual(loaded.specs.first?.labels["team"], "payments")
                XCTAssertEqual(loaded.specs.first?.labels["cost-center"], "cc-42")
            } else {
                // Like every label error: the file's line, so an editor jumps to it.
                XCTAssertNotNil(loaded.diagnostics.first?.location?.line, c.labels)
            }
        }
    }

    /// A labels object of `count` members: `k1` … and `plus` (which counts towards `count`, two members).
    private static func labels(_ count: Int, plus: String? = nil) -> String {
        let generated = (1...(count - (plus == nil ? 0 : 2))).map { "\"k\($0)\": \"v\"" }
        return "{" + (generated + (plus.map { [$0] } ?? [])).joined(separator: ", ") + "}"
    }

    func testRetentionTable() throws {
        let sample = try String(
            contentsOf: packageRoot.appendingPathComponent("Instances/_fleet.json"), encoding: .utf8)
        let cases: [(value: String?, days: Int?)] = [
            (nil, 90), ("\"90d\"", 90), ("\"1d\"", 1), ("\"3650d\"", 3650), ("\"400d\"", 400),
            ("\"0d\"", nil), ("\"3651d\"", nil), ("\"90\"", nil), ("\"12w\"", nil), ("\"-5d\"", nil), ("\"d\"", nil),
            ("90", nil),
        ]
        for c in cases {
            let repo = try TemporaryRepository(testCase: self)
            let text = c.value.map {
                sample.replacingOccurrences(
                    of: "\"name\": \"demo\",", with: "\"name\": \"demo\", \"retention\": \($0),")
            }
            try repo.write("_fleet.json", text ?? sample)
            let loaded = FleetLoader.load(repo: repo.url, rules: AWSRules())
            XCTAssertEqual(loaded.fleet?.retention.days, c.days, c.value ?? "absent")
            if c.days == nil {
                XCTAssertEqual(loaded.diagnostics.first?.location?.fieldPath, "retention", c.value ?? "")
            }
        }
    }

    /// Several parallel batches with a partial last chunk, and a file larger than the read buffer's minimum: all load,
    /// in name order.
    func testManyFilesAndALargeFile() throws {
        let repo = try TemporaryRepository(testCase: self)
        try repo.copy(packageRoot.appendingPathComponent("Instances/_fleet.json"), as: "_fleet.json")
        let names = (0..<50).map { String(format: "inst-%05d", $0) }
        for name in names.reversed() { try repo.write("\(name).json", instanceJSON(name)) }
        let padded = instanceJSON("big").replacingOccurrences(
            of: "{", with: "{" + String(repeating: " ", count: 20_000))
        try repo.write("big.json", padded)
        let loaded = FleetLoader.load(repo: repo.url, rules: AWSRules(), chunkSize: 4, chunksPerBatch: 3)
        XCTAssertEqual(loaded.diagnostics.map(\.description), [])
        XCTAssertEqual(loaded.specs.map(\.name), (["big"] + names).sorted())
        XCTAssertEqual(loaded.specs.map(\.name), FleetLoader.load(repo: repo.url, rules: AWSRules()).specs.map(\.name))
    }
}
