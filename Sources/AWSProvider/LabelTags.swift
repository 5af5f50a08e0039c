import FleetModel
import ProviderAPI

/// What a label step changes on a resource's tags: every label of the file is put (idempotent), and the label keys
/// applied before but gone from the file are removed. Nothing else: `cloudctl:` keys and tags someone else added stay.
struct LabelTagChange: Equatable {
    /// The labels to put, key → value.
    let put: [String: String]
    /// Label keys cloudctl applied before and the file no longer has, sorted.
    let remove: [String]

    init(before: [String: String], after: [String: String]) {
        // The loader refuses `cloudctl:` labels; skipping them here too keeps the ownership tags out of reach of a
        // hand-edited plan.
        put = after.filter { !Self.isOwn($0.key) }
        remove = before.keys.filter { after[$0] == nil && !Self.isOwn($0) }.sorted()
    }

    private static func isOwn(_ key: String) -> Bool { key.lowercased().hasPrefix(ResourceTags.ownPrefix) }

    /// The whole tag set for an API that replaces it (S3): `current` without the removed keys, with the labels put.
    func applied(to current: [String: String]) -> [String: String] {
        var tags = current
        for key in remove { tags[key] = nil }
        return tags.merging(put) { _, label in label }
    }

    /// Labels whose value `current` does not already carry: nothing to put when empty.
    func missing(from current: [String: String]) -> [String: String] { put.filter { current[$0.key] != $0.value } }

    /// Removed keys `current` still carries.
    func present(in current: [String: String]) -> [String] { remove.filter { current[$0] != nil } }
}

/// `update` with `StepDetail.labels`: re-tags one existing resource of the instance through its service's tagging API,
/// after checking its `cloudctl:` ownership tags like every other step (`TagGuard`). Covers exactly what the create
/// steps tag (docs/ARCHITECTURE.md "Resources, names and tags"); the DNS record carries no tags.
struct LabelTags {
    let scope: InstanceScope
    private var api: StepCalls { scope.api }
    private var names: ResourceNames { scope.names }

    /// Applies the step's label change; returns the note for the journal.
    func apply() async throws -> String {
        guard case .labels(let before, let after)? = scope.step.detail else {
            throw CloudError(
                kind: .validation, operation: "cloudctl:update \(scope.step.resource.rawValue)",
                code: "MalformedStep", message: "the step carries no labels")
        }
        let change = LabelTagChange(before: before, after: after)
        let kind = scope.step.resource
        switch kind {
        case .network:
            try await EC2Network(scope: scope).placing { ids in
                try await ec2(
                    [scope.identity.cloudIds[.network] ?? ids.vpc] + ids.subnets + [ids.securityGroup], change)
            }
        case .securityRules:
            guard let group = scope.identity.cloudIds[.securityRules] else {
                throw scope.missing("security group \(names.databaseSecurityGroup)", operation: "ec2:DescribeTags")
            }
            try await ec2([group], change)
        case .key: try await kms(change)
        case .bucket: try await S3Bucket(scope: scope).relabel(change)
        case .secret: try await secret(change)
        case .logGroup: try await logGroup(change)
        case .database: try await database(change)
        case .cluster, .taskDefinition, .service: try await ecs(kind, change)
        case .executionRole, .taskRole: try await role(kind, change)
        case .dnsRecord:
            throw CloudError(
                kind: .validation, operation: "cloudctl:update dns-record", code: "UnsupportedStep",
                message: "a DNS record carries no tags; its ownership is the TXT record")
        }
        return Self.note(change)
    }

    /// "labels put: env, team; removed: costcenter".
    static func note(_ change: LabelTagChange) -> String {
        var parts: [String] = []
        if !change.put.isEmpty { parts.append("labels put: " + change.put.keys.sorted().joined(separator: ", ")) }
        if !change.remove.isEmpty { parts.append("removed: " + change.remove.joined(separator: ", ")) }
        return parts.isEmpty ? "no labels to change" : parts.joined(separator: "; ")
    }

    // MARK: EC2 (VPC, subnets, security groups)

