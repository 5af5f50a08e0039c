/// Cloud ids inside an instance's network that its database and service are placed in, as the network step last
/// reported them. Later steps use them instead of looking the network up again, and fall back to that lookup when a
/// call with them fails because they are gone.
public struct NetworkIds: Hashable, Sendable, Codable {
    /// The network's own id (the VPC), which the subnets and security group belong to.
    public var vpc: String
    /// Sorted, so equal networks compare equal.
    public var subnets: [String]
    public var securityGroup: String

    public init(vpc: String, subnets: [String], securityGroup: String) {
        self.vpc = vpc
        self.subnets = subnets.sorted()
        self.securityGroup = securityGroup
    }
}
