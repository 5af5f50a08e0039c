import FleetModel
import ProviderAPI

/// The instance network: a VPC, two subnets in two availability zones and one security group, all tagged.
/// The VPC is found by its tags, so a lookup only ever sees this instance's network.
struct EC2Network {
    let scope: InstanceScope
    static let vpcCidr = "10.0.0.0/16"
    static let subnetCidrs = ["10.0.0.0/20", "10.0.16.0/20"]

    private var api: StepCalls { scope.api }
    private var owned: [(String, String)] { QueryParams.ownedBy(scope.names) }

    /// Ensures VPC, subnets and security group exist; returns the VPC id and reports all their ids for the executor
    /// to record, so the database and service steps need not look them up again.
    func ensure() async throws -> String {
        var vpcId = ""
        var created = false
        if let found = try await findVPC() {
            vpcId = found
        } else {
            let answer = try await api.query(
                .ec2, "CreateVpc",
                ["CidrBlock": Self.vpcCidr]
                    .adding(QueryParams.tagSpecification("vpc", scope.tags)))
            vpcId = try Self.id(answer, "vpcId", operation: "ec2:CreateVpc")
            created = true
        }
        // Private DNS names for the database and task ENIs (moto also needs it to give Fargate tasks an ENI). Set on
        // every ensure, not only after CreateVpc: one idempotent call repairs a crash between the two, as cheap as
        // checking first.
        _ = try await api.query(.ec2, "ModifyVpcAttribute", ["VpcId": vpcId, "EnableDnsHostnames.Value": "true"])
        // A VPC made just now holds no subnets and only its default group: nothing to look up or to check.
        let subnets =
            created
            ? []
            : try await api.query(
                .ec2, "DescribeSubnets",
                QueryParams.filters([("vpc-id", vpcId)])
            ).items("subnetSet")
        let groups = created ? [] : try await securityGroups(vpcId: vpcId, named: true)
        // A subnet at one of our CIDRs, or a group of our name, is adopted only when tagged for this instance;
        // all are checked before anything is created, so a refusal leaves the network as it was.
        let ours = subnets.filter { Self.subnetCidrs.contains($0.value("cidrBlock") ?? "") }
        for subnet in ours { try checkOwned(subnet, "subnet") }
        for group in groups { try checkOwned(group, "security group") }
        var subnetIds = ours.compactMap { $0.value("subnetId") }
        let missing = Self.subnetCidrs.filter { cidr in !subnets.contains { $0.value("cidrBlock") == cidr } }
        if !missing.isEmpty {
            let used = Set(subnets.compactMap { $0.value("availabilityZone") })
            let zones = try await availabilityZones().filter { !used.contains($0) }
            guard zones.count >= missing.count else {
                throw CloudError(
                    kind: .validation, operation: "ec2:DescribeAvailabilityZones", code: "TooFewAvailabilityZones",
                    message:
                        "region \(scope.region) has \(zones.count) available zone(s) besides those in use, "
                        + "but the network needs \(missing.count) more for its subnets in distinct zones "
                        + "(RDS needs two); choose a region with at least 2 availability zones"
                )
            }
            for (cidr, zone) in zip(missing, zones) {
                let answer = try await api.query(
                    .ec2, "CreateSubnet",
                    [
                        "VpcId": vpcId, "CidrBlock": cidr, "AvailabilityZone": zone,
                    ].adding(QueryParams.tagSpecification("subnet", scope.tags)))
                subnetIds.append(try Self.id(answer, "subnetId", operation: "ec2:CreateSubnet"))
            }
        }
        let groupId: String
        if let group = groups.first {
            // Its own id, not one of the groups its rules name.
            guard let id = group.value("groupId") else {
                throw AWSClient.malformed("ec2:DescribeSecurityGroups", "a security group carries no groupId")
            }
            groupId = id
        } else {
            let answer = try await api.query(
                .ec2, "CreateSecurityGroup",
                [
                    "GroupName": scope.names.securityGroup, "GroupDescription": "cloudctl \(scope.names.prefix)",
                    "VpcId": vpcId,
                ].adding(QueryParams.tagSpecification("security-group", scope.tags)))
            groupId = try Self.id(answer, "groupId", operation: "ec2:CreateSecurityGroup")
        }
        scope.report.network = NetworkIds(vpc: vpcId, subnets: subnetIds, securityGroup: groupId)
        return vpcId
    }