    private func ec2(_ ids: [String], _ change: LabelTagChange) async throws {
        var params = ["Filter.1.Name": "resource-id"]
        for (index, id) in ids.enumerated() { params["Filter.1.Value.\(index + 1)"] = id }
        let rows = try await api.query(.ec2, "DescribeTags", params).items("tagSet")
        var tags: [String: [String: String]] = [:]
        for row in rows {
            guard let id = row.value("resourceId"), let key = row.value("key") else { continue }
            tags[id, default: [:]][key] = row.value("value") ?? ""
        }
        for id in ids {
            // No tag at all: gone (stale recorded ids make `placing` look the network up again) or never ours.
            guard let current = tags[id] else {
                throw scope.missing("EC2 resource \(id)", operation: "ec2:DescribeTags")
            }
            try scope.tagGuard.check(current, resource: "EC2 resource \(id)", operation: "ec2:DescribeTags")
        }
        var resources: [String: String] = [:]
        for (index, id) in ids.enumerated() { resources["ResourceId.\(index + 1)"] = id }
        if !change.put.isEmpty {
            var put = resources
            for (index, key) in change.put.keys.sorted().enumerated() {
                put["Tag.\(index + 1).Key"] = key
                put["Tag.\(index + 1).Value"] = change.put[key]!
            }
            _ = try await api.query(.ec2, "CreateTags", put)
        }
        if !change.remove.isEmpty {
            var remove = resources
            // A key without a value deletes the tag whatever its value.
            for (index, key) in change.remove.enumerated() { remove["Tag.\(index + 1).Key"] = key }
            _ = try await api.query(.ec2, "DeleteTags", remove)
        }
    }

    // MARK: KMS

    private func kms(_ change: LabelTagChange) async throws {
        guard let key = scope.identity.cloudIds[.key] else {
            throw scope.missing("KMS key \(names.keyAlias)", operation: "kms:ListResourceTags")
        }
        let answer = try await api.json(.kms, "ListResourceTags", ["KeyId": .string(key)])
        let current = TagFormat.kms.parse(answer["Tags"])
        try scope.tagGuard.check(current, resource: "KMS key \(key)", operation: "kms:ListResourceTags")
        let put = change.missing(from: current)
        if !put.isEmpty {
            _ = try await api.json(.kms, "TagResource", ["KeyId": .string(key), "Tags": TagFormat.kms.json(put)])
        }
        let remove = change.present(in: current)
        if !remove.isEmpty {
            _ = try await api.json(
                .kms, "UntagResource", ["KeyId": .string(key), "TagKeys": .array(remove.map { .string($0) })])
        }
    }

    // MARK: Secrets Manager

    private func secret(_ change: LabelTagChange) async throws {
        let id = scope.identity.cloudIds[.secret] ?? names.secret
        let answer = try await api.json(.secretsManager, "DescribeSecret", ["SecretId": .string(id)])
        let current = TagFormat.secretsManager.parse(answer["Tags"])
        try scope.tagGuard.check(
            current, resource: "secret \(names.secret)", operation: "secretsmanager:DescribeSecret")
        let put = change.missing(from: current)
        if !put.isEmpty {
            _ = try await api.json(
                .secretsManager, "TagResource", ["SecretId": .string(id), "Tags": TagFormat.secretsManager.json(put)])
        }
        let remove = change.present(in: current)
        if !remove.isEmpty {
            _ = try await api.json(
                .secretsManager, "UntagResource",
                ["SecretId": .string(id), "TagKeys": .array(remove.map { .string($0) })])
        }
    }

    // MARK: CloudWatch Logs

    private func logGroup(_ change: LabelTagChange) async throws {
        let name = names.logGroup
        let answer = try await api.json(.logs, "ListTagsLogGroup", ["logGroupName": .string(name)])
        let current = (answer["tags"]?.object ?? [:]).compactMapValues(\.string)
        try scope.tagGuard.check(current, resource: "log group \(name)", operation: "logs:ListTagsLogGroup")
        let put = change.missing(from: current)
        if !put.isEmpty {
            _ = try await api.json(
                .logs, "TagLogGroup", ["logGroupName": .string(name), "tags": .object(put.mapValues { .string($0) })])
        }
        let remove = change.present(in: current)
        if !remove.isEmpty {
            _ = try await api.json(
                .logs, "UntagLogGroup", ["logGroupName": .string(name), "tags": .array(remove.map { .string($0) })])
        }
    }

    // MARK: RDS (the database and its DB subnet group)

