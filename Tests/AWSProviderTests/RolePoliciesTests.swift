import XCTest

@testable import AWSProvider

/// Golden documents of the role policy generator: any change to what a role may do shows up here, in review.
final class RolePoliciesTests: XCTestCase {
    private let acme = PolicySubjects(
        partition: "aws", region: "us-east-1", account: "123456789012",
        secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:cloudctl/demo/acme/database-AbCdEf",
        keyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        logGroup: "/cloudctl/demo/acme", bucket: "cloudctl-demo-acme", image: "registry.example.com/acme/app")

    func testTrustAllowsOnlyECSTasksOfTheAccount() {
        XCTAssertEqual(
            RolePolicies.text(RolePolicies.trust(acme)),
            #"{"Statement":[{"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"#
                + #""123456789012"}},"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"}}],"#
                + #""Version":"2012-10-17"}"#)
    }

    func testExecutionRoleReadsTheSecretDecryptsThroughSecretsManagerAndWritesItsLogs() {
        XCTAssertEqual(
            RolePolicies.text(RolePolicies.execution(acme)),
            #"{"Statement":["#
                + #"{"Action":["secretsmanager:GetSecretValue"],"Effect":"Allow","#
                + #""Resource":"arn:aws:secretsmanager:us-east-1:123456789012:"#
                + #"secret:cloudctl/demo/acme/database-AbCdEf","#
                + #""Sid":"ReadDatabaseSecret"},"#
                + #"{"Action":["kms:Decrypt"],"Condition":{"StringEquals":{"kms:ViaService":"#
                + #""secretsmanager.us-east-1.amazonaws.com"}},"Effect":"Allow","#
                + #""Resource":"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab","#
                + #""Sid":"DecryptDatabaseSecret"},"#
                + #"{"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Effect":"Allow","#
                + #""Resource":"arn:aws:logs:us-east-1:123456789012:log-group:/cloudctl/demo/acme:*","#
                + #""Sid":"WriteLogs"}],"Version":"2012-10-17"}"#)
    }

    /// An image in the account's ECR adds the pull statement for that repository and the registry login, the one
    /// action AWS accepts only on `*`.
    func testExecutionRoleOfAnECRImagePullsOnlyItsRepository() {
        var subjects = acme
        subjects.image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/app"
        let text = RolePolicies.text(RolePolicies.execution(subjects))
        XCTAssertTrue(
            text.hasPrefix(
                #"{"Statement":[{"Action":["ecr:BatchCheckLayerAvailability","ecr:BatchGetImage","#
                    + #""ecr:GetDownloadUrlForLayer"],"Effect":"Allow","#
                    + #""Resource":"arn:aws:ecr:us-east-1:123456789012:repository/acme/app","Sid":"PullImage"},"#
                    + #"{"Action":["ecr:GetAuthorizationToken"],"Effect":"Allow","Resource":"*","#
                    + #""Sid":"RegistryLogin"},{"Action":["secretsmanager:GetSecretValue"]"#),
            text)
    }

    func testTaskRoleUsesOnlyItsBucketAndKey() {
        XCTAssertEqual(
            RolePolicies.text(RolePolicies.task(acme)),
            #"{"Statement":["#
                + #"{"Action":["s3:ListBucket"],"Effect":"Allow","Resource":"arn:aws:s3:::cloudctl-demo-acme","#
                + #""Sid":"ListBucket"},"#
                + #"{"Action":["s3:DeleteObject","s3:GetObject","s3:PutObject"],"Effect":"Allow","#
                + #""Resource":"arn:aws:s3:::cloudctl-demo-acme/*","Sid":"ReadWriteObjects"},"#
                + #"{"Action":["kms:Decrypt","kms:Encrypt","kms:GenerateDataKey"],"Effect":"Allow","#
                + #""Resource":"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab","#
                + #""Sid":"UseKey"}],"Version":"2012-10-17"}"#)
    }

    /// Every resource a document names is one of the instance's own ARNs (or `*` for the registry login alone).
    func testNoDocumentNamesAnythingButTheInstanceOwnResources() throws {
        var subjects = acme
        subjects.image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/app"
        let own: Set<String> = [
            subjects.secretArn, subjects.keyArn, subjects.logStreamsArn, subjects.bucketArn, subjects.bucketArn + "/*",
            subjects.ecrRepositoryArn!,
        ]
        for document in [RolePolicies.execution(subjects), RolePolicies.task(subjects)] {
            for statement in document["Statement"]?.array ?? [] {
                let resource = try XCTUnwrap(statement["Resource"]?.string)
                let actions = statement["Action"]?.array?.compactMap(\.string) ?? []
                if resource == "*" {
                    XCTAssertEqual(actions, ["ecr:GetAuthorizationToken"])
                } else {
                    XCTAssertTrue(own.contains(resource), resource)
                }
            }
        }
    }

    func testARNPartsAndECRRepositories() {
        let parts = PolicySubjects.parts(ofArn: "arn:aws-cn:kms:cn-north-1:210987654321:key/k")
        XCTAssertEqual(parts?.partition, "aws-cn")
        XCTAssertEqual(parts?.account, "210987654321")
        XCTAssertNil(PolicySubjects.parts(ofArn: "alias/cloudctl-demo-acme"))
        let cases: [(image: String, repository: String?)] = [
            ("registry.example.com/acme/app", nil),
            ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app", "arn:aws:ecr:eu-west-1:123456789012:repository/app"),
            ("ghcr.io/acme/app", nil),
            ("123456789012.dkr.ecr.eu-west-1.amazonaws.com", nil),
        ]
        for (image, repository) in cases {
            var subjects = acme
            subjects.image = image
            XCTAssertEqual(subjects.ecrRepositoryArn, repository, image)
        }
    }

    func testRoleNamesFitIAMsLimit() {
        let names = ResourceNames(fleet: String(repeating: "f", count: 30), instance: String(repeating: "i", count: 40))
        XCTAssertLessThanOrEqual(names.executionRole.count, 64)
        XCTAssertNotEqual(names.executionRole, names.taskRole)
        XCTAssertEqual(ResourceNames(fleet: "demo", instance: "acme").executionRole, "cloudctl-demo-acme-execution")
        XCTAssertEqual(ResourceNames(fleet: "demo", instance: "acme").taskRole, "cloudctl-demo-acme-task")
    }
}
