import FleetModel
import ProviderAPI

/// The instance's KMS key, found through its alias `alias/P`. Deleting disables it and schedules deletion with the
/// maximum 30-day window, so a mistaken teardown can still be undone; what a teardown keeps is under `ArchiveKey`.
struct KMSKey {
    let scope: InstanceScope
    static let deletionWindowDays = 30

    private var api: StepCalls { scope.api }
    private struct Found {
        var arn: String
        var keyId: String
        var state: String
    }

    /// Ensures the key and alias exist and the key is usable; returns the key ARN.
    func ensure() async throws -> String {
        if let key = try await find() {
            if key.state == "PendingDeletion" {
                _ = try await api.json(.kms, "CancelKeyDeletion", ["KeyId": .string(key.keyId)])
            }
            if key.state == "PendingDeletion" || key.state == "Disabled" {
                _ = try await api.json(.kms, "EnableKey", ["KeyId": .string(key.keyId)])
            }
            return key.arn
        }
        if let orphan = try await unaliasedKey() {
            _ = try await api.json(
                .kms, "CreateAlias", ["AliasName": .string(scope.names.keyAlias), "TargetKeyId": .string(orphan.keyId)])
            return orphan.arn
        }
        let created = try await api.json(
            .kms, "CreateKey",
            [
                "Description": .string("cloudctl \(scope.names.prefix)"),
                "KeyUsage": "ENCRYPT_DECRYPT",
                "Tags": TagFormat.kms.json(scope.tags),
            ])
        let keyId = created["KeyMetadata"]?["KeyId"]?.string ?? ""
        _ = try await api.json(
            .kms, "CreateAlias", ["AliasName": .string(scope.names.keyAlias), "TargetKeyId": .string(keyId)])
        let arn = created["KeyMetadata"]?["Arn"]?.string ?? keyId
        scope.created.insert(.key, arn)
        return arn
    }

    /// The key ARN, for resources encrypted with it. The recorded ARN needs one call, which also checks its tags;
    /// when that key is gone (or in another account), the key is found through its alias as before.
    func arn() async throws -> String {
        if let recorded = scope.identity.cloudIds[.key], recorded.hasPrefix("arn:") {
            if scope.created.contains(.key, recorded) { return recorded }
            // An ARN of another region reads as invalid, one gone as not found.
            let tags = try await absent(on: "NotFoundException", "InvalidArnException") {
                try await api.json(.kms, "ListResourceTags", ["KeyId": .string(recorded)])
            }
            if let tags {
                try scope.tagGuard.check(
                    TagFormat.kms.parse(tags["Tags"]), resource: "KMS key \(recorded)",
                    operation: "kms:ListResourceTags")
                return recorded
            }
        }
        guard let key = try await find() else {
            throw scope.missing("KMS key \(scope.names.keyAlias)", operation: "kms:DescribeKey")
        }
        return key.arn
    }

    /// Disables the key and schedules its deletion; keeps the alias so a re-provision within the window finds and
    /// restores it.
    func delete() async throws {
        guard let key = try await find(), key.state != "PendingDeletion" else { return }
        if key.state != "Disabled" { _ = try await api.json(.kms, "DisableKey", ["KeyId": .string(key.keyId)]) }
        _ = try await api.json(
            .kms, "ScheduleKeyDeletion",
            ["KeyId": .string(key.keyId), "PendingWindowInDays": .number(Double(Self.deletionWindowDays))])
    }

    /// A usable key tagged for this instance that has no alias: left by a crash between CreateKey and CreateAlias.
    /// Looked for only when the alias is missing, with a tag query; when that query is refused (no `tag:GetResources`
    /// permission, an endpoint without the API) the search counts as finding nothing and a new key is created, as
    /// before.
    private func unaliasedKey() async throws -> Found? {
        for arn in try await taggedKeyArns().sorted() {
            let meta = try await api.json(.kms, "DescribeKey", ["KeyId": .string(arn)])["KeyMetadata"]
            guard let keyId = meta?["KeyId"]?.string, meta?["KeyState"]?.string == "Enabled" else { continue }
            let aliases = try await api.json(.kms, "ListAliases", ["KeyId": .string(keyId)])
            if aliases["Aliases"]?.array?.isEmpty ?? true {
                return Found(arn: meta?["Arn"]?.string ?? arn, keyId: keyId, state: "Enabled")
            }
        }
        return nil
    }

