import Foundation
import XCTest
import TestSupport
import FleetModel
import ProviderAPI
@testable import AWSProvider

/// End-to-end steps against moto; skipped unless `CLOUDCTL_TEST_ENDPOINT` is set.
final class AWSCloudProviderLiveTests: XCTestCase {
    func testProvisionCreatesTaggedResourcesAndIsIdempotent() async throws {
        let moto = try await MotoFixture.start()
        let first = try await moto.provision()

        let vpcs = try await moto.vpcIds()
        XCTAssertEqual(vpcs, [first[.network]?.cloudId].compactMap { $0 })
        let subnets = try await moto.client.query(
            .ec2, action: "DescribeSubnets", params: QueryParams.filters(QueryParams.ownedBy(moto.names)))
        XCTAssertEqual(
            Set(subnets.items("subnetSet").compactMap { $0.value("availabilityZone") }).count, 2,
            "two subnets in two zones")
        let key = try await moto.client.json(.kms, action: "DescribeKey", body: ["KeyId": .string(moto.names.keyAlias)])
        XCTAssertEqual(key["KeyMetadata"]?["Arn"]?.string, first[.key]?.cloudId)
        let bucketTags = try await moto.bucketTags(moto.names.bucket)
        XCTAssertEqual(bucketTags, moto.names.tags)
        let encryption = try await moto.client.rest(
            .s3, method: "GET", path: "/\(moto.names.bucket)", query: ["encryption": ""])
        XCTAssertEqual(try XMLNode(parsing: encryption.body).descendants("SSEAlgorithm").first?.text, "aws:kms")
        let secret = try await moto.secret()
        XCTAssertEqual(TagFormat.secretsManager.parse(secret["Tags"]), moto.names.tags)
        let db = try await moto.database()
        XCTAssertEqual(db?.value("DBInstanceStatus"), "available")
        XCTAssertEqual(TagFormat.parse(xml: db?.child("TagList")), moto.names.tags)
        let service = try await moto.service()
        XCTAssertEqual(service?["desiredCount"]?.int, moto.tier.replicas)
        let definition = try await moto.latestTaskDefinition()
        XCTAssertEqual(definition?["revision"]?.int, 1)
        let cname = try await moto.records(named: moto.spec.domain)
        XCTAssertEqual(cname, ["CNAME:\(moto.fleet.dns.target)"])
        let txt = try await moto.records(named: "_cloudctl.\(moto.spec.domain)")
        XCTAssertEqual(txt, ["TXT:\(moto.names.ownershipValue)"])

        // The generated password lives only in Secrets Manager.
        let stored = try await moto.client.json(
            .secretsManager, action: "GetSecretValue", body: ["SecretId": .string(moto.names.secret)])
        let password = try JSONValue(parsing: Data(stored["SecretString"]!.string!.utf8))["password"]!.string!
        XCTAssertGreaterThanOrEqual(password.count, 32)
        XCTAssertFalse(first.values.contains { "\($0)".contains(password) })

        let second = try await moto.provision()
        XCTAssertEqual(
            second.mapValues(\.cloudId), first.mapValues(\.cloudId), "a re-run converges to the same resources")
        let vpcsAfterRerun = try await moto.vpcIds()
        XCTAssertEqual(vpcsAfterRerun.count, 1)
        let definitionAfterRerun = try await moto.latestTaskDefinition()
        XCTAssertEqual(definitionAfterRerun?["revision"]?.int, 1, "no new revision for unchanged inputs")
        let firstCalls = first.values.reduce(0) { $0 + $1.calls }
        let secondCalls = second.values.reduce(0) { $0 + $1.calls }
        XCTAssertLessThan(secondCalls, firstCalls)
        XCTAssertEqual(moto.provider.callCount, firstCalls + secondCalls)
    }

