import Foundation
import FleetModel
import ProviderAPI

/// The instance bucket `P`: SSE-KMS with the instance key, public access blocked, tagged.
/// `snapshot bucket` copies every object to the fleet archive bucket before teardown.
struct S3Bucket {
    let scope: InstanceScope
    private var api: StepCalls { scope.api }
    private var bucket: String { scope.names.bucket }

    /// Ensures the bucket exists with tags, encryption and public access block; returns its name.
    /// A bucket of that name that this instance did not create and tag is refused (see `TagGuard`).
    func ensure(keyArn: String) async throws -> String {
        if let tags = try await tagsOf(bucket) {
            try await checkOwnedOrAdopt(tags)
        } else if try await createTagged() {
        } else {
            // Someone created it between our look and our create: it is judged like any bucket found.
            try await checkOwnedOrAdopt(try await tagsOf(bucket) ?? [:])
        }
        try await encrypt(bucket, keyArn: keyArn)
        try await blockPublicAccess(bucket)
        return bucket
    }

    /// Creates the bucket and tags it as one unit, in a task Ctrl-C does not cancel: S3 cannot tag on create, and a
    /// bucket left untagged between the two calls is one no later run adopts. False when the name is taken.
    private func createTagged() async throws -> Bool {
        let (bucket, tags) = (bucket, scope.tags)
        return try await Task { [self] in
            guard try await create(bucket) else { return false }
            try await putTags(bucket, tags)
            return true
        }.value
    }

    /// A label step: the bucket's whole tag set is replaced (S3 has no per-key tagging), so it is read, checked and
    /// written back with only the label keys changed: `cloudctl:` tags and tags someone else added stay.
    func relabel(_ change: LabelTagChange) async throws {
        guard let tags = try await tagsOf(bucket) else {
            throw scope.missing("bucket \(bucket)", operation: "s3:GetBucketTagging")
        }
        try checkOwned(tags)
        let wanted = change.applied(to: tags)
        if wanted != tags { try await putTags(bucket, wanted) }
    }

    /// Empties and deletes the bucket; an absent bucket is fine.
    func delete() async throws {
        guard let tags = try await tagsOf(bucket) else { return }
        try checkOwned(tags)
        var keys = try await objectKeys(bucket)
        while !keys.isEmpty {
            let batch = keys.prefix(1000)
            keys.removeFirst(batch.count)
            let objects = batch.map { "<Object><Key>\(XMLText.escape($0))</Key></Object>" }.joined()
            try await api.restXML(
                .s3, "POST", "/\(bucket)", query: ["delete": ""],
                body: """
                    <Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>\(objects)</Delete>
                    """)
        }
        try await api.restXML(.s3, "DELETE", "/\(bucket)")
    }

    /// Copies every object into `cloudctl-<fleet>-archive-<region>` under `<name>/<bucket creation stamp>/`; returns
    /// that prefix. The first run records the prefix in the marker object `.cloudctl-archive` of the instance bucket
    /// and re-runs reuse it, so every retry of a teardown writes to the same place (the copies overwrite themselves)
    /// even if S3 reports another CreationDate meanwhile; a re-created bucket has no marker and gets its own prefix.
    /// Copies are encrypted with the fleet's archive key and carry the instance's tags plus `cloudctl:retain-until`;
    /// an object already at a target key that is not tagged for this instance is never overwritten.
    func archive() async throws -> String {
        guard let tags = try await tagsOf(bucket) else {
            throw scope.missing("bucket \(bucket)", operation: "s3:GetBucketTagging")
        }
        try checkOwned(tags)
        let archive = try await ensureArchive()
        let prefix = try await archivePrefix()
        let existing = Set(try await objectKeys(archive.bucket, prefix: prefix))
        let keys = try await objectKeys(bucket).filter { $0 != Self.marker }
        let copyTags = try scope.archiveObjectTags()
        for key in keys where existing.contains(prefix + key) {
            let answer = try await api.restXML(.s3, "GET", "/\(archive.bucket)/\(prefix)\(key)", query: ["tagging": ""])
            try scope.tagGuard.check(
                TagFormat.parse(xml: answer.descendants("TagSet").first),
                resource: "archive object s3://\(archive.bucket)/\(prefix)\(key)",
                operation: "s3:GetObjectTagging")
        }
        for key in keys {
            try await api.restXML(
                .s3, "PUT", "/\(archive.bucket)/\(prefix)\(key)",
                headers: [
                    "x-amz-copy-source": "/\(bucket)/\(URIEncoding.encode(key, keepingSlash: true))",
                    "x-amz-tagging-directive": "REPLACE",
                    "x-amz-tagging": URIEncoding.form(copyTags.keys.sorted().map { ($0, copyTags[$0]!) }),
                ].merging(archive.encryptionHeaders) { _, new in new })
        }
        return "s3://\(archive.bucket)/\(prefix)"
    }

