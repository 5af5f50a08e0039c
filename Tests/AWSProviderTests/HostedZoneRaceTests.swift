import Foundation
import XCTest
import Synchronization
import FleetModel
import ProviderAPI
import TestSupport
@testable import AWSProvider

/// Two runners creating the fleet's hosted zone at once: Route 53 refuses the second create (same caller reference)
/// and that runner uses the zone the first made.
final class HostedZoneRaceTests: XCTestCase {
    func testAZoneAnotherRunnerJustCreatedIsUsed() async throws {
        let asked = Mutex<[String]>([])
        let listings = Mutex(0)
        let transport: HTTPTransport = { request in
            let path = request.url.path
            asked.withLock { $0.append("\(request.method) \(path)") }
            let xml = { (text: String, status: Int) in HTTPResponse(status: status, body: Data(text.utf8)) }
            switch (request.method, path) {
            case ("GET", let p) where p.hasSuffix("/hostedzonesbyname"):
                // Not there when this runner looks; listed once the other runner's create went through.
                let first = listings.withLock { count in
                    count += 1
                    return count == 1
                }
                let zone =
                    "<HostedZone><Id>/hostedzone/ZTHEIRS</Id><Name>cloud.example.com.</Name>"
                    + "<CallerReference>x</CallerReference></HostedZone>"
                return xml(
                    "<ListHostedZonesByNameResponse><HostedZones>\(first ? "" : zone)</HostedZones>"
                        + "</ListHostedZonesByNameResponse>", 200)
            case ("POST", let p) where p.hasSuffix("/hostedzone"):
                return xml(
                    "<ErrorResponse><Error><Type>Sender</Type><Code>HostedZoneAlreadyExists</Code>"
                        + "<Message>exists</Message></Error></ErrorResponse>", 400)
            case ("GET", let p) where p.hasSuffix("/hostedzone/ZTHEIRS/rrset"):
                return xml(
                    "<ListResourceRecordSetsResponse><ResourceRecordSets/></ListResourceRecordSetsResponse>", 200)
            case ("POST", let p) where p.hasSuffix("/hostedzone/ZTHEIRS/rrset"):
                return xml(
                    "<ChangeResourceRecordSetsResponse><ChangeInfo><Id>/change/C1</Id><Status>INSYNC</Status>"
                        + "</ChangeInfo></ChangeResourceRecordSetsResponse>", 200)
            default:
                return xml("<ErrorResponse><Error><Code>Unexpected</Code></Error></ErrorResponse>", 500)
            }
        }
        let config = AWSConfig(
            region: "us-east-1", endpoint: URL(string: "http://127.0.0.1:1"),
            credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "SECRET"))
        let provider = AWSCloudProvider(
            config: config, transport: transport,
            backoff: Backoff(initial: .milliseconds(1), maximum: .milliseconds(1), attempts: 5))
        let step = PlanStep(
            action: .create, resource: .dnsRecord, reason: "",
            inputs: [StepInput.domain: "acme.cloud.example.com"], inputsHash: "h")
        let outcome = try await provider.perform(
            step, context: StepContext(spec: Fixtures.spec(), fleet: Fixtures.fleet(), recorded: nil))

        XCTAssertEqual(outcome.cloudId, "acme.cloud.example.com")
        let calls = asked.withLock { $0 }
        XCTAssertTrue(calls.contains { $0.hasPrefix("POST") && $0.hasSuffix("/hostedzone/ZTHEIRS/rrset") }, "\(calls)")
        XCTAssertFalse(calls.contains { $0.contains("/tags/") }, "the other runner's zone is not re-tagged: \(calls)")
        XCTAssertEqual(calls.filter { $0.hasSuffix("/hostedzone") }.count, 1, "one create, refused")
    }
}
