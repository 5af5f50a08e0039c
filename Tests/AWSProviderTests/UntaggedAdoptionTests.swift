import Foundation
import XCTest
import Synchronization
import FleetModel
import ProviderAPI
import TestSupport
@testable import AWSProvider

/// An untagged bucket of exactly the derived name is adopted (tagged, then used) only when the step's previous attempt
/// never finished: a kill -9 between CreateBucket and PutBucketTagging leaves one. Everything else stays refused.
final class UntaggedAdoptionTests: XCTestCase {
    /// Answers by `METHOD /path?subresources` for REST calls and by operation name for JSON calls; the last answer of
    /// a queue repeats, and calls nobody scripted get an empty 200. Records what was asked, with bodies.
    final class Cloud: Sendable {
        let answers: Mutex<[String: [HTTPResponse]]>
        let asked = Mutex<[(call: String, body: String)]>([])
        init(_ answers: [String: [HTTPResponse]]) { self.answers = Mutex(answers) }

        static func call(_ request: HTTPRequest) -> String {
            let json = AWSCloudProviderTests.operation(of: request)
            if !json.isEmpty { return json }
            let url = URLComponents(url: request.url, resolvingAgainstBaseURL: false)
            let subresources = (url?.queryItems ?? []).map(\.name).sorted().joined(separator: "&")
            return "\(request.method) \(url?.path ?? "")" + (subresources.isEmpty ? "" : "?\(subresources)")
        }

        var transport: HTTPTransport {
            { request in
                let call = Self.call(request)
                self.asked.withLock { $0.append((call, String(decoding: request.body, as: UTF8.self))) }
                return self.answers.withLock { answers in
                    guard var queue = answers[call], let next = queue.first else { return HTTPResponse(status: 200) }
                    if queue.count > 1 {
                        queue.removeFirst()
                        answers[call] = queue
                    }
                    return next
                }
            }
        }

        var calls: [String] { asked.withLock { $0.map(\.call) } }
        func bodies(of call: String) -> [String] { asked.withLock { $0.filter { $0.call == call }.map(\.body) } }
    }

    static let fleet = Fixtures.fleet().name
    static let names = ResourceNames(fleet: fleet, instance: "acme")
    static let bucket = "/\(names.bucket)"
    static let archive = "/\(names.archiveBucket(region: "us-east-1"))"

    static func s3Error(_ code: String, status: Int) -> HTTPResponse {
        HTTPResponse(status: status, body: Data("<Error><Code>\(code)</Code><Message>m</Message></Error>".utf8))
    }
    static let untagged = s3Error("NoSuchTagSet", status: 404)
    static func tagSet(_ tags: [String: String]) -> HTTPResponse {
        let items = tags.keys.sorted().map { "<Tag><Key>\($0)</Key><Value>\(tags[$0]!)</Value></Tag>" }.joined()
        return HTTPResponse(status: 200, body: Data("<Tagging><TagSet>\(items)</TagSet></Tagging>".utf8))
    }
    static func kmsTags(_ tags: [String: String]) -> HTTPResponse {
        let list = tags.map { JSONValue.object(["TagKey": .string($0.key), "TagValue": .string($0.value)]) }
        return HTTPResponse(status: 200, body: JSONValue.object(["Tags": .array(list)]).serialized())
    }
    static let keyArn = "arn:aws:kms:us-east-1:1:key/k"