    private func database(_ change: LabelTagChange) async throws {
        let id = names.database
        let databases = try await api.query(.rds, "DescribeDBInstances", ["DBInstanceIdentifier": id])
        guard let db = databases.items("DBInstances").first, let arn = db.value("DBInstanceArn") else {
            throw scope.missing("database \(id)", operation: "rds:DescribeDBInstances")
        }
        try scope.tagGuard.check(
            TagFormat.parse(xml: db.child("TagList")), resource: "database \(id)", operation: "rds:DescribeDBInstances")
        let group = names.dbSubnetGroup
        let groups = try await api.query(.rds, "DescribeDBSubnetGroups", ["DBSubnetGroupName": group])
        guard let groupArn = groups.items("DBSubnetGroups").first?.value("DBSubnetGroupArn") else {
            throw scope.missing("DB subnet group \(group)", operation: "rds:DescribeDBSubnetGroups")
        }
        let groupTags = try await api.query(.rds, "ListTagsForResource", ["ResourceName": groupArn])
        try scope.tagGuard.check(
            TagFormat.parse(xml: groupTags.descendants("TagList").first), resource: "DB subnet group \(group)",
            operation: "rds:ListTagsForResource")
        for resource in [arn, groupArn] {
            if !change.put.isEmpty {
                _ = try await api.query(
                    .rds, "AddTagsToResource", ["ResourceName": resource].adding(QueryParams.rdsTags(change.put)))
            }
            if !change.remove.isEmpty {
                _ = try await api.query(
                    .rds, "RemoveTagsFromResource",
                    ["ResourceName": resource].adding(QueryParams.list("TagKeys", element: "member", change.remove)))
            }
        }
    }

    // MARK: ECS (cluster, task definition, service)

    private func ecs(_ kind: ResourceKind, _ change: LabelTagChange) async throws {
        let (arn, current) = try await ecsTags(kind)
        let put = change.missing(from: current)
        if !put.isEmpty {
            _ = try await api.json(.ecs, "TagResource", ["resourceArn": .string(arn), "tags": TagFormat.ecs.json(put)])
        }
        let remove = change.present(in: current)
        if !remove.isEmpty {
            _ = try await api.json(
                .ecs, "UntagResource", ["resourceArn": .string(arn), "tagKeys": .array(remove.map { .string($0) })])
        }
    }

    /// The resource's ARN and tags, tag-checked.
    private func ecsTags(_ kind: ResourceKind) async throws -> (arn: String, tags: [String: String]) {
        let found: JSONValue?
        let tags: JSONValue?
        let what: String
        let operation: String
        // A service's description names its cluster's ARN too: each kind reads its own ARN field.
        let arnField: String
        switch kind {
        case .cluster:
            what = "ECS cluster \(names.cluster)"
            operation = "ecs:DescribeClusters"
            arnField = "clusterArn"
            let answer = try await api.json(
                .ecs, "DescribeClusters", ["clusters": [.string(names.cluster)], "include": ["TAGS"]])
            found = answer["clusters"]?.array?.first
            tags = found?["tags"]
        case .service:
            what = "ECS service \(names.service) in \(names.cluster)"
            operation = "ecs:DescribeServices"
            arnField = "serviceArn"
            let answer = try await api.json(
                .ecs, "DescribeServices",
                ["cluster": .string(names.cluster), "services": [.string(names.service)], "include": ["TAGS"]])
            found = answer["services"]?.array?.first
            tags = found?["tags"]
        default:
            // The revision the service runs, as recorded: the one the last create, update or deploy registered.
            let definition = scope.identity.cloudIds[.taskDefinition] ?? names.taskFamily
            what = "task definition \(definition)"
            operation = "ecs:DescribeTaskDefinition"
            arnField = "taskDefinitionArn"
            let answer = try await api.json(
                .ecs, "DescribeTaskDefinition", ["taskDefinition": .string(definition), "include": ["TAGS"]])
            found = answer["taskDefinition"]
            tags = answer["tags"]
        }
        guard let found, found["status"]?.string != "INACTIVE", let arn = found[arnField]?.string else {
            throw scope.missing(what, operation: operation)
        }
        let current = TagFormat.ecs.parse(tags)
        try scope.tagGuard.check(current, resource: what, operation: operation)
        return (arn, current)
    }

    // MARK: IAM roles

    private func role(_ kind: ResourceKind, _ change: LabelTagChange) async throws {
        let name = kind == .executionRole ? names.executionRole : names.taskRole
        let answer = try await api.query(.iam, "GetRole", ["RoleName": name])
        guard let role = answer.descendants("Role").first else {
            throw scope.missing("IAM role \(name)", operation: "iam:GetRole")
        }
        let current = TagFormat.parse(xml: role.child("Tags"))
        try scope.tagGuard.check(current, resource: "IAM role \(name)", operation: "iam:GetRole")
        let put = change.missing(from: current)
        if !put.isEmpty {
            _ = try await api.query(.iam, "TagRole", ["RoleName": name].adding(IAMRole.tags(put)))
        }
        let remove = change.present(in: current)
        if !remove.isEmpty {
            _ = try await api.query(
                .iam, "UntagRole", ["RoleName": name].adding(QueryParams.list("TagKeys", element: "member", remove)))
        }
    }
}