    /// The fleet's archive bucket of this region, tagged for the fleet alone, SSE-KMS with the fleet's archive key
    /// (`ArchiveKey`), public access blocked.
    /// Concurrent teardowns in this process ensure it once; another process's teardown may have created it and not
    /// tagged it yet, so an untagged one is given a few seconds to get its tags before it counts as foreign.
    private func ensureArchive() async throws -> ArchiveTarget {
        let archive = scope.names.archiveBucket(region: scope.region)
        let flightKey = "\(scope.api.client.endpoint(for: .s3).absoluteString) \(archive)"
        return try await Self.archiveFlights.run(flightKey) {
            let fleetTags = [ResourceTags.fleetKey: scope.names.fleet]
            var tags = try await tagsOf(archive)
            if tags == nil {
                if try await create(archive) {
                    try await putTags(archive, fleetTags)
                    tags = fleetTags
                } else {
                    tags = try await settledTags(archive)
                }
            } else if tags?.isEmpty ?? false {
                tags = try await settledTags(archive)
            }
            if let found = tags, TagGuard.mayAdopt(found, previousAttempt: scope.context.previousAttempt) {
                // Still untagged, and this teardown's previous attempt may have died between creating and tagging it.
                try await putTags(archive, fleetTags)
                tags = fleetTags
            }
            try scope.tagGuard.checkFleet(
                tags ?? [:], resource: "archive bucket \(archive)",
                operation: "s3:GetBucketTagging")
            // Set on every teardown, not only at creation: an archive made by an older cloudctl gets them too.
            let keyArn = try await ArchiveKey(scope: scope).ensure()
            try await encrypt(archive, keyArn: keyArn)
            try await blockPublicAccess(archive)
            return ArchiveTarget(
                bucket: archive,
                encryptionHeaders: [
                    "x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": keyArn,
                ])
        }
    }

    /// Where `archive` copies to, and the headers every copy carries.
    struct ArchiveTarget: Sendable {
        var bucket: String
        var encryptionHeaders: [String: String]
    }

    /// Archive ensures in flight, by endpoint and bucket name.
    private static let archiveFlights = SingleFlight<ArchiveTarget>()

    /// The tags of a bucket that has none yet, re-read a few times with backoff: its creator tags it right away.
    private func settledTags(_ name: String) async throws -> [String: String] {
        var delay = scope.backoff.initial
        var tags: [String: String] = [:]
        for _ in 0..<4 {
            try await Task.sleep(for: delay)
            delay *= 2
            tags = try await tagsOf(name) ?? [:]
            if !tags.isEmpty { break }
        }
        return tags
    }

    /// Like `checkOwned`, except that the bucket of our derived name is tagged and used when it has no tags at all and
    /// this step's previous attempt never finished: a kill -9 between CreateBucket and PutBucketTagging leaves that.
    private func checkOwnedOrAdopt(_ tags: [String: String]) async throws {
        if TagGuard.mayAdopt(tags, previousAttempt: scope.context.previousAttempt) {
            try await putTags(bucket, scope.tags)
            return
        }
        try checkOwned(tags)
    }

    private func checkOwned(_ tags: [String: String]) throws {
        try scope.tagGuard.check(tags, resource: "bucket \(bucket)", operation: "s3:GetBucketTagging")
    }

    private func encrypt(_ name: String, keyArn: String) async throws {
        try await api.restXML(
            .s3, "PUT", "/\(name)", query: ["encryption": ""],
            body: """
                <ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>\
                <ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>\
                <KMSMasterKeyID>\(XMLText.escape(keyArn))</KMSMasterKeyID></ApplyServerSideEncryptionByDefault>\
                <BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>
                """)
    }