    func perform(
        _ cloud: Cloud, _ action: StepAction, _ resource: ResourceKind, previousAttempt: PreviousAttempt
    ) async throws {
        let config = AWSConfig(
            region: "us-east-1", endpoint: URL(string: "http://127.0.0.1:1"),
            credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "SECRET"))
        let provider = AWSCloudProvider(
            config: config, transport: cloud.transport,
            backoff: Backoff(initial: .milliseconds(1), maximum: .milliseconds(1), attempts: 5))
        let step = PlanStep(action: action, resource: resource, reason: "", inputs: [:], inputsHash: "h")
        var context = StepContext(
            spec: Fixtures.spec(), fleet: Fixtures.fleet(),
            recorded: RecordedInstance(
                name: "acme", region: "us-east-1",
                resources: [.key: RecordedResource(cloudId: Self.keyArn, inputsHash: "h")]))
        context.previousAttempt = previousAttempt
        _ = try await provider.perform(step, context: context)
    }

    func testTheInstanceBucketIsAdoptedOnlyWhenUntaggedAfterAnUnfinishedAttempt() async throws {
        let ours = Self.names.tags
        let table: [(found: HTTPResponse, previous: PreviousAttempt, adopted: Bool, line: UInt)] = [
            (Self.untagged, .unfinished, true, #line),
            (Self.untagged, .finishedOrNone, false, #line),
            (Self.tagSet([:]), .unfinished, true, #line),
            (Self.tagSet(ResourceNames(fleet: Self.fleet, instance: "globex").tags), .unfinished, false, #line),
            (Self.tagSet(["cloudctl:instance": "acme", "cloudctl:fleet": "other"]), .unfinished, false, #line),
            // Someone's own tags without ours: not a bucket our create left untagged.
            (Self.tagSet(["team": "data"]), .unfinished, false, #line),
        ]
        for row in table {
            let cloud = Cloud([
                "ListResourceTags": [Self.kmsTags(ours)], "GET \(Self.bucket)?tagging": [row.found],
            ])
            do {
                try await perform(cloud, .create, .bucket, previousAttempt: row.previous)
                XCTAssertTrue(row.adopted, "expected a refusal", line: row.line)
                let tagging = cloud.bodies(of: "PUT \(Self.bucket)?tagging")
                XCTAssertEqual(tagging.count, 1, line: row.line)
                for (key, value) in ours {
                    XCTAssertTrue(
                        tagging.first?.contains("<Key>\(key)</Key><Value>\(value)</Value>") ?? false,
                        "\(tagging)", line: row.line)
                }
                XCTAssertEqual(
                    cloud.calls,
                    [
                        "ListResourceTags", "GET \(Self.bucket)?tagging", "PUT \(Self.bucket)?tagging",
                        "PUT \(Self.bucket)?encryption", "PUT \(Self.bucket)?publicAccessBlock",
                    ], line: row.line)
            } catch let error as CloudError {
                XCTAssertFalse(row.adopted, "\(error)", line: row.line)
                XCTAssertEqual(error.kind, .foreignResource, line: row.line)
                XCTAssertEqual(
                    cloud.calls, ["ListResourceTags", "GET \(Self.bucket)?tagging"], "nothing changed",
                    line: row.line)
            }
        }
    }

    /// A create answered `BucketAlreadyOwnedByYou` (our earlier create, whose answer was lost) is judged the same way.
    func testABucketOurCreateFindsTakenIsAdoptedOnlyAfterAnUnfinishedAttempt() async throws {
        for previous in [PreviousAttempt.unfinished, .finishedOrNone] {
            let cloud = Cloud([
                "ListResourceTags": [Self.kmsTags(Self.names.tags)],
                "GET \(Self.bucket)?tagging": [Self.s3Error("NoSuchBucket", status: 404), Self.untagged],
                "PUT \(Self.bucket)": [Self.s3Error("BucketAlreadyOwnedByYou", status: 409)],
            ])
            do {
                try await perform(cloud, .create, .bucket, previousAttempt: previous)
                XCTAssertEqual(previous, .unfinished, "an untagged bucket is refused without an unfinished attempt")
                XCTAssertEqual(cloud.bodies(of: "PUT \(Self.bucket)?tagging").count, 1)
            } catch let error as CloudError {
                XCTAssertEqual(previous, .finishedOrNone, "\(error)")
                XCTAssertEqual(error.kind, .foreignResource)
                XCTAssertFalse(cloud.calls.contains("PUT \(Self.bucket)?tagging"))
            }
        }
    }

    /// The fleet's archive bucket (tagged with the fleet alone) left untagged by a teardown killed between creating and
    /// tagging it: adopted with the fleet tag by a re-run of that teardown step, refused otherwise.
    func testTheArchiveBucketIsAdoptedOnlyAfterAnUnfinishedTeardownAttempt() async throws {
        let fleetTags = [ResourceTags.fleetKey: Self.fleet]
        for previous in [PreviousAttempt.unfinished, .finishedOrNone] {
            let cloud = Cloud([
                "GET \(Self.bucket)?tagging": [Self.tagSet(Self.names.tags)],
                "GET \(Self.archive)?tagging": [Self.untagged],
                "DescribeKey": [
                    HTTPResponse(
                        status: 200,
                        body: Data(#"{"KeyMetadata":{"KeyId":"a","Arn":"arn:a","KeyState":"Enabled"}}"#.utf8))
                ],
                "ListResourceTags": [Self.kmsTags(fleetTags)],
                "GET \(Self.bucket)/\(S3Bucket.marker)": [
                    HTTPResponse(status: 200, body: Data("acme/20261130T000000Z/".utf8))
                ],
            ])
            do {
                try await perform(cloud, .snapshot, .bucket, previousAttempt: previous)
                XCTAssertEqual(previous, .unfinished, "an untagged archive is refused without an unfinished attempt")
                let tagging = cloud.bodies(of: "PUT \(Self.archive)?tagging")
                XCTAssertEqual(tagging.count, 1)
                XCTAssertTrue(
                    tagging.first?.contains("<Key>cloudctl:fleet</Key><Value>\(Self.fleet)</Value>") ?? false,
                    "\(tagging)")
                XCTAssertFalse(tagging.first?.contains("cloudctl:instance") ?? true, "the archive is the fleet's")
            } catch let error as CloudError {
                XCTAssertEqual(previous, .finishedOrNone, "\(error)")
                XCTAssertEqual(error.kind, .foreignResource)
                XCTAssertFalse(cloud.calls.contains("PUT \(Self.archive)?tagging"))
            }
        }
    }

    func testOnlyNoTagsAtAllAfterAnUnfinishedAttemptMayBeAdopted() {
        let table: [(tags: [String: String], previous: PreviousAttempt, adopt: Bool)] = [
            ([:], .unfinished, true),
            ([:], .finishedOrNone, false),
            (["team": "data"], .unfinished, false),
            (Self.names.tags, .unfinished, false),
        ]
        for row in table {
            XCTAssertEqual(TagGuard.mayAdopt(row.tags, previousAttempt: row.previous), row.adopt, "\(row)")
        }
    }
}
