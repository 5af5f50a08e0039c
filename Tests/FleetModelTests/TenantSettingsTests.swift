import XCTest

@testable import FleetModel

/// The fleet and instance values that wire a tenant: ingress sources, log retention, feature variables.
final class TenantSettingsTests: XCTestCase {
    func testIngressSources() {
        let cases: [(text: String, parsed: IngressSource?)] = [
            ("sg-0123456789abcdef0", .securityGroup("sg-0123456789abcdef0")),
            ("sg-01234567", .securityGroup("sg-01234567")),
            ("sg-0123456789ABCDEF0", nil),
            ("sg-0123", nil),
            ("10.20.0.0/16", .cidr("10.20.0.0/16")),
            ("192.168.1.7/32", .cidr("192.168.1.7/32")),
            ("10.0.0.0/8", .cidr("10.0.0.0/8")),
            ("0.0.0.0/0", nil),
            ("10.0.0.0/7", nil),
            ("10.20.0.1/16", nil),
            ("10.20.0.0/33", nil),
            ("10.20.0.0/016", nil),
            ("010.20.0.0/16", nil),
            ("10.20.0/16", nil),
            ("256.0.0.0/8", nil),
            ("::/0", nil),
            ("", nil),
        ]
        for (text, parsed) in cases {
            XCTAssertEqual(IngressSource(parsing: text), parsed, text)
        }
    }

    func testLogRetention() {
        XCTAssertEqual(LogRetention(parsing: "30d")?.days, 30)
        XCTAssertNil(LogRetention(parsing: "31d"))
        XCTAssertNil(LogRetention(parsing: "30"))
        XCTAssertNil(LogRetention(parsing: "-1d"))
        let cases: [(days: Int, kept: Int)] = [(1, 1), (2, 3), (90, 90), (91, 120), (3650, 3653), (9999, 3653)]
        for (days, kept) in cases {
            XCTAssertEqual(LogRetention.atLeast(days).days, kept, "\(days)")
        }
    }

    func testFeatureVariables() {
        let cases: [(feature: String, variable: String?)] = [
            ("sso", "CLOUDCTL_FEATURE_SSO"),
            ("auditLog", "CLOUDCTL_FEATURE_AUDIT_LOG"),
            ("audit-log", "CLOUDCTL_FEATURE_AUDIT_LOG"),
            ("search_v2", "CLOUDCTL_FEATURE_SEARCH_V2"),
            ("v2Search", "CLOUDCTL_FEATURE_V2_SEARCH"),
            ("9lives", nil),
            ("sso.v2", nil),
            ("ünicode", nil),
            ("", nil),
        ]
        for (feature, variable) in cases {
            XCTAssertEqual(InstanceSpec.featureVariable(feature), variable, feature)
        }
    }
}
