import FleetModel
import ProviderAPI

/// The ECS service `app` in cluster `P`: Fargate tasks of family `P` in the instance's subnets.
/// Suspend and resume change its desired count; deploy points it at a new task definition.
struct ECSService {
    let scope: InstanceScope
    private var api: StepCalls { scope.api }
    private var cluster: String { scope.names.cluster }
    private var name: String { scope.names.service }
    /// Every instance's service has the same name: only with its cluster does it name one service.
    private var qualifiedName: String { "\(cluster)/\(name)" }

    /// Ensures the service exists with `replicas` tasks; returns its ARN.
    func ensure() async throws -> String {
        let replicas = try scope.service().replicas
        // A cluster this run created holds no service, unless an earlier attempt of this step made one (its answer
        // lost): only then is there something to find.
        let newCluster = scope.created.contains(.cluster, cluster) && !scope.created.contains(.service, qualifiedName)
        if !newCluster, let found = try await find() {
            // The task definition step rolls only a recorded service; one a dead run left unrecorded is rolled here.
            if let latest = try await ECSTaskDefinition(scope: scope).latest(scope.names.taskFamily) {
                try await roll(found, to: latest.arn)
            }
            return try await scale(found, to: replicas)
        }
        scope.created.insert(.service, qualifiedName)
        let created = try await EC2Network(scope: scope).placing { placement in
            try await api.json(
                .ecs, "CreateService",
                [
                    "cluster": .string(cluster), "serviceName": .string(name),
                    // The family name means its latest active revision.
                    "taskDefinition": .string(scope.names.taskFamily),
                    "desiredCount": .number(Double(replicas)), "launchType": "FARGATE",
                    "networkConfiguration": Self.awsvpc(placement),
                    "propagateTags": "SERVICE", "tags": TagFormat.ecs.json(scope.tags),
                ])
        }
        return created["service"]?["serviceArn"]?.string ?? name
    }

    /// `update service`: replicas (suspend: 0, resume: the tier's).
    func update() async throws -> String {
        guard let found = try await find() else {
            throw scope.missing("service \(name) in \(cluster)", operation: "ecs:DescribeServices")
        }
        return try await scale(found, to: try scope.service().replicas)
    }

    /// Points an existing service at `taskDefinitionArn` (deploy / update task-definition); no service yet is fine.
    func roll(to taskDefinitionArn: String) async throws {
        guard let found = try await find() else { return }
        try await roll(found, to: taskDefinitionArn)
    }

    private func roll(_ found: JSONValue, to taskDefinitionArn: String) async throws {
        guard found["taskDefinition"]?.string != taskDefinitionArn else { return }
        // Sending the unchanged desiredCount is a no-op on ECS; moto only recomputes runningCount when it is present.
        _ = try await api.json(
            .ecs, "UpdateService",
            [
                "cluster": .string(cluster), "service": .string(name), "taskDefinition": .string(taskDefinitionArn),
                "desiredCount": found["desiredCount"] ?? .null,
            ])
    }

    func delete() async throws {
        guard try await find() != nil else { return }
        _ = try await api.json(
            .ecs, "DeleteService", ["cluster": .string(cluster), "service": .string(name), "force": true])
    }

    /// Waits (bounded backoff) until the service is ACTIVE on the task definition of `version` with all tasks running.
    /// ECS sets the service's `taskDefinition` to its primary deployment's; moto does not update `deployments` on
    /// UpdateService, so the service-level fields are what is compared.
    func healthCheck() async throws -> String {
        let taskDefinitions = ECSTaskDefinition(scope: scope)
        let expectedImage = try scope.expectedDeployment().imageReference
        guard let latest = try await taskDefinitions.latest(scope.names.taskFamily), latest.shape.image == expectedImage
        else {
            throw scope.missing("task definition of \(expectedImage)", operation: "ecs:DescribeTaskDefinition")
        }
        return try await scope.backoff.poll(
            "service \(name) to run \(expectedImage)", operation: "ecs:DescribeServices"
        ) {
            guard let service = try await find() else {
                throw scope.missing("service \(name) in \(cluster)", operation: "ecs:DescribeServices")
            }
            let primary = service["deployments"]?.array?.first { $0["status"]?.string == "PRIMARY" }
            if primary?["rolloutState"]?.string == "FAILED" {
                throw CloudError(
                    kind: .conflict, operation: "ecs:DescribeServices", code: "DeploymentFailed",
                    message:
                        "deployment of \(expectedImage) failed: "
                        + "\(primary?["rolloutStateReason"]?.string ?? "no reason given")"
                )
            }
            let running = service["runningCount"]?.int
            let desired = service["desiredCount"]?.int
            let healthy = service["taskDefinition"]?.string == latest.arn && (running == nil || running == desired)
            return healthy ? "\(running ?? 0)/\(desired ?? 0) tasks on \(expectedImage)" : nil
        }
    }

    private func scale(_ found: JSONValue, to replicas: Int) async throws -> String {
        if found["desiredCount"]?.int != replicas {
            _ = try await api.json(
                .ecs, "UpdateService",
                ["cluster": .string(cluster), "service": .string(name), "desiredCount": .number(Double(replicas))])
        }
        return found["serviceArn"]?.string ?? name
    }

    /// The active service, tag-checked; nil when it (or its cluster) is absent or being deleted.
    private func find() async throws -> JSONValue? {
        let answer = try await absent(on: "ClusterNotFoundException") {
            try await api.json(
                .ecs, "DescribeServices",
                ["cluster": .string(cluster), "services": [.string(name)], "include": ["TAGS"]])
        }
        guard let service = answer?["services"]?.array?.first, service["status"]?.string == "ACTIVE" else { return nil }
        try scope.tagGuard.check(
            TagFormat.ecs.parse(service["tags"]), resource: "ECS service \(name) in \(cluster)",
            operation: "ecs:DescribeServices")
        return service
    }

    /// Fargate networking in the instance's private subnets.
    static func awsvpc(_ placement: NetworkIds) -> JSONValue {
        [
            "awsvpcConfiguration": [
                "subnets": .array(placement.subnets.map { .string($0) }),
                "securityGroups": [.string(placement.securityGroup)],
                "assignPublicIp": "DISABLED",
            ]
        ]
    }
}