    func testUpgradeHopSnapshotsMigratesDeploysAndChecksHealth() async throws {
        let moto = try await MotoFixture.start()
        try await moto.provision()
        let target = "5.3.0"
        // A pre-upgrade snapshot left by a torn-down earlier incarnation of the database is no backup of this one.
        let stale = "\(moto.names.database)-pre-upgrade-5-3-0-20200101t000000"
        _ = try await moto.client.query(
            .rds, action: "CreateDBSnapshot",
            params: ["DBInstanceIdentifier": moto.names.database, "DBSnapshotIdentifier": stale])
        let snapshot = try await moto.run(
            moto.step(.snapshot, .database, [StepInput.purpose: "pre-upgrade", StepInput.version: target]))
        let snapshots = try await moto.snapshotIds().filter { $0 != stale }
        XCTAssertEqual(snapshots.count, 1)
        XCTAssertTrue(snapshots.first?.hasPrefix("cloudctl-test-acme-pre-upgrade-5-3-0-2") == true, "\(snapshots)")
        XCTAssertEqual(snapshot.note, "snapshot \(snapshots.first ?? "")")
        let migrate = moto.step(.migrate, .database, [StepInput.version: target, StepInput.fromVersion: "5.2.3"])
        let migrated = try await moto.run(migrate)
        // A re-run (lost answer, crash, executor retry) accepts the finished task instead of migrating again.
        let rerun = try await moto.run(migrate)
        XCTAssertEqual(rerun.note, migrated.note)
        let migrations = try await moto.client.json(
            .ecs, action: "ListTasks",
            body: [
                "cluster": .string(moto.names.cluster),
                "startedBy": .string(ResourceNames.migrationStartedBy(version: target)),
            ])
        XCTAssertEqual(migrations["taskArns"]?.array?.count, 1)
        let deploy = try await moto.run(
            moto.step(.deploy, .taskDefinition, moto.createInputs(.taskDefinition, version: Version(target))))
        let health = try await moto.run(moto.step(.healthCheck, .service, [StepInput.version: target]))

        let definition = try await moto.latestTaskDefinition()
        XCTAssertEqual(definition?["revision"]?.int, 2)
        XCTAssertEqual(
            definition?["containerDefinitions"]?.array?.first?["image"]?.string, "registry.example.com/app:5.3.0")
        let service = try await moto.service()
        XCTAssertEqual(service?["taskDefinition"]?.string, deploy.cloudId)
        XCTAssertEqual(health.note, "1/1 tasks on registry.example.com/app:5.3.0")

        // Repeating the hop's snapshot finds the existing one instead of taking another.
        try await moto.run(
            moto.step(.snapshot, .database, [StepInput.purpose: "pre-upgrade", StepInput.version: target]))
        let snapshotsAfterRerun = try await moto.snapshotIds()
        XCTAssertEqual(snapshotsAfterRerun.count, 2, "the stale one and this incarnation's")
    }

    func testSuspendAndResume() async throws {
        let moto = try await MotoFixture.start()
        try await moto.provision()
        try await moto.run(moto.step(.update, .service, [StepInput.replicas: "0"]))
        try await moto.run(moto.step(.stop, .database))
        let stoppedDatabase = try await moto.database()
        XCTAssertEqual(stoppedDatabase?.value("DBInstanceStatus"), "stopped")
        let suspendedService = try await moto.service()
        XCTAssertEqual(suspendedService?["desiredCount"]?.int, 0)
        try await moto.run(moto.step(.stop, .database))  // already stopped: nothing to do

        try await moto.run(moto.step(.start, .database))
        try await moto.run(moto.step(.update, .service, [StepInput.replicas: String(moto.tier.replicas)]))
        try await moto.run(moto.step(.healthCheck, .service, [StepInput.version: moto.spec.version.description]))
        let startedDatabase = try await moto.database()
        XCTAssertEqual(startedDatabase?.value("DBInstanceStatus"), "available")
        let resumedService = try await moto.service()
        XCTAssertEqual(resumedService?["desiredCount"]?.int, moto.tier.replicas)
    }

    func testTeardownKeepsFinalSnapshotAndArchiveAndRemovesEverythingElse() async throws {
        let moto = try await MotoFixture.start()
        try await moto.provision()
        _ = try await moto.client.rest(
            .s3, method: "PUT", path: "/\(moto.names.bucket)/uploads/a b.txt", body: Data("hello".utf8))

        let teardown =
            [moto.step(.snapshot, .database, [StepInput.purpose: "final"]), moto.step(.snapshot, .bucket)]
            + ResourceKind.allCases.reversed().map { moto.step(.delete, $0) }
        // The two snapshot steps again, as a re-run of a teardown that failed later: same snapshot, same archive
        // prefix.
        var notes: [String?] = []
        for step in teardown.prefix(2) + teardown { notes.append(try await moto.run(step).note) }
        XCTAssertEqual(notes[0], notes[2])
        XCTAssertEqual(notes[1], notes[3])

        let snapshots = try await moto.snapshotIds()
        XCTAssertEqual(snapshots.filter { $0.hasPrefix("cloudctl-test-acme-final-") }.count, 1, "\(snapshots)")
        let archived = try await moto.objectKeys(moto.names.archiveBucket(region: moto.spec.region))
        XCTAssertEqual(archived.count, 1, "\(archived)")
        XCTAssertTrue(
            archived.first?.hasPrefix("acme/") == true && archived.first?.hasSuffix("/uploads/a b.txt") == true,
            "\(archived)")
        let vpcs = try await moto.vpcIds()
        XCTAssertEqual(vpcs, [])
        let database = try await moto.database()
        XCTAssertNil(database)
        let service = try await moto.service()
        XCTAssertNil(service)
        let definition = try await moto.latestTaskDefinition()
        XCTAssertNil(definition)
        let secret = try await moto.secret()
        XCTAssertNotNil(secret["DeletedDate"])
        let key = try await moto.client.json(.kms, action: "DescribeKey", body: ["KeyId": .string(moto.names.keyAlias)])
        XCTAssertEqual(key["KeyMetadata"]?["KeyState"]?.string, "PendingDeletion")
        do {
            _ = try await moto.bucketTags(moto.names.bucket)
            XCTFail("bucket still exists")
        } catch let error as CloudError { XCTAssertEqual(error.code, "NoSuchBucket") }
        let cname = try await moto.records(named: moto.spec.domain)
        XCTAssertEqual(cname, [])
        let txt = try await moto.records(named: "_cloudctl.\(moto.spec.domain)")
        XCTAssertEqual(txt, [])

        // Deleting what is already gone succeeds.
        for step in teardown.dropFirst(2) { try await moto.run(step) }
    }

