import Foundation
import FleetModel
import ProviderAPI

/// RDS PostgreSQL `P` in DB subnet group `P`, encrypted with the instance key; the master password comes from Secrets
/// Manager.
struct RDSDatabase {
    let scope: InstanceScope
    static let engine = "postgres"

    private var api: StepCalls { scope.api }
    private var id: String { scope.names.database }

    /// `createTime` (ISO 8601, empty while creating) tells one incarnation of the database from a re-created one.
    struct Found {
        var status: String
        var instanceClass: String
        var storageGB: Int
        var createTime: String
        var backupRetentionDays: Int = 0
        var deletionProtection: Bool = false
        var securityGroups: [String] = []
        /// Host and port the application connects to; empty while creating.
        var address: String = ""
        var port: Int = 0
    }

    /// States that end in `available` by themselves; `ensure` waits them out (stopped/stopping are the planner's).
    static let settling: Set<String> = [
        "creating", "modifying", "backing-up", "rebooting", "starting", "upgrading",
        "configuring-enhanced-monitoring", "renaming", "resetting-master-credentials",
    ]
    /// States in which the database serves and accepts modify, stop and snapshot calls: `storage-optimization`
    /// follows a storage change and can last hours, so waiting for `available` alone would time out.
    static let usable: Set<String> = ["available", "storage-optimization"]

    /// Ensures the database exists with the step's class and storage and is available; returns its identifier.
    func ensure() async throws -> String {
        let attributes = try scope.database()
        // Recorded state without a database means none is expected: it is created at once, and one there anyway
        // (left by a run that died before recording it) answers "already exists" and is judged like one found.
        if scope.identity.cloudIds[.database] != nil, let found = try await find() {
            try await settle(found, attributes)
            return id
        }
        let status = try await EC2Network(scope: scope).placing { placement in
            try await ensureSubnetGroup(placement)
            return try await create(placement, attributes)
        }
        guard let status else {
            guard let found = try await find() else {
                throw CloudError(
                    kind: .conflict, operation: "rds:CreateDBInstance", code: "DBInstanceAlreadyExists",
                    message: "database \(id) exists but cannot be described; run apply again")
            }
            try await settle(found, attributes)
            return id
        }
        // Polled only while it is not usable yet (AWS answers "creating"; moto "available" at once).
        if !Self.usable.contains(status) { _ = try await waitUntilUsable() }
        return id
    }

    /// Creates the database in `placement`; returns its status as the answer gives it, nil when it already exists.
    private func create(_ placement: NetworkIds, _ attributes: DatabaseAttributes) async throws -> String? {
        let password = try await SecretsManagerSecret(scope: scope).password()
        // Its own group from the security-rules step; the application's group only for a plan made before it.
        let group = scope.identity.cloudIds[.securityRules] ?? placement.securityGroup
        do {
            let answer = try await redacting(password) {
                try await api.query(
                    .rds, "CreateDBInstance",
                    [
                        "DBInstanceIdentifier": id, "DBInstanceClass": attributes.databaseClass,
                        "Engine": Self.engine, "AllocatedStorage": String(attributes.storageGB),
                        "BackupRetentionPeriod": String(attributes.backupRetentionDays),
                        "DeletionProtection": attributes.deletionProtection ? "true" : "false",
                        "MasterUsername": SecretsManagerSecret.username,
                        "MasterUserPassword": password, "DBSubnetGroupName": scope.names.dbSubnetGroup,
                        "StorageEncrypted": "true", "KmsKeyId": scope.names.keyAlias,
                        "CopyTagsToSnapshot": "true", "PubliclyAccessible": "false",
                    ].adding(
                        QueryParams.list(
                            "VpcSecurityGroupIds", element: "VpcSecurityGroupId", [group])
                    )
                    .adding(QueryParams.rdsTags(scope.tags)))
            }
            return answer.descendants("DBInstanceStatus").first?.text ?? ""
        } catch let error as CloudError where error.hasCode("DBInstanceAlreadyExists", "DBInstanceAlreadyExistsFault") {
            return nil
        }
    }

    /// A database found: waits out a settling state, then converges class, storage, backups and protection.
    private func settle(_ found: Found, _ attributes: DatabaseAttributes) async throws {
        var found = found
        if Self.settling.contains(found.status) { found = try await waitUntilUsable() }
        try await converge(found, attributes)
    }

    /// `update database`: class, storage, backups, protection now (ApplyImmediately); a smaller storage is refused.
    func update() async throws -> String {
        guard let found = try await find() else {
            throw scope.missing("database \(id)", operation: "rds:DescribeDBInstances")
        }
        try await converge(found, try scope.database())
        return id
    }

