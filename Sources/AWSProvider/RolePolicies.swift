import FleetModel

/// The ARNs an instance's role policies may name: its own secret, key, log group and bucket, and the fleet's image
/// repository. Nothing here is shared with another instance, so no policy can reach another tenant.
struct PolicySubjects: Equatable, Sendable {
    /// `aws`, `aws-cn`, `aws-us-gov`: taken from the key ARN, so the documents fit the account's partition.
    var partition: String
    var region: String
    var account: String
    var secretArn: String
    var keyArn: String
    var logGroup: String
    var bucket: String
    /// The fleet's image repository (`registry/path`, no tag).
    var image: String

    /// Partition, region and account of an ARN such as `arn:aws:kms:us-east-1:123456789012:key/…`; nil otherwise.
    static func parts(ofArn arn: String) -> (partition: String, region: String, account: String)? {
        let fields = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn", !fields[1].isEmpty, !fields[4].isEmpty else { return nil }
        return (String(fields[1]), String(fields[3]), String(fields[4]))
    }

    /// The log group's ARN with `:*`, which names its streams (CreateLogStream and PutLogEvents act on those).
    var logStreamsArn: String { "arn:\(partition):logs:\(region):\(account):log-group:\(logGroup):*" }
    var bucketArn: String { "arn:\(partition):s3:::\(bucket)" }

    /// The ECR repository ARN when the image lives in this account's ECR (`<account>.dkr.ecr.<region>.amazonaws.com/
    /// <repository>`); nil for any other registry, which ECS pulls without IAM.
    var ecrRepositoryArn: String? {
        guard let slash = image.firstIndex(of: "/") else { return nil }
        let host = image[..<slash].split(separator: ".")
        let repository = image[image.index(after: slash)...]
        guard host.count >= 6, host[1] == "dkr", host[2] == "ecr", host[4] == "amazonaws", !repository.isEmpty
        else { return nil }
        return "arn:\(partition):ecr:\(host[3]):\(host[0]):repository/\(repository)"
    }
}

/// The IAM documents of an instance's roles, generated from `PolicySubjects` alone (golden tests hold them).
/// `"*"` appears in one place only: `ecr:GetAuthorizationToken` acts on no resource, and AWS requires `*` for it.
enum RolePolicies {
    /// Name of the one inline policy each role carries.
    static let inlinePolicyName = "cloudctl"

    /// Trust: only ECS tasks of this account may assume the role (`aws:SourceAccount` guards against a confused
    /// deputy in another account).
    static func trust(_ subjects: PolicySubjects) -> JSONValue {
        document([
            [
                "Effect": "Allow", "Principal": ["Service": "ecs-tasks.amazonaws.com"], "Action": "sts:AssumeRole",
                "Condition": ["StringEquals": ["aws:SourceAccount": .string(subjects.account)]],
            ]
        ])
    }

    /// What ECS needs to start the instance's tasks: pull the image (ECR only), read the database secret and decrypt
    /// it with the instance key (through Secrets Manager only), write to the instance's log group.
    static func execution(_ subjects: PolicySubjects) -> JSONValue {
        var statements: [JSONValue] = []
        if let repository = subjects.ecrRepositoryArn {
            statements.append(
                statement(
                    "PullImage",
                    ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                    .string(repository)))
            // GetAuthorizationToken has no resource type: AWS accepts only "*" here.
            statements.append(statement("RegistryLogin", ["ecr:GetAuthorizationToken"], "*"))
        }
        statements.append(
            statement("ReadDatabaseSecret", ["secretsmanager:GetSecretValue"], .string(subjects.secretArn)))
        statements.append(
            statement(
                "DecryptDatabaseSecret", ["kms:Decrypt"], .string(subjects.keyArn),
                condition: [
                    "StringEquals": ["kms:ViaService": .string("secretsmanager.\(subjects.region).amazonaws.com")]
                ]))
        statements.append(
            statement("WriteLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], .string(subjects.logStreamsArn)))
        return document(statements)
    }

    /// What the application may do: list its bucket, read and write its objects, and use its key (the bucket's
    /// default encryption needs it).
    static func task(_ subjects: PolicySubjects) -> JSONValue {
        document([
            statement("ListBucket", ["s3:ListBucket"], .string(subjects.bucketArn)),
            statement(
                "ReadWriteObjects", ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                .string(subjects.bucketArn + "/*")),
            statement(
                "UseKey", ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], .string(subjects.keyArn)),
        ])
    }

    /// The compact, key-sorted text IAM receives (and golden tests compare).
    static func text(_ document: JSONValue) -> String { String(decoding: document.serialized(), as: UTF8.self) }

    private static func document(_ statements: [JSONValue]) -> JSONValue {
        ["Version": "2012-10-17", "Statement": .array(statements)]
    }

    private static func statement(
        _ sid: String, _ actions: [String], _ resource: JSONValue, condition: JSONValue? = nil
    ) -> JSONValue {
        var members: [String: JSONValue] = [
            "Sid": .string(sid), "Effect": "Allow", "Action": .array(actions.map { .string($0) }), "Resource": resource,
        ]
        if let condition { members["Condition"] = condition }
        return .object(members)
    }
}
