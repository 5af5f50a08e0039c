/// An AWS service: its signing name and the protocol details the client needs.
public struct AWSService: Sendable, Hashable {
    /// SigV4 signing name, e.g. `ec2`, `secretsmanager`.
    public var signingName: String
    /// Query protocol API version (`2016-11-15` for EC2); nil for other protocols.
    public var apiVersion: String?
    /// JSON protocol target prefix (`AmazonEC2ContainerServiceV20141113`) and content type version (`1.1`).
    public var jsonTargetPrefix: String?
    public var jsonVersion: String?
    /// Global services (Route 53) sign for `us-east-1` whatever the configured region.
    public var globalRegion: String?

    public static let ec2 = AWSService(signingName: "ec2", apiVersion: "2016-11-15")
    public static let rds = AWSService(signingName: "rds", apiVersion: "2014-10-31")
    public static let ecs = AWSService(
        signingName: "ecs", jsonTargetPrefix: "AmazonEC2ContainerServiceV20141113", jsonVersion: "1.1")
    public static let kms = AWSService(signingName: "kms", jsonTargetPrefix: "TrentService", jsonVersion: "1.1")
    public static let secretsManager = AWSService(
        signingName: "secretsmanager", jsonTargetPrefix: "secretsmanager", jsonVersion: "1.1")
    /// Resource Groups Tagging API: finds resources by tag in one call.
    public static let tagging = AWSService(
        signingName: "tagging", jsonTargetPrefix: "ResourceGroupsTaggingAPI_20170126", jsonVersion: "1.1")
    public static let s3 = AWSService(signingName: "s3")
    public static let route53 = AWSService(signingName: "route53", globalRegion: "us-east-1")
    /// IAM is global: one endpoint, signed for `us-east-1`.
    public static let iam = AWSService(signingName: "iam", apiVersion: "2010-05-08", globalRegion: "us-east-1")
    public static let logs = AWSService(signingName: "logs", jsonTargetPrefix: "Logs_20140328", jsonVersion: "1.1")
}
