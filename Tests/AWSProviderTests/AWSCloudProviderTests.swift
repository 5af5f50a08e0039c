import Foundation
import XCTest
import FleetModel
import ProviderAPI
import TestSupport
@testable import AWSProvider

/// Offline checks of the provider with a scripted transport.
final class AWSCloudProviderTests: XCTestCase {
    static let config = AWSConfig(
        region: "us-east-1", endpoint: URL(string: "http://127.0.0.1:1"),
        credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "SECRET"))
    static let password = "Pw0123456789abcdefghijABCDEFGHIJ0123456789"

    /// Answers each operation (`Action=` or `X-Amz-Target`) from `answers`; unknown ones get a 500.
    static func transport(_ answers: [String: HTTPResponse]) -> HTTPTransport {
        { request in answers[operation(of: request)] ?? HTTPResponse(status: 500) }
    }

    /// The operation a Query (`Action=`) or JSON (`X-Amz-Target`) request asks for.
    static func operation(of request: HTTPRequest) -> String {
        let body = String(decoding: request.body, as: UTF8.self)
        let target = request.headers["X-Amz-Target"]?.split(separator: ".").last.map(String.init)
        let action = body.split(separator: "&").first { $0.hasPrefix("Action=") }.map { String($0.dropFirst(7)) }
        return target ?? action ?? ""
    }

    static func xml(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, body: Data(text.utf8))
    }

    func context() -> StepContext { StepContext(spec: Fixtures.spec(), fleet: Fixtures.fleet(), recorded: nil) }

    func testClientsAreCreatedOncePerRegion() {
        let provider = AWSCloudProvider(config: Self.config, transport: Self.transport([:]))
        XCTAssertTrue(provider.client(region: "eu-west-1") === provider.client(region: "eu-west-1"))
        XCTAssertEqual(provider.client(region: "eu-west-1").region, "eu-west-1")
        XCTAssertFalse(provider.client(region: "eu-west-1") === provider.client(region: "us-east-1"))
        XCTAssertEqual(provider.callCount, 0)
    }

    func testUnsupportedStepFailsWithoutCalls() async {
        let provider = AWSCloudProvider(config: Self.config, transport: Self.transport([:]))
        let step = PlanStep(action: .migrate, resource: .bucket, reason: "", inputsHash: "h")
        do {
            _ = try await provider.perform(step, context: context())
            XCTFail("expected an error")
        } catch let error as CloudError {
            XCTAssertEqual(error.kind, .validation)
            XCTAssertEqual(provider.callCount, 0)
        } catch { XCTFail("\(error)") }
    }

    /// A cloud error that echoes the request must not leak the generated password.
    func testCreateDatabaseErrorNeverContainsThePassword() async {
        let secret = JSONValue.object(["password": .string(Self.password)]).serialized()
        let provider = AWSCloudProvider(
            config: Self.config,
            transport: Self.transport([
                "DescribeDBInstances": Self.xml(
                    "<ErrorResponse><Error><Code>DBInstanceNotFound</Code><Message>none</Message></Error>"
                        + "</ErrorResponse>",
                    status: 404),
                "DescribeSubnets": Self.xml("<R><subnetSet><item><subnetId>subnet-1</subnetId></item></subnetSet></R>"),
                "DescribeSecurityGroups": Self.xml(
                    "<R><securityGroupInfo><item><groupId>sg-1</groupId></item></securityGroupInfo></R>"),
                "DescribeDBSubnetGroups": Self.xml(
                    "<ErrorResponse><Error><Code>DBSubnetGroupNotFoundFault</Code><Message>none</Message></Error>"
                        + "</ErrorResponse>",
                    status: 404),
                "CreateDBSubnetGroup": Self.xml("<R/>"),
                "GetSecretValue": HTTPResponse(
                    status: 200,
                    body: JSONValue.object(["SecretString": .string(String(decoding: secret, as: UTF8.self))])
                        .serialized()),
                "CreateDBInstance": Self.xml(
                    "<ErrorResponse><Error><Code>InvalidParameterValue</Code>"
                        + "<Message>bad MasterUserPassword \(Self.password)</Message></Error></ErrorResponse>",
                    status: 400),
            ]))
        let step = PlanStep(
            action: .create, resource: .database, reason: "",
            inputs: [StepInput.databaseClass: "db.t3.micro", StepInput.storageGB: "20"], inputsHash: "h")
        do {
            _ = try await provider.perform(step, context: context())
            XCTFail("expected an error")
        } catch {
            XCTAssertFalse("\(error)".contains(Self.password), "\(error)")
            XCTAssertEqual((error as? CloudError)?.code, "InvalidParameterValue")
            // Network lookup (nothing recorded), subnet group, password, database; the database is not described
            // before its create.
            XCTAssertEqual(provider.callCount, 6)
        }
    }
}
