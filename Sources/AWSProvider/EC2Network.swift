import FleetModel
import ProviderAPI

/// The instance network: a VPC, two subnets in two availability zones and one security group, all tagged.
/// The VPC is found by its tags, so a lookup only ever sees this instance's network.
struct EC2Network {
    let scope: InstanceScope
    static let vpcCidr = "10.0.0.0/16"
    static let subnetCidrs = ["10.0.0.0/20", "10.0.16.0/20"]

    /// Where RDS and ECS place their resources.
    struct Placement { var subnets: [String]; var securityGroup: String }

    private var api: StepCalls { scope.api }
    private var owned: [(String, String)] { QueryParams.ownedBy(scope.names) }

    /// Ensures VPC, subnets and security group exist; returns the VPC id.
    func ensure() async throws -> String {
        let vpcId: String
        if let found = try await findVPC() {
            vpcId = found
        } else {
            let created = try await api.query(.ec2, "CreateVpc", ["CidrBlock": Self.vpcCidr]
                .adding(QueryParams.tagSpecification("vpc", scope.tags)))
            vpcId = created.descendants("vpcId").first?.text ?? ""
        }
        // Private DNS names for the database and task ENIs (moto also needs it to give Fargate tasks an ENI). Set on every
        // ensure, not only after CreateVpc: one idempotent call repairs a crash between the two, as cheap as checking first.
        _ = try await api.query(.ec2, "ModifyVpcAttribute", ["VpcId": vpcId, "EnableDnsHostnames.Value": "true"])
        let subnets = try await api.query(.ec2, "DescribeSubnets", QueryParams.filters([("vpc-id", vpcId)])).items("subnetSet")
        let groups = try await securityGroups(vpcId: vpcId, named: true)
        // A subnet at one of our CIDRs, or a group of our name, is adopted only when tagged for this instance;
        // all are checked before anything is created, so a refusal leaves the network as it was.
        for subnet in subnets where Self.subnetCidrs.contains(subnet.value("cidrBlock") ?? "") {
            try checkOwned(subnet, "subnet")
        }
        for group in groups { try checkOwned(group, "security group") }
        let missing = Self.subnetCidrs.filter { cidr in !subnets.contains { $0.value("cidrBlock") == cidr } }
        if !missing.isEmpty {
            let used = Set(subnets.compactMap { $0.value("availabilityZone") })
            let zones = try await availabilityZones().filter { !used.contains($0) }
            guard zones.count >= missing.count else {
                throw CloudError(kind: .validation, operation: "ec2:DescribeAvailabilityZones", code: "TooFewAvailabilityZones",
                                 message: "region \(scope.region) has \(zones.count) available zone(s) besides those in use, but the network needs \(missing.count) more for its subnets in distinct zones (RDS needs two); choose a region with at least 2 availability zones")
            }
            for (cidr, zone) in zip(missing, zones) {
                _ = try await api.query(.ec2, "CreateSubnet", ["VpcId": vpcId, "CidrBlock": cidr, "AvailabilityZone": zone]
                    .adding(QueryParams.tagSpecification("subnet", scope.tags)))
            }
        }
        if groups.isEmpty {
            _ = try await api.query(.ec2, "CreateSecurityGroup", [
                "GroupName": scope.names.securityGroup, "GroupDescription": "cloudctl \(scope.names.prefix)", "VpcId": vpcId,
            ].adding(QueryParams.tagSpecification("security-group", scope.tags)))
        }
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

    /// Subnets and security group of this instance, by tag (two calls).
    func placement() async throws -> Placement {
        let subnets = try await api.query(.ec2, "DescribeSubnets", QueryParams.filters(owned)).items("subnetSet")
            .compactMap { $0.value("subnetId") }.sorted()
        let groups = try await api.query(.ec2, "DescribeSecurityGroups", QueryParams.filters(owned)).items("securityGroupInfo")
        guard !subnets.isEmpty, let group = groups.first?.value("groupId") else {
            throw scope.missing("network of \(scope.names.prefix)", operation: "ec2:DescribeSubnets")
        }
        return Placement(subnets: subnets, securityGroup: group)
    }

    /// `item` is a `subnetSet` or `securityGroupInfo` entry, which carries its `tagSet`.
    private func checkOwned(_ item: XMLNode, _ kind: String) throws {
        let id = item.value("subnetId") ?? item.value("groupId") ?? ""
        let detail = item.value("cidrBlock").map { " (\($0))" } ?? item.value("groupName").map { " (\($0))" } ?? ""
        try scope.tagGuard.check(TagFormat.parse(xml: item.child("tagSet")), resource: "\(kind) \(id)\(detail)",
                                 operation: kind == "subnet" ? "ec2:DescribeSubnets" : "ec2:DescribeSecurityGroups")
    }

    private func findVPC() async throws -> String? {
        let vpcs = try await api.query(.ec2, "DescribeVpcs", QueryParams.filters(owned)).items("vpcSet")
        // Tags are applied atomically with CreateVpc, so more than one means someone copied our tags; use the oldest id deterministically.
        return vpcs.compactMap { $0.value("vpcId") }.sorted().first
    }

    private func securityGroups(vpcId: String, named: Bool) async throws -> [XMLNode] {
        var filters = [("vpc-id", vpcId)]
        if named { filters.append(("group-name", scope.names.securityGroup)) }
        return try await api.query(.ec2, "DescribeSecurityGroups", QueryParams.filters(filters)).items("securityGroupInfo")
    }

    private func availabilityZones() async throws -> [String] {
        try await api.query(.ec2, "DescribeAvailabilityZones", QueryParams.filters([("state", "available")]))
            .items("availabilityZoneInfo").compactMap { $0.value("zoneName") }.sorted()
    }
}