    func testDatabaseIsNotDeletedWithoutItsOwnFinalSnapshot() async throws {
        let moto = try await MotoFixture.start()
        try await moto.provision()
        // A final snapshot of an earlier incarnation (another creation time) does not count.
        _ = try await moto.client.query(
            .rds, action: "CreateDBSnapshot",
            params: [
                "DBInstanceIdentifier": moto.names.database,
                "DBSnapshotIdentifier": "\(moto.names.database)-final-20200101t000000",
            ])
        do {
            try await moto.run(moto.step(.delete, .database))
            XCTFail("deleted without a final snapshot")
        } catch let error as CloudError { XCTAssertEqual(error.code, "NoFinalSnapshot") }
        let database = try await moto.database()
        XCTAssertNotNil(database)
    }

    func testForeignBucketIsRefusedAndLeftUnchanged() async throws {
        let moto = try await MotoFixture.start()
        let foreign = ResourceTags.tags(instance: "other", fleet: moto.fleet.name)
        _ = try await moto.client.rest(.s3, method: "PUT", path: "/\(moto.names.bucket)")
        let tagging = foreign.keys.sorted().map { "<Tag><Key>\($0)</Key><Value>\(foreign[$0]!)</Value></Tag>" }.joined()
        _ = try await moto.client.rest(
            .s3, method: "PUT", path: "/\(moto.names.bucket)", query: ["tagging": ""],
            body: Data("<Tagging><TagSet>\(tagging)</TagSet></Tagging>".utf8))
        try await moto.run(moto.step(.create, .key, moto.createInputs(.key)))

        for action in [StepAction.create, .delete] {
            do {
                try await moto.run(moto.step(action, .bucket, moto.createInputs(.bucket)))
                XCTFail("\(action) touched a foreign bucket")
            } catch let error as CloudError { XCTAssertEqual(error.kind, .foreignResource) }
        }
        let bucketTags = try await moto.bucketTags(moto.names.bucket)
        XCTAssertEqual(bucketTags, foreign)
        do {
            _ = try await moto.client.rest(.s3, method: "GET", path: "/\(moto.names.bucket)", query: ["encryption": ""])
            XCTFail("encryption was configured on a foreign bucket")
        } catch let error as CloudError { XCTAssertEqual(error.kind, .notFound) }
    }

    func testAnUntaggedBucketIsRefusedUntilTaggedByHand() async throws {
        let moto = try await MotoFixture.start()
        try await moto.run(moto.step(.create, .key, moto.createInputs(.key)))
        _ = try await moto.client.rest(.s3, method: "PUT", path: "/\(moto.names.bucket)")
        do {
            try await moto.run(moto.step(.create, .bucket, moto.createInputs(.bucket)))
            XCTFail("adopted an untagged bucket silently")
        } catch let error as CloudError {
            XCTAssertEqual(error.kind, .foreignResource)
            XCTAssertTrue(error.message.contains("by hand"), error.message)
        }
        let untouched = try await moto.bucketTags(moto.names.bucket)
        XCTAssertEqual(untouched, [:])

        // Tagging it by hand is the adoption.
        let tagging = moto.names.tags.keys.sorted().map {
            "<Tag><Key>\($0)</Key><Value>\(moto.names.tags[$0]!)</Value></Tag>"
        }.joined()
        _ = try await moto.client.rest(
            .s3, method: "PUT", path: "/\(moto.names.bucket)", query: ["tagging": ""],
            body: Data("<Tagging><TagSet>\(tagging)</TagSet></Tagging>".utf8))
        try await moto.run(moto.step(.create, .bucket, moto.createInputs(.bucket)))
        let encryption = try await moto.client.rest(
            .s3, method: "GET", path: "/\(moto.names.bucket)", query: ["encryption": ""])
        XCTAssertTrue(String(decoding: encryption.body, as: UTF8.self).contains("aws:kms"))
    }

