import FleetModel

/// `migrate database`: runs `<image>:<version> migrate` once as a Fargate task on the instance's cluster and
/// waits (bounded backoff) until it stopped with exit code 0. moto runs Fargate tasks without container instances.
struct ECSMigration {
    let scope: InstanceScope
    private var api: StepCalls { scope.api }

    /// Returns the task ARN of the finished migration.
    func run() async throws -> String {
        let definitions = ECSTaskDefinition(scope: scope)
        var shape = try definitions.appShape()
        shape.command = ["migrate"]
        let definition = try await definitions.ensure(family: scope.names.migrationFamily, shape: shape)
        let placement = try await EC2Network(scope: scope).placement()
        let started = try await api.json(.ecs, "RunTask", [
            "cluster": .string(scope.names.cluster), "taskDefinition": .string(definition), "count": 1,
            "launchType": "FARGATE", "startedBy": "cloudctl", "networkConfiguration": ECSService.awsvpc(placement),
            "tags": TagFormat.ecs.json(scope.tags),
        ])
        guard let taskArn = started["tasks"]?.array?.first?["taskArn"]?.string else {
            let reason = started["failures"]?.array?.first?["reason"]?.string ?? "no task started"
            throw CloudError(kind: .server, operation: "ecs:RunTask", code: "RunTaskFailed", message: "migration task did not start: \(reason)")
        }
        let task = try await scope.backoff.patient.poll("migration task \(taskArn)", operation: "ecs:DescribeTasks") {
            let answer = try await api.json(.ecs, "DescribeTasks", ["cluster": .string(scope.names.cluster), "tasks": [.string(taskArn)]])
            let task = answer["tasks"]?.array?.first
            return task?["lastStatus"]?.string == "STOPPED" ? task : nil
        }
        let exitCodes = task["containers"]?.array?.map { $0["exitCode"]?.int } ?? []
        guard !exitCodes.isEmpty, exitCodes.allSatisfy({ $0 == 0 }) else {
            throw CloudError(kind: .conflict, operation: "ecs:DescribeTasks", code: "MigrationFailed",
                             message: "migration to \(shape.image) stopped without success (exit codes \(exitCodes.map { $0.map(String.init) ?? "none" }), reason: \(task["stoppedReason"]?.string ?? "none")); the pre-upgrade snapshot is kept")
        }
        return taskArn
    }
}