    /// ARNs of KMS keys carrying this instance's tags, every page; empty when the query is refused.
    private func taggedKeyArns() async throws -> [String] {
        var arns: [String] = []
        var token: String?
        repeat {
            var request: [String: JSONValue] = [
                "ResourceTypeFilters": ["kms"],
                "TagFilters": .array(
                    scope.ownerTags.keys.sorted().map {
                        ["Key": .string($0), "Values": [.string(scope.ownerTags[$0]!)]]
                    }),
            ]
            if let token { request["PaginationToken"] = .string(token) }
            let page: JSONValue
            do {
                page = try await api.json(.tagging, "GetResources", .object(request))
            } catch let error as CloudError where !error.isRetryable {
                return []
            }
            arns += (page["ResourceTagMappingList"]?.array ?? []).compactMap { $0["ResourceARN"]?.string }
            token = page["PaginationToken"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return arns
    }

    /// The key behind the alias, tag-checked: an alias pointing at a key that is not this instance's is refused.
    private func find() async throws -> Found? {
        let described = try await absent(on: "NotFoundException") {
            try await api.json(.kms, "DescribeKey", ["KeyId": .string(scope.names.keyAlias)])
        }
        guard let meta = described?["KeyMetadata"] else { return nil }
        let key = Found(
            arn: meta["Arn"]?.string ?? "", keyId: meta["KeyId"]?.string ?? "", state: meta["KeyState"]?.string ?? "")
        let tags = try await api.json(.kms, "ListResourceTags", ["KeyId": .string(key.keyId)])
        try scope.tagGuard.check(
            TagFormat.kms.parse(tags["Tags"]), resource: "KMS key \(scope.names.keyAlias)",
            operation: "kms:ListResourceTags")
        return key
    }
}

/// The fleet's archive key of the instance's region (`alias/cloudctl-<fleet>-archive`, tagged with the fleet alone).
/// Final snapshots are copied under it and the archive bucket is encrypted with it, so what a teardown keeps stays
/// readable after the instance key's deletion; cloudctl never disables or deletes it.
struct ArchiveKey {
    let scope: InstanceScope
    private var api: StepCalls { scope.api }
    private var alias: String { scope.names.archiveKeyAlias }

    /// Archive key ensures in flight, by endpoint, region and alias: concurrent teardowns make one key.
    private static let flights = SingleFlight<String>()

    /// Ensures the key exists, is ours and usable; returns its ARN.
    func ensure() async throws -> String {
        let flight = "\(api.client.endpoint(for: .kms).absoluteString) \(scope.region) \(alias)"
        return try await Self.flights.run(flight) { try await findOrCreate() }
    }

    private func findOrCreate() async throws -> String {
        if let arn = try await find() { return arn }
        let created = try await api.json(
            .kms, "CreateKey",
            [
                "Description": .string("cloudctl \(scope.names.fleet) archive: final snapshots and archived files"),
                "KeyUsage": "ENCRYPT_DECRYPT",
                "Tags": TagFormat.kms.json([ResourceTags.fleetKey: scope.names.fleet]),
            ])
        let keyId = created["KeyMetadata"]?["KeyId"]?.string ?? ""
        do {
            _ = try await api.json(.kms, "CreateAlias", ["AliasName": .string(alias), "TargetKeyId": .string(keyId)])
        } catch let error as CloudError where error.hasCode("AlreadyExistsException") {
            // Another process made the alias first: use its key, and retire ours, which encrypts nothing.
            _ = try await api.json(.kms, "ScheduleKeyDeletion", ["KeyId": .string(keyId), "PendingWindowInDays": 7])
            guard let arn = try await find() else {
                throw scope.missing("KMS key \(alias)", operation: "kms:DescribeKey")
            }
            return arn
        }
        return created["KeyMetadata"]?["Arn"]?.string ?? keyId
    }

    /// The key behind the alias after the fleet tag check, re-enabled if someone disabled it or scheduled its deletion
    /// (archives encrypted with it would otherwise be lost); nil when there is no alias.
    private func find() async throws -> String? {
        let described = try await absent(on: "NotFoundException") {
            try await api.json(.kms, "DescribeKey", ["KeyId": .string(alias)])
        }
        guard let meta = described?["KeyMetadata"], let keyId = meta["KeyId"]?.string else { return nil }
        let tags = try await api.json(.kms, "ListResourceTags", ["KeyId": .string(keyId)])
        try scope.tagGuard.checkFleet(
            TagFormat.kms.parse(tags["Tags"]), resource: "KMS key \(alias)",
            operation: "kms:ListResourceTags")
        let state = meta["KeyState"]?.string ?? ""
        if state == "PendingDeletion" { _ = try await api.json(.kms, "CancelKeyDeletion", ["KeyId": .string(keyId)]) }
        if state == "PendingDeletion" || state == "Disabled" {
            _ = try await api.json(.kms, "EnableKey", ["KeyId": .string(keyId)])
        }
        return meta["Arn"]?.string ?? keyId
    }
}