    func testConcurrentTeardownsShareTheArchiveAndAnUntaggedArchiveIsRefused() async throws {
        // Outside us-east-1, where a second CreateBucket of the racing teardown answers BucketAlreadyOwnedByYou.
        let moto = try await MotoFixture.start().acting(for: Fixtures.spec(region: "eu-west-1"))
        let other = moto.acting(for: Fixtures.spec("globex", region: "eu-west-1"))
        for instance in [moto, other] {
            for resource in [ResourceKind.key, .bucket] {
                try await instance.run(instance.step(.create, resource, instance.createInputs(resource)))
            }
            _ = try await moto.provider.client(region: "eu-west-1").rest(
                .s3, method: "PUT", path: "/\(instance.names.bucket)/data.txt", body: Data("x".utf8))
        }
        async let acme = moto.run(moto.step(.snapshot, .bucket))
        async let globex = other.run(other.step(.snapshot, .bucket))
        _ = try await (acme, globex)
        let archive = moto.names.archiveBucket(region: moto.spec.region)
        let archived = try await moto.objectKeys(archive)
        XCTAssertEqual(
            archived.map { $0.split(separator: "/").first.map(String.init) ?? "" }.sorted(), ["acme", "globex"],
            "\(archived)")
        let tags = try await moto.bucketTags(archive)
        XCTAssertEqual(tags, [ResourceTags.fleetKey: moto.fleet.name])

        // An archive without tags (someone else's, or a crash between CreateBucket and PutBucketTagging) is refused
        // after a short wait for its creator to tag it.
        _ = try await moto.client.rest(.s3, method: "DELETE", path: "/\(archive)", query: ["tagging": ""])
        do {
            try await moto.run(moto.step(.snapshot, .bucket))
            XCTFail("adopted an untagged archive bucket")
        } catch let error as CloudError { XCTAssertEqual(error.kind, .foreignResource) }
        let stillUntagged = try await moto.bucketTags(archive)
        XCTAssertEqual(stillUntagged, [:])
        _ = try await moto.client.rest(
            .s3, method: "PUT", path: "/\(archive)", query: ["tagging": ""],
            body: Data(
                ("<Tagging><TagSet><Tag><Key>\(ResourceTags.fleetKey)</Key><Value>\(moto.fleet.name)</Value></Tag>"
                    + "</TagSet></Tagging>").utf8))

        // Re-runs keep the prefix the first run recorded, whatever CreationDate S3 reports now; the marker is not
        // archived.
        _ = try await moto.client.rest(
            .s3, method: "PUT", path: "/\(moto.names.bucket)/.cloudctl-archive",
            body: Data("acme/19990101t000000/".utf8))
        let rerun = try await moto.run(moto.step(.snapshot, .bucket))
        XCTAssertEqual(rerun.note, "archived to s3://\(archive)/acme/19990101t000000/")
        let keys = try await moto.objectKeys(archive)
        XCTAssertEqual(keys.filter { $0.hasPrefix("acme/") }.count, 2, "\(keys)")
        XCTAssertFalse(keys.contains { $0.hasSuffix(".cloudctl-archive") }, "\(keys)")
    }

    func testKeyLeftWithoutAliasByACrashIsAdopted() async throws {
        let moto = try await MotoFixture.start()
        let orphan = try await moto.client.json(
            .kms, action: "CreateKey", body: ["Tags": TagFormat.kms.json(moto.names.tags)])
        let untaggedKey = try await moto.client.json(.kms, action: "CreateKey", body: [:])
        XCTAssertNotNil(untaggedKey["KeyMetadata"])
        let created = try await moto.run(moto.step(.create, .key, moto.createInputs(.key)))
        XCTAssertEqual(created.cloudId, orphan["KeyMetadata"]?["Arn"]?.string)
        let aliased = try await moto.client.json(
            .kms, action: "DescribeKey", body: ["KeyId": .string(moto.names.keyAlias)])
        XCTAssertEqual(aliased["KeyMetadata"]?["Arn"]?.string, created.cloudId)
        let keys = try await moto.client.json(.kms, action: "ListKeys", body: [:])
        XCTAssertEqual(keys["Keys"]?.array?.count, 2, "no third key")
    }

