import Foundation
import FleetModel
import ProviderAPI

/// One of an instance's IAM roles (`execution-role`, `task-role`): `P-execution` / `P-task` under the path
/// `/cloudctl/<fleet>/`, tagged like every resource, trusted by ECS tasks of this account, with one inline policy
/// generated from the instance's own ARNs (`RolePolicies`). A role of that name tagged for anyone else is refused.
struct IAMRole {
    let scope: InstanceScope
    let kind: ResourceKind

    private var api: StepCalls { scope.api }
    private var name: String { kind == .executionRole ? scope.names.executionRole : scope.names.taskRole }

    /// Ensures the role, its trust and its inline policy; returns the role ARN.
    func ensure() async throws -> String {
        let subjects = try await scope.policySubjects()
        let trust = RolePolicies.text(RolePolicies.trust(subjects))
        let policy = RolePolicies.text(
            kind == .executionRole ? RolePolicies.execution(subjects) : RolePolicies.task(subjects))
        // Nothing recorded: create first; a role of that name answers "already exists" and is judged like one found.
        var arn = scope.identity.cloudIds[kind] == nil ? try await create(trust: trust) : nil
        if arn == nil {
            if let found = try await find() {
                // The trust is rewritten rather than compared: one call either way, and it repairs a hand edit.
                _ = try await api.query(
                    .iam, "UpdateAssumeRolePolicy", ["RoleName": name, "PolicyDocument": trust])
                arn = found
            } else {
                arn = try await create(trust: trust)
            }
        }
        guard let arn else {
            throw CloudError(
                kind: .conflict, operation: "iam:CreateRole", code: "EntityAlreadyExists",
                message: "role \(name) exists but cannot be read; run apply again")
        }
        _ = try await api.query(
            .iam, "PutRolePolicy",
            ["RoleName": name, "PolicyName": RolePolicies.inlinePolicyName, "PolicyDocument": policy])
        return arn
    }

    /// Deletes the role's inline policies, then the role; an absent role is fine.
    func delete() async throws {
        guard try await find() != nil else { return }
        let listed = try await api.query(.iam, "ListRolePolicies", ["RoleName": name])
        for policy in listed.items("PolicyNames").compactMap(\.text) {
            _ = try await absent(on: "NoSuchEntity") {
                try await api.query(.iam, "DeleteRolePolicy", ["RoleName": name, "PolicyName": policy])
            }
        }
        _ = try await absent(on: "NoSuchEntity") { try await api.query(.iam, "DeleteRole", ["RoleName": name]) }
    }

    /// Creates the role; nil when one of that name exists.
    private func create(trust: String) async throws -> String? {
        do {
            let answer = try await api.query(
                .iam, "CreateRole",
                [
                    "RoleName": name, "Path": scope.names.rolePath, "AssumeRolePolicyDocument": trust,
                    "Description": "cloudctl \(kind.rawValue) of \(scope.names.prefix)",
                ].adding(Self.tags(scope.tags)))
            return answer.descendants("Arn").first?.text ?? name
        } catch let error as CloudError where error.hasCode("EntityAlreadyExists") {
            return nil
        }
    }

    /// The role's ARN, tag-checked; nil when absent.
    private func find() async throws -> String? {
        let answer = try await absent(on: "NoSuchEntity") {
            try await api.query(.iam, "GetRole", ["RoleName": name])
        }
        guard let role = answer?.descendants("Role").first else { return nil }
        try scope.tagGuard.check(
            TagFormat.parse(xml: role.child("Tags")), resource: "IAM role \(name)", operation: "iam:GetRole")
        return role.value("Arn") ?? name
    }

    /// IAM `Tags.member.N.Key` / `.Value`.
    static func tags(_ tags: [String: String]) -> [String: String] {
        var params: [String: String] = [:]
        for (i, k) in tags.keys.sorted().enumerated() {
            params["Tags.member.\(i + 1).Key"] = k
            params["Tags.member.\(i + 1).Value"] = tags[k]!
        }
        return params
    }
}

extension InstanceScope {
    /// The ARNs the role policies name. The secret's ARN is the one its step recorded; the key's is recorded too
    /// (checked with one call unless this run created it).
    func policySubjects() async throws -> PolicySubjects {
        let keyArn = try await KMSKey(scope: self).arn()
        guard let parts = PolicySubjects.parts(ofArn: keyArn) else {
            throw AWSClient.malformed("kms:DescribeKey", "the key ARN \(keyArn) names no partition or account")
        }
        return PolicySubjects(
            partition: parts.partition, region: region, account: parts.account, secretArn: try recordedSecretArn(),
            keyArn: keyArn, logGroup: names.logGroup, bucket: names.bucket, image: step.after?.role?.image ?? "")
    }

    /// The secret's ARN as its step recorded it.
    func recordedSecretArn() throws -> String {
        guard let arn = identity.cloudIds[.secret], arn.hasPrefix("arn:") else {
            throw missing("secret \(names.secret)", operation: "secretsmanager:DescribeSecret")
        }
        return arn
    }
}
