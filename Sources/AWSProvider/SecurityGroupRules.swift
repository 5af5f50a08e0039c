import FleetModel
import ProviderAPI

/// `security-rules`: who may reach the instance. The database gets its own group `P-db` that accepts PostgreSQL only
/// from the application's group `P`; the application's group accepts its port only from the fleet's `ingress`
/// sources. Both groups' inbound rules are converged to exactly these (anything else, say 0.0.0.0/0 added by hand,
/// is revoked); outbound rules are left as EC2 makes them. Returns the database group's id, which the database step
/// places the database in.
struct SecurityGroupRules {
    let scope: InstanceScope
    private var api: StepCalls { scope.api }

    /// One inbound rule, as EC2 describes it.
    struct Rule: Hashable {
        enum Source: Hashable {
            case group(String), cidr(String), cidr6(String), prefixList(String)
        }
        var ipProtocol: String
        var fromPort: Int?
        var toPort: Int?
        var source: Source

        static func tcp(_ port: Int, from source: Source) -> Rule {
            Rule(ipProtocol: "tcp", fromPort: port, toPort: port, source: source)
        }
    }

    func ensure() async throws -> String {
        guard let wanted = scope.step.after?.securityRules else {
            throw scope.missing("security rule attributes of the step", operation: "ec2:DescribeSecurityGroups")
        }
        let groupId = try await EC2Network(scope: scope).placing { network in
            try await converge(network, wanted)
        }
        // A database created before it had a group of its own moves into it (no restart: applied at once).
        if scope.identity.cloudIds[.database] != nil {
            try await RDSDatabase(scope: scope).place(in: groupId)
        }
        return groupId
    }

    private func converge(_ network: NetworkIds, _ wanted: SecurityRulesAttributes) async throws -> String {
        let groups = try await describe(vpc: network.vpc)
        for group in groups { try checkOwned(group) }
        let appGroup = groups.first { $0.value("groupId") == network.securityGroup }
        let databaseGroup = groups.first { $0.value("groupName") == scope.names.databaseSecurityGroup }
        // Stale recorded ids: `placing` looks the network up by its tags and runs this once more.
        guard let appGroup else {
            throw scope.missing("security group \(network.securityGroup)", operation: "ec2:DescribeSecurityGroups")
        }
        var databaseGroupId = databaseGroup?.value("groupId") ?? ""
        if databaseGroup == nil {
            let answer = try await api.query(
                .ec2, "CreateSecurityGroup",
                [
                    "GroupName": scope.names.databaseSecurityGroup,
                    "GroupDescription": "cloudctl \(scope.names.prefix) database", "VpcId": network.vpc,
                ].adding(QueryParams.tagSpecification("security-group", scope.tags)))
            guard let id = answer.descendants("groupId").first?.text, !id.isEmpty else {
                throw AWSClient.malformed("ec2:CreateSecurityGroup", "the answer carries no groupId")
            }
            databaseGroupId = id
        }
        let appSources = wanted.ingress.compactMap(IngressSource.init(parsing:)).map { source -> Rule.Source in
            switch source {
            case .securityGroup(let id): .group(id)
            case .cidr(let cidr): .cidr(cidr)
            }
        }
        try await converge(
            group: network.securityGroup, have: Self.rules(appGroup),
            want: Set(appSources.map { Rule.tcp(wanted.appPort, from: $0) }))
        try await converge(
            group: databaseGroupId, have: databaseGroup.map(Self.rules) ?? [],
            want: [Rule.tcp(wanted.databasePort, from: .group(network.securityGroup))])
        return databaseGroupId
    }

    /// Revokes what is not wanted, authorizes what is missing: one call each, only when needed.
    private func converge(group: String, have: Set<Rule>, want: Set<Rule>) async throws {
        let extra = have.subtracting(want).sorted { "\($0)" < "\($1)" }
        let missing = want.subtracting(have).sorted { "\($0)" < "\($1)" }
        if !extra.isEmpty {
            _ = try await api.query(
                .ec2, "RevokeSecurityGroupIngress", ["GroupId": group].adding(Self.permissions(extra)))
        }
        if !missing.isEmpty {
            do {
                _ = try await api.query(
                    .ec2, "AuthorizeSecurityGroupIngress", ["GroupId": group].adding(Self.permissions(missing)))
            } catch let error as CloudError where error.hasCode("InvalidPermission.Duplicate") {
                // Added meanwhile (a lost answer): what is wanted is there.
            }
        }
    }