    /// Puts the database in the security group `groupId` alone (the `security-rules` step, for a database created
    /// before it had its own group); nothing to do when it is there already or the database is gone.
    func place(in groupId: String) async throws {
        guard let found = try await find(), found.securityGroups != [groupId] else { return }
        if Self.settling.contains(found.status) { _ = try await waitUntilUsable() }
        _ = try await api.query(
            .rds, "ModifyDBInstance",
            ["DBInstanceIdentifier": id, "ApplyImmediately": "true"]
                .adding(QueryParams.list("VpcSecurityGroupIds", element: "VpcSecurityGroupId", [groupId])))
    }

    /// Where the application connects: the database's host and port.
    func endpoint() async throws -> (host: String, port: Int) {
        guard let found = try await find() else {
            throw scope.missing("database \(id)", operation: "rds:DescribeDBInstances")
        }
        guard !found.address.isEmpty else {
            throw CloudError(
                kind: .conflict, operation: "rds:DescribeDBInstances", code: "NoEndpoint",
                message: "database \(id) has no endpoint yet (status \(found.status)); run apply again once it is "
                    + "available")
        }
        return (found.address, found.port)
    }

    func stop() async throws {
        guard let found = try await find() else {
            throw scope.missing("database \(id)", operation: "rds:DescribeDBInstances")
        }
        if found.status == "stopped" || found.status == "stopping" { return }
        if !Self.usable.contains(found.status) { _ = try await waitUntilUsable() }
        _ = try await api.query(.rds, "StopDBInstance", ["DBInstanceIdentifier": id])
    }

    func start() async throws {
        guard let found = try await find() else {
            throw scope.missing("database \(id)", operation: "rds:DescribeDBInstances")
        }
        // StartDBInstance is refused while stopping: wait until stopped first.
        if found.status == "stopping" { _ = try await waitFor("stopped", in: ["stopped"]) }
        if found.status == "stopped" || found.status == "stopping" {
            _ = try await api.query(.rds, "StartDBInstance", ["DBInstanceIdentifier": id])
        }
        if !Self.usable.contains(found.status) { _ = try await waitUntilUsable() }
    }

    /// Takes (or finds) the manual snapshot `<P>-pre-upgrade-<version>-<creation stamp>` or
    /// `<P>-final-<creation stamp>` and waits until it is available. The stamp ties it to this incarnation of the
    /// database: a snapshot left by a torn-down earlier one (snapshots outlive teardown) never passes for this one's
    /// backup.
    func snapshot() async throws -> String {
        let purpose = try scope.snapshotPurpose()
        guard var found = try await find() else {
            throw scope.missing("database \(id)", operation: "rds:DescribeDBInstances")
        }
        // CreateDBSnapshot needs a usable database; a settling one (e.g. modifying after a class change) is waited out.
        if Self.settling.contains(found.status) { found = try await waitUntilUsable() }
        if case .final = purpose { return try await archiveFinal(found, takeIfMissing: true) }
        let snapshotId = try snapshotId(found, purpose: Self.snapshotLabel(purpose))
        try await take(snapshotId)
        return snapshotId
    }

    /// Creates the manual snapshot unless it exists, and waits until it is available.
    private func take(_ snapshotId: String) async throws {
        if try await snapshotStatus(snapshotId) == nil {
            _ = try await api.query(
                .rds, "CreateDBSnapshot",
                ["DBInstanceIdentifier": id, "DBSnapshotIdentifier": snapshotId]
                    .adding(QueryParams.rdsTags(scope.tags)))
        }
        _ = try await scope.backoff.patient.poll("snapshot \(snapshotId)", operation: "rds:DescribeDBSnapshots") {
            try await snapshotStatus(snapshotId) == "available" ? true : nil
        }
    }