    func testCreateTaskDefinitionRollsAnExistingService() async throws {
        let moto = try await MotoFixture.start()
        try await moto.provision()
        let created = try await moto.run(
            moto.step(.create, .taskDefinition, moto.createInputs(.taskDefinition, version: Version("5.3.0"))))
        let service = try await moto.service()
        XCTAssertEqual(service?["taskDefinition"]?.string, created.cloudId)
    }

    func testForeignDNSRecordIsRefused() async throws {
        let moto = try await MotoFixture.start()
        try await moto.run(moto.step(.create, .dnsRecord, moto.createInputs(.dnsRecord)))
        let other = moto.acting(for: Fixtures.spec("globex", domain: moto.spec.domain))
        do {
            try await other.run(other.step(.create, .dnsRecord, other.createInputs(.dnsRecord)))
            XCTFail("took over another instance's record")
        } catch let error as CloudError { XCTAssertEqual(error.kind, .foreignResource) }
        let txt = try await moto.records(named: "_cloudctl.\(moto.spec.domain)")
        XCTAssertEqual(txt, ["TXT:\(moto.names.ownershipValue)"])
    }

    func testDomainChangeMovesRecordsAndRemovesTheOldPair() async throws {
        let moto = try await MotoFixture.start()
        try await moto.run(moto.step(.create, .dnsRecord, moto.createInputs(.dnsRecord)))
        var inputs = moto.createInputs(.dnsRecord)
        inputs[StepInput.previousDomain] = moto.spec.domain
        inputs[StepInput.domain] = "acme-new.cloud.example.com"
        let outcome = try await moto.run(moto.step(.update, .dnsRecord, inputs))
        XCTAssertEqual(outcome.cloudId, "acme-new.cloud.example.com")
        let newRecords = try await moto.records(named: "acme-new.cloud.example.com")
        let oldRecords = try await moto.records(named: moto.spec.domain)
        let oldOwnership = try await moto.records(named: "_cloudctl.\(moto.spec.domain)")
        XCTAssertEqual(newRecords, ["CNAME:\(moto.fleet.dns.target)"])
        XCTAssertEqual(oldRecords + oldOwnership, [])
    }

    func testResourcesOutsideTheDefaultRegionUseTheirRegion() async throws {
        let moto = try await MotoFixture.start().acting(for: Fixtures.spec(region: "eu-west-1"))
        for resource in [ResourceKind.network, .key, .bucket] {
            try await moto.run(moto.step(.create, resource, moto.createInputs(resource)))
        }
        let location = try await moto.client.rest(
            .s3, method: "GET", path: "/\(moto.names.bucket)", query: ["location": ""])
        XCTAssertEqual(try XMLNode(parsing: location.body).text, "eu-west-1")
        try await moto.run(moto.step(.snapshot, .bucket))
        let archive = moto.names.archiveBucket(region: "eu-west-1")
        let archiveLocation = try await moto.client.rest(
            .s3, method: "GET", path: "/\(archive)", query: ["location": ""])
        XCTAssertEqual(
            try XMLNode(parsing: archiveLocation.body).text, "eu-west-1", "the archive lives in the instance's region")
        let vpcsInDefaultRegion = try await moto.vpcIds()
        XCTAssertEqual(vpcsInDefaultRegion, [], "the network was created in eu-west-1")
        let regional = moto.provider.client(region: "eu-west-1")
        let vpcsInRegion = try await regional.query(
            .ec2, action: "DescribeVpcs", params: QueryParams.filters(QueryParams.ownedBy(moto.names)))
        XCTAssertEqual(vpcsInRegion.items("vpcSet").count, 1)
    }

    func testConcurrentProvisionsShareOneProviderAndOneZone() async throws {
        let moto = try await MotoFixture.start()
        let other = moto.acting(for: Fixtures.spec("globex"))
        async let acme = moto.provision()
        async let globex = other.provision()
        let (acmeOutcomes, globexOutcomes) = try await (acme, globex)
        XCTAssertNotEqual(acmeOutcomes[.network]?.cloudId, globexOutcomes[.network]?.cloudId)
        let zones = try XMLNode(
            parsing: try await moto.client.rest(.route53, method: "GET", path: "/2013-04-01/hostedzone").body)
        XCTAssertEqual(zones.descendants("HostedZone").count, 1)
        let globexTxt = try await other.records(named: "_cloudctl.\(other.spec.domain)")
        XCTAssertEqual(globexTxt, ["TXT:\(other.names.ownershipValue)"])
    }
}
