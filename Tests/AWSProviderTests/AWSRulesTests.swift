import XCTest
import ProviderAPI
@testable import AWSProvider

final class AWSRulesTests: XCTestCase {
    func testAWSLimitsPerField() {
        let cases: [(field: CloudField, summary: String?)] = [
            (.region("us-east-1"), nil),
            (.region("us-gov-west-1"), nil),
            (.region("us east 1"), "invalid region \"us east 1\""),
            (.region("useast-1"), "invalid region \"useast-1\""),
            (.databaseClass("db.t3.micro"), nil),
            (.databaseClass("t3.micro"), "invalid database class \"t3.micro\""),
            (.storageGB(20), nil),
            (.storageGB(19), "invalid storageGB 19"),
            (.storageGB(65537), "invalid storageGB 65537"),
            (.cpu(4096), nil),
            (.cpu(300), "invalid cpu 300"),
            (.fleetName(String(repeating: "f", count: 30)), nil),
            (
                .fleetName(String(repeating: "f", count: 31)),
                "fleet name \"\(String(repeating: "f", count: 31))\" is too long"
            ),
            (.instanceName("acme", fleet: "demo"), nil),
            (.instanceName("archive", fleet: "demo"), "instance name \"archive\" cannot name its cloud resources"),
            (.labelKey("cost-center"), nil),
            (.labelKey("team/owner_1 x=y+z@a.b:c"), nil),
            (.labelKey("Équipe"), nil),
            (.labelKey(""), "empty label key"),
            (.labelKey("pay<ments>"), "label key \"pay<ments>\" has a character AWS tags do not allow"),
            (.labelKey("aws:owner"), "label key \"aws:owner\" uses the reserved prefix \"aws:\""),
            (.labelKey(String(repeating: "k", count: 129)), "label key is too long"),
            (.labelValue(""), nil),
            (.labelValue("cc-42"), nil),
            (.labelValue("a,b"), "label value \"a,b\" has a character AWS tags do not allow"),
            (.labelValue(String(repeating: "v", count: 257)), "label value is too long"),
        ]
        for c in cases {
            XCTAssertEqual(AWSRules().problem(with: c.field)?.summary, c.summary, "\(c.field)")
        }
    }
}