    /// The final snapshot as it is kept: `<P>-final-<stamp>-archive`, a copy under the fleet's archive key
    /// (`ArchiveKey`) tagged with `cloudctl:retain-until`, so it stays restorable after the instance key is deleted.
    /// The instance-key snapshot it was copied from is deleted once the copy is available: it would become
    /// unreadable with that key. `takeIfMissing` takes that snapshot first; without it, a database with neither
    /// snapshot fails `NoFinalSnapshot`.
    private func archiveFinal(_ found: Found, takeIfMissing: Bool) async throws -> String {
        let sourceId = try snapshotId(found, purpose: "final")
        let archivedId = try snapshotId(found, purpose: "final", archived: true)
        if try await snapshotStatus(archivedId) == nil {
            let source = try await snapshotStatus(sourceId)
            guard source != nil || takeIfMissing else {
                throw CloudError(
                    kind: .validation, operation: "rds:DeleteDBInstance", code: "NoFinalSnapshot",
                    message: "database \(id) has no final snapshot \(archivedId); "
                        + "run 'snapshot database' with purpose=final first")
            }
            try await take(sourceId)
            let keyArn = try await ArchiveKey(scope: scope).ensure()
            do {
                _ = try await api.query(
                    .rds, "CopyDBSnapshot",
                    [
                        "SourceDBSnapshotIdentifier": sourceId, "TargetDBSnapshotIdentifier": archivedId,
                        "KmsKeyId": keyArn,
                    ].adding(QueryParams.rdsTags(try scope.archiveTags())))
            } catch let error as CloudError
                where error.hasCode("DBSnapshotAlreadyExists", "DBSnapshotAlreadyExistsFault")
            {
                // A lost answer: the copy exists, and is waited for below.
            }
        }
        _ = try await scope.backoff.patient.poll("snapshot \(archivedId)", operation: "rds:DescribeDBSnapshots") {
            try await snapshotStatus(archivedId) == "available" ? true : nil
        }
        _ = try await absent(on: "DBSnapshotNotFound", "DBSnapshotNotFoundFault") {
            try await api.query(.rds, "DeleteDBSnapshot", ["DBSnapshotIdentifier": sourceId])
        }
        return archivedId
    }

    /// Deletes the database (only once its final snapshot exists), waits until it is gone, then deletes its subnet
    /// group.
    func delete() async throws {
        if let found = try await find() {
            // A teardown begun by an older cloudctl may have left only the instance-key snapshot: archive it now.
            _ = try await archiveFinal(found, takeIfMissing: false)
            if found.deletionProtection && found.status != "deleting" {
                // The plan tears down only an instance whose protection was lifted by an applied change: a database
                // still protected (set by hand, or by an older record) is released here.
                _ = try await api.query(
                    .rds, "ModifyDBInstance",
                    ["DBInstanceIdentifier": id, "DeletionProtection": "false", "ApplyImmediately": "true"])
            }
            if found.status != "deleting" {
                _ = try await api.query(
                    .rds, "DeleteDBInstance", ["DBInstanceIdentifier": id, "SkipFinalSnapshot": "true"])
            }
            _ = try await scope.backoff.patient.poll("deletion of database \(id)", operation: "rds:DescribeDBInstances")
            {
                try await find() == nil ? true : nil
            }
        }
        guard try await subnetGroupOwned() else { return }
        _ = try await absent(on: "DBSubnetGroupNotFoundFault", "DBSubnetGroupNotFound") {
            try await api.query(.rds, "DeleteDBSubnetGroup", ["DBSubnetGroupName": scope.names.dbSubnetGroup])
        }
    }

    /// Creates the DB subnet group `P` unless this instance already has it. One of that name that is not tagged
    /// for this instance is refused, never changed (`CreateDBSubnetGroup` must not meet an existing group: moto
    /// replaces one).
    private func ensureSubnetGroup(_ placement: NetworkIds) async throws {
        if try await subnetGroupOwned() { return }
        do {
            _ = try await api.query(
                .rds, "CreateDBSubnetGroup",
                [
                    "DBSubnetGroupName": scope.names.dbSubnetGroup,
                    "DBSubnetGroupDescription": "cloudctl \(scope.names.prefix)",
                ].adding(QueryParams.list("SubnetIds", element: "SubnetIdentifier", placement.subnets))
                    .adding(QueryParams.rdsTags(scope.tags)))
        } catch let error as CloudError
            where error.hasCode("DBSubnetGroupAlreadyExists", "DBSubnetGroupAlreadyExistsFault")
        {
            // Created meanwhile (a concurrent run, or a lost answer): judged like one found.
            _ = try await subnetGroupOwned()
        }
    }

    /// True when the subnet group `P` exists and is this instance's; false when absent; throws when it is foreign.
    private func subnetGroupOwned() async throws -> Bool {
        let name = scope.names.dbSubnetGroup
        let answer = try await absent(on: "DBSubnetGroupNotFoundFault", "DBSubnetGroupNotFound") {
            try await api.query(.rds, "DescribeDBSubnetGroups", ["DBSubnetGroupName": name])
        }
        guard let group = answer?.items("DBSubnetGroups").first else { return false }
        guard let arn = group.value("DBSubnetGroupArn") else {
            throw AWSClient.malformed("rds:DescribeDBSubnetGroups", "DB subnet group \(name) has no DBSubnetGroupArn")
        }
        let tags = try await api.query(.rds, "ListTagsForResource", ["ResourceName": arn])
        try scope.tagGuard.check(
            TagFormat.parse(xml: tags.descendants("TagList").first),
            resource: "DB subnet group \(name)", operation: "rds:ListTagsForResource")
        return true
    }