    static let marker = ".cloudctl-archive"

    /// The prefix recorded in the marker, or a new one from the bucket's creation stamp, recorded before any copy.
    private func archivePrefix() async throws -> String {
        let recorded = try await absent(on: "NoSuchKey") {
            String(decoding: try await api.rest(.s3, "GET", "/\(bucket)/\(Self.marker)").body, as: UTF8.self)
        }
        if let recorded, recorded.hasPrefix("\(scope.names.instance)/"), recorded.hasSuffix("/"),
            !recorded.contains("..")
        {
            return recorded
        }
        let prefix = "\(scope.names.instance)/\(ResourceNames.stamp(iso8601: try await creationDate(bucket)))/"
        try await api.restXML(.s3, "PUT", "/\(bucket)/\(Self.marker)", body: prefix)
        return prefix
    }

    /// Tags of a bucket: nil when it does not exist, empty when it has none.
    private func tagsOf(_ name: String) async throws -> [String: String]? {
        do {
            let answer = try await api.restXML(.s3, "GET", "/\(name)", query: ["tagging": ""])
            return TagFormat.parse(xml: answer.descendants("TagSet").first)
        } catch let error as CloudError where error.hasCode("NoSuchTagSet", "NoSuchTagSetError") {
            return [:]
        } catch let error as CloudError where error.hasCode("NoSuchBucket") {
            return nil
        }
    }

    /// The bucket's `CreationDate` from ListBuckets, narrowed to this name by `prefix`.
    private func creationDate(_ name: String) async throws -> String {
        let listed = try await api.restXML(.s3, "GET", "/", query: ["prefix": name])
        guard
            let created = listed.descendants("Bucket").first(where: { $0.value("Name") == name })?.value("CreationDate")
        else {
            throw scope.missing("bucket \(name)", operation: "s3:ListBuckets")
        }
        return created
    }

    /// Creates the bucket; false when it already existed (`BucketAlreadyOwnedByYou`: a concurrent step, another
    /// process or a lost answer made it), so the caller must judge its tags before using it.
    private func create(_ name: String) async throws -> Bool {
        // us-east-1 rejects an explicit location constraint; every other region requires one.
        let body =
            scope.region == "us-east-1"
            ? nil
            : """
            <CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
            <LocationConstraint>\(scope.region)</LocationConstraint></CreateBucketConfiguration>
            """
        do {
            try await api.restXML(.s3, "PUT", "/\(name)", body: body)
            return true
        } catch let error as CloudError where error.hasCode("BucketAlreadyOwnedByYou") {
            return false
        }
    }

    /// Replaces the bucket's tags. Idempotent, so retried per call like a read: an untagged bucket left behind by
    /// a failed tagging would otherwise be refused on the next run until someone tags it by hand.
    private func putTags(_ name: String, _ tags: [String: String]) async throws {
        let items = tags.keys.sorted().map {
            "<Tag><Key>\(XMLText.escape($0))</Key><Value>\(XMLText.escape(tags[$0]!))</Value></Tag>"
        }.joined()
        try await api.restXML(
            .s3, "PUT", "/\(name)", query: ["tagging": ""], idempotent: true,
            body: "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet>\(items)</TagSet></Tagging>")
    }

    private func blockPublicAccess(_ name: String) async throws {
        try await api.restXML(
            .s3, "PUT", "/\(name)", query: ["publicAccessBlock": ""],
            body: """
                <PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
                <BlockPublicAcls>true</BlockPublicAcls>\
                <IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy>\
                <RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>
                """)
    }

    /// Every object key, following continuation tokens.
    private func objectKeys(_ name: String, prefix: String = "") async throws -> [String] {
        var keys: [String] = []
        var token: String?
        repeat {
            var query = ["list-type": "2"]
            if !prefix.isEmpty { query["prefix"] = prefix }
            if let token { query["continuation-token"] = token }
            let page = try await api.restXML(.s3, "GET", "/\(name)", query: query)
            keys += page.children.filter { $0.name == "Contents" }.compactMap { $0.value("Key") }
            token = page.value("IsTruncated") == "true" ? page.value("NextContinuationToken") : nil
        } while token != nil
        return keys
    }
}

/// Escaping for text placed in XML request bodies.
enum XMLText {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