    /// Removes the inbound rules of both groups and deletes the database's group; absent groups are fine. Runs after
    /// the database is gone (teardown order), so nothing uses the group any more.
    func delete() async throws {
        let network = try? await EC2Network(scope: scope).placing { $0 }
        guard let network else { return }
        let groups = try await describe(vpc: network.vpc)
        for group in groups { try checkOwned(group) }
        for group in groups {
            let id = group.value("groupId") ?? ""
            if group.value("groupName") == scope.names.databaseSecurityGroup {
                _ = try await absent(on: "InvalidGroup.NotFound") {
                    try await api.query(.ec2, "DeleteSecurityGroup", ["GroupId": id])
                }
            } else {
                try await converge(group: id, have: Self.rules(group), want: [])
            }
        }
    }

    /// The application's and the database's groups in the VPC (one call), each with its tags and inbound rules.
    private func describe(vpc: String) async throws -> [XMLNode] {
        try await api.query(
            .ec2, "DescribeSecurityGroups",
            [
                "Filter.1.Name": "vpc-id", "Filter.1.Value.1": vpc, "Filter.2.Name": "group-name",
                "Filter.2.Value.1": scope.names.securityGroup, "Filter.2.Value.2": scope.names.databaseSecurityGroup,
            ]
        ).items("securityGroupInfo")
    }

    private func checkOwned(_ group: XMLNode) throws {
        try scope.tagGuard.check(
            TagFormat.parse(xml: group.child("tagSet")),
            resource: "security group \(group.value("groupId") ?? "") (\(group.value("groupName") ?? ""))",
            operation: "ec2:DescribeSecurityGroups")
    }

    /// The inbound rules of a described group, one per source.
    static func rules(_ group: XMLNode) -> Set<Rule> {
        var rules: Set<Rule> = []
        for permission in group.child("ipPermissions")?.children ?? [] {
            let ipProtocol = permission.value("ipProtocol") ?? "-1"
            let from = permission.value("fromPort").flatMap { Int($0) }
            let to = permission.value("toPort").flatMap { Int($0) }
            func add(_ source: Rule.Source) {
                rules.insert(Rule(ipProtocol: ipProtocol, fromPort: from, toPort: to, source: source))
            }
            for item in permission.child("groups")?.children ?? [] { item.value("groupId").map { add(.group($0)) } }
            for item in permission.child("ipRanges")?.children ?? [] { item.value("cidrIp").map { add(.cidr($0)) } }
            for item in permission.child("ipv6Ranges")?.children ?? [] {
                item.value("cidrIpv6").map { add(.cidr6($0)) }
            }
            for item in permission.child("prefixListIds")?.children ?? [] {
                item.value("prefixListId").map { add(.prefixList($0)) }
            }
        }
        return rules
    }

    /// `IpPermissions.N.*` for `rules`, one permission per rule.
    static func permissions(_ rules: [Rule]) -> [String: String] {
        var params: [String: String] = [:]
        for (index, rule) in rules.enumerated() {
            let p = "IpPermissions.\(index + 1)."
            params[p + "IpProtocol"] = rule.ipProtocol
            if let from = rule.fromPort { params[p + "FromPort"] = String(from) }
            if let to = rule.toPort { params[p + "ToPort"] = String(to) }
            switch rule.source {
            case .group(let id): params[p + "Groups.1.GroupId"] = id
            case .cidr(let cidr): params[p + "IpRanges.1.CidrIp"] = cidr
            case .cidr6(let cidr): params[p + "Ipv6Ranges.1.CidrIpv6"] = cidr
            case .prefixList(let id): params[p + "PrefixListIds.1.PrefixListId"] = id
            }
        }
        return params
    }
}