    private func converge(_ found: Found, _ attributes: DatabaseAttributes) async throws {
        let (instanceClass, storageGB) = (attributes.databaseClass, attributes.storageGB)
        guard storageGB >= found.storageGB else {
            throw CloudError(
                kind: .validation, operation: "rds:ModifyDBInstance", code: "StorageShrink",
                message:
                    "database \(id) has \(found.storageGB) GiB; storage can only grow, not shrink to \(storageGB) GiB")
        }
        var params = ["DBInstanceIdentifier": id, "ApplyImmediately": "true"]
        if instanceClass != found.instanceClass { params["DBInstanceClass"] = instanceClass }
        if storageGB != found.storageGB { params["AllocatedStorage"] = String(storageGB) }
        if attributes.backupRetentionDays != found.backupRetentionDays {
            params["BackupRetentionPeriod"] = String(attributes.backupRetentionDays)
        }
        if attributes.deletionProtection != found.deletionProtection {
            params["DeletionProtection"] = attributes.deletionProtection ? "true" : "false"
        }
        guard params.count > 2 else { return }
        _ = try await api.query(.rds, "ModifyDBInstance", params)
        _ = try await waitUntilUsable()
    }

    /// The database, tag-checked; nil when absent.
    private func find() async throws -> Found? {
        let answer = try await absent(on: "DBInstanceNotFound", "DBInstanceNotFoundFault") {
            try await api.query(.rds, "DescribeDBInstances", ["DBInstanceIdentifier": id])
        }
        guard let db = answer?.items("DBInstances").first else { return nil }
        try scope.tagGuard.check(
            TagFormat.parse(xml: db.child("TagList")), resource: "database \(id)", operation: "rds:DescribeDBInstances")
        return Found(
            status: db.value("DBInstanceStatus") ?? "", instanceClass: db.value("DBInstanceClass") ?? "",
            storageGB: Int(db.value("AllocatedStorage") ?? "") ?? 0, createTime: db.value("InstanceCreateTime") ?? "",
            backupRetentionDays: Int(db.value("BackupRetentionPeriod") ?? "") ?? 0,
            deletionProtection: db.value("DeletionProtection") == "true",
            securityGroups: db.child("VpcSecurityGroups")?.children.compactMap { $0.value("VpcSecurityGroupId") } ?? [],
            address: db.child("Endpoint")?.value("Address") ?? "",
            port: Int(db.child("Endpoint")?.value("Port") ?? "") ?? 0)
    }

    /// `<P>-<purpose>-<creation stamp>`: the same on every retry or re-run of a step (so no second full snapshot),
    /// different for a re-created database (so an old incarnation's snapshot never counts as this one's).
    /// The purpose's part of a snapshot id: `final` or `pre-upgrade-<version>`.
    static func snapshotLabel(_ purpose: SnapshotPurpose) -> String {
        switch purpose {
        case .final: "final"
        case .preUpgrade(let version): "pre-upgrade-\(version)"
        }
    }

    /// `archived` names the archive-key copy of the final snapshot.
    private func snapshotId(_ found: Found, purpose: String, archived: Bool = false) throws -> String {
        guard !found.createTime.isEmpty else {
            throw CloudError(
                kind: .conflict, operation: "rds:DescribeDBInstances", code: "NoCreateTime",
                message:
                    "database \(id) has no creation time yet (status \(found.status)); "
                    + "run apply again once it is available"
            )
        }
        let stamp = ResourceNames.stamp(iso8601: found.createTime)
        return scope.names.snapshotId(purpose: purpose, suffix: archived ? "\(stamp)-archive" : stamp)
    }

    private func waitUntilUsable() async throws -> Found { try await waitFor("available", in: Self.usable) }

    private func waitFor(_ what: String, in statuses: Set<String>) async throws -> Found {
        try await scope.backoff.patient.poll("database \(id) to be \(what)", operation: "rds:DescribeDBInstances") {
            guard let found = try await find() else {
                throw scope.missing("database \(id)", operation: "rds:DescribeDBInstances")
            }
            return statuses.contains(found.status) ? found : nil
        }
    }

    private func snapshotStatus(_ snapshotId: String) async throws -> String? {
        try await absent(on: "DBSnapshotNotFound", "DBSnapshotNotFoundFault") {
            try await api.query(.rds, "DescribeDBSnapshots", ["DBSnapshotIdentifier": snapshotId]).items("DBSnapshots")
                .first?.value("Status")
        } ?? nil
    }
}
