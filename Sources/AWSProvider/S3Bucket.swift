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
    func ensure(keyArn: String) async throws -> String {
        let tags = try await tagsOf(bucket)
        if let tags {
            try scope.tagGuard.check(tags, resource: "bucket \(bucket)", operation: "s3:GetBucketTagging", adoptUntagged: true)
        } else {
            try await create(bucket)
        }
        if tags?.isEmpty ?? true { try await putTags(bucket, scope.tags) }
        try await api.restXML(.s3, "PUT", "/\(bucket)", query: ["encryption": ""], body: """
            <ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>\
            <ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>\(XMLText.escape(keyArn))</KMSMasterKeyID>\
            </ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>
            """)
        try await blockPublicAccess(bucket)
        return bucket
    }

    /// Empties and deletes the bucket; an absent bucket is fine.
    func delete() async throws {
        guard let tags = try await tagsOf(bucket) else { return }
        try scope.tagGuard.check(tags, resource: "bucket \(bucket)", operation: "s3:GetBucketTagging", adoptUntagged: true)
        var keys = try await objectKeys(bucket)
        while !keys.isEmpty {
            let batch = keys.prefix(1000)
            keys.removeFirst(batch.count)
            let objects = batch.map { "<Object><Key>\(XMLText.escape($0))</Key></Object>" }.joined()
            try await api.restXML(.s3, "POST", "/\(bucket)", query: ["delete": ""], body: """
                <Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>\(objects)</Delete>
                """)
        }
        try await api.restXML(.s3, "DELETE", "/\(bucket)")
    }

    /// Copies every object into `cloudctl-<fleet>-archive-<region>` under `<name>/<bucket creation stamp>/`; returns
    /// that prefix. The first run records the prefix in the marker object `.cloudctl-archive` of the instance bucket
    /// and re-runs reuse it, so every retry of a teardown writes to the same place (the copies overwrite themselves)
    /// even if S3 reports another CreationDate meanwhile; a re-created bucket has no marker and gets its own prefix.
    func archive() async throws -> String {
        guard let tags = try await tagsOf(bucket) else { throw scope.missing("bucket \(bucket)", operation: "s3:GetBucketTagging") }
        try scope.tagGuard.check(tags, resource: "bucket \(bucket)", operation: "s3:GetBucketTagging", adoptUntagged: true)
        let archive = scope.names.archiveBucket(region: scope.region)
        // The archive belongs to the fleet, not to an instance: only the fleet tag must match. One without any tags
        // is adopted: another instance's teardown may have just created it, or died between creating and tagging it.
        let archiveTags = try await tagsOf(archive)
        if archiveTags == nil { try await create(archive) }
        if archiveTags?.isEmpty ?? true {
            try await putTags(archive, [ResourceTags.fleetKey: scope.names.fleet])
            try await blockPublicAccess(archive)
        } else if archiveTags?[ResourceTags.fleetKey] != scope.names.fleet || archiveTags?[ResourceTags.instanceKey] != nil {
            throw CloudError(kind: .foreignResource, operation: "s3:GetBucketTagging", code: "ForeignResource",
                             message: "archive bucket \(archive) is not tagged for fleet '\(scope.names.fleet)' alone; it was left untouched")
        }
        let prefix = try await archivePrefix()
        for key in try await objectKeys(bucket) where key != Self.marker {
            try await api.restXML(.s3, "PUT", "/\(archive)/\(prefix)\(key)",
                                  headers: ["x-amz-copy-source": "/\(bucket)/\(URIEncoding.encode(key, keepingSlash: true))"])
        }
        return "s3://\(archive)/\(prefix)"
    }

    static let marker = ".cloudctl-archive"

    /// The prefix recorded in the marker, or a new one from the bucket's creation stamp, recorded before any copy.
    private func archivePrefix() async throws -> String {
        let recorded = try await absent(on: "NoSuchKey") {
            String(decoding: try await api.rest(.s3, "GET", "/\(bucket)/\(Self.marker)").body, as: UTF8.self)
        }
        if let recorded, recorded.hasPrefix("\(scope.names.instance)/"), recorded.hasSuffix("/"), !recorded.contains("..") { return recorded }
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
        guard let created = listed.descendants("Bucket").first(where: { $0.value("Name") == name })?.value("CreationDate") else {
            throw scope.missing("bucket \(name)", operation: "s3:ListBuckets")
        }
        return created
    }

    private func create(_ name: String) async throws {
        // us-east-1 rejects an explicit location constraint; every other region requires one.
        let body = scope.region == "us-east-1" ? nil : """
            <CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>\(scope.region)</LocationConstraint></CreateBucketConfiguration>
            """
        do {
            try await api.restXML(.s3, "PUT", "/\(name)", body: body)
        } catch let error as CloudError where error.hasCode("BucketAlreadyOwnedByYou") {} // a concurrent step or a lost answer made it
    }

    private func putTags(_ name: String, _ tags: [String: String]) async throws {
        let items = tags.keys.sorted().map { "<Tag><Key>\(XMLText.escape($0))</Key><Value>\(XMLText.escape(tags[$0]!))</Value></Tag>" }.joined()
        try await api.restXML(.s3, "PUT", "/\(name)", query: ["tagging": ""],
                              body: "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet>\(items)</TagSet></Tagging>")
    }

    private func blockPublicAccess(_ name: String) async throws {
        try await api.restXML(.s3, "PUT", "/\(name)", query: ["publicAccessBlock": ""], body: """
            <PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>true</BlockPublicAcls>\
            <IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy>\
            <RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>
            """)
    }

    /// Every object key, following continuation tokens.
    private func objectKeys(_ name: String) async throws -> [String] {
        var keys: [String] = [], token: String?
        repeat {
            var query = ["list-type": "2"]
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