    /// Deletes security groups, subnets and the VPC, in dependency order. An absent network is fine.
    func delete() async throws {
        guard let vpcId = try await findVPC() else { return }
        // Everything inside is checked before anything is deleted: one foreign resource stops the whole delete.
        let groups = try await securityGroups(vpcId: vpcId, named: false).filter { $0.value("groupName") != "default" }
        let subnets = try await api.query(.ec2, "DescribeSubnets", QueryParams.filters([("vpc-id", vpcId)]))
            .items("subnetSet")
        for group in groups { try checkOwned(group, "security group") }
        for subnet in subnets { try checkOwned(subnet, "subnet") }
        for group in groups {
            _ = try await api.query(.ec2, "DeleteSecurityGroup", ["GroupId": group.value("groupId") ?? ""])
        }
        for subnet in subnets {
            _ = try await api.query(.ec2, "DeleteSubnet", ["SubnetId": subnet.value("subnetId") ?? ""])
        }
        _ = try await api.query(.ec2, "DeleteVpc", ["VpcId": vpcId])
    }

    /// Runs `body` with the network's subnet and security group ids: the recorded ones, which cost no call. When
    /// there are none, or `body` fails with them (deleted by hand, from another account or region …), the network
    /// is looked up by this instance's tags (two calls) and `body` runs with what was found, once more only if that
    /// differs; ids looked up are reported for the executor to record.
    func placing<T>(_ body: (NetworkIds) async throws -> T) async throws -> T {
        guard let recorded = scope.identity.network else {
            let found = try await lookUp()
            scope.report.network = found
            return try await body(found)
        }
        do {
            return try await body(recorded)
        } catch let error as CloudError where Self.mayMeanStaleIds(error) {
            let found = try await lookUp()
            guard found != recorded else { throw error }
            scope.report.network = found
            return try await body(found)
        }
    }

    /// Errors a placement call answers when an id it names is gone or unusable: not found, invalid subnet or group,
    /// subnets of different VPCs. Throttling, server and auth errors are not: the network is not why they failed.
    static func mayMeanStaleIds(_ error: CloudError) -> Bool {
        [.notFound, .validation, .conflict].contains(error.kind)
    }

    /// Subnets and security group tagged for this instance (two calls).
    private func lookUp() async throws -> NetworkIds {
        let subnets = try await api.query(.ec2, "DescribeSubnets", QueryParams.filters(owned)).items("subnetSet")
        let groups = try await api.query(.ec2, "DescribeSecurityGroups", QueryParams.filters(owned))
            .items("securityGroupInfo")
        let subnetIds = subnets.compactMap { $0.value("subnetId") }
        guard !subnetIds.isEmpty, let group = groups.first?.value("groupId") else {
            throw scope.missing("network of \(scope.names.prefix)", operation: "ec2:DescribeSubnets")
        }
        return NetworkIds(vpc: subnets.first?.value("vpcId") ?? "", subnets: subnetIds, securityGroup: group)
    }

    /// The id `field` of a create answer or described item; an answer without it is malformed.
    private static func id(_ node: XMLNode, _ field: String, operation: String) throws -> String {
        guard let id = node.descendants(field).first?.text, !id.isEmpty else {
            throw AWSClient.malformed(operation, "the answer carries no \(field)")
        }
        return id
    }

    /// `item` is a `subnetSet` or `securityGroupInfo` entry, which carries its `tagSet`.
    private func checkOwned(_ item: XMLNode, _ kind: String) throws {
        let id = item.value("subnetId") ?? item.value("groupId") ?? ""
        let detail = item.value("cidrBlock").map { " (\($0))" } ?? item.value("groupName").map { " (\($0))" } ?? ""
        try scope.tagGuard.check(
            TagFormat.parse(xml: item.child("tagSet")), resource: "\(kind) \(id)\(detail)",
            operation: kind == "subnet" ? "ec2:DescribeSubnets" : "ec2:DescribeSecurityGroups")
    }

    private func findVPC() async throws -> String? {
        let vpcs = try await api.query(.ec2, "DescribeVpcs", QueryParams.filters(owned)).items("vpcSet")
        // Tags are applied atomically with CreateVpc, so more than one means someone copied our tags; use the oldest id
        // deterministically.
        return vpcs.compactMap { $0.value("vpcId") }.sorted().first
    }

    private func securityGroups(vpcId: String, named: Bool) async throws -> [XMLNode] {
        var filters = [("vpc-id", vpcId)]
        if named { filters.append(("group-name", scope.names.securityGroup)) }
        return try await api.query(.ec2, "DescribeSecurityGroups", QueryParams.filters(filters)).items(
            "securityGroupInfo")
    }

    /// The region's available zones, looked up once per provider and region: every network of a run needs them.
    private func availabilityZones() async throws -> [String] {
        try await scope.availabilityZones.value(for: scope.region) {
            try await api.query(.ec2, "DescribeAvailabilityZones", QueryParams.filters([("state", "available")]))
                .items("availabilityZoneInfo").compactMap { $0.value("zoneName") }.sorted()
        }
    }
}
