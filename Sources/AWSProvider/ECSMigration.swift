import FleetModel
import ProviderAPI

/// `migrate database`: runs `<image>:<version> migrate` once as a Fargate task on the instance's cluster and
/// waits (bounded backoff) until it stopped with exit code 0. moto runs Fargate tasks without container instances.
/// The task is started by `cloudctl-migrate-<version>`, so a re-run of the step (after a lost answer, a crash or a
/// wait timeout) waits on the task already running, or accepts one that already succeeded, instead of migrating twice.
/// Only when every earlier task failed is a new one started: re-running apply after a failed migration retries it.
/// RunTask carries a client token derived from instance, version and the number of failed tries, so a re-run after a
/// lost RunTask answer (before ListTasks shows the task) gets the same task from ECS instead of a second one.
struct ECSMigration {
    let scope: InstanceScope
    private var api: StepCalls { scope.api }
    private var cluster: JSONValue { .string(scope.names.cluster) }

    /// Returns the task ARN of the finished migration.
    func run() async throws -> String {
        let definitions = ECSTaskDefinition(scope: scope)
        let hop = try scope.migration()
        var shape = try await definitions.wiredShape(hop.task, streamPrefix: "migrate")
        shape.command = ["migrate"]
        let version = hop.task.version.description
        let startedBy = ResourceNames.migrationStartedBy(version: version)
        let earlier = try await earlierTasks(startedBy: startedBy)
        if let succeeded = earlier.first(where: { $0["lastStatus"]?.string == "STOPPED" && Self.succeeded($0) }) {
            return succeeded["taskArn"]?.string ?? ""
        }
        let taskArn: String
        if let running = earlier.first(where: { $0["lastStatus"]?.string != "STOPPED" })?["taskArn"]?.string {
            taskArn = running
        } else {
            // 64 hex digits: ECS's maximum.
            let clientToken = ContentHash.sha256Hex("\(scope.names.prefix)|\(version)|\(earlier.count)")
            taskArn = try await start(
                definition: try await definitions.ensure(family: scope.names.migrationFamily, shape: shape),
                startedBy: startedBy, clientToken: clientToken)
        }
        let task = try await scope.backoff.patient.poll("migration task \(taskArn)", operation: "ecs:DescribeTasks") {
            () -> JSONValue? in
            let task = try await describe([.string(taskArn)]).first
            return task?["lastStatus"]?.string == "STOPPED" ? task : nil
        }
        guard Self.succeeded(task) else {
            let exitCodes = task["containers"]?.array?.map { $0["exitCode"]?.int } ?? []
            throw CloudError(
                kind: .conflict, operation: "ecs:DescribeTasks", code: "MigrationFailed",
                message:
                    "migration to \(shape.image) stopped without success "
                    + "(exit codes \(exitCodes.map { $0.map(String.init) ?? "none" }), "
                    + "reason: \(task["stoppedReason"]?.string ?? "none")); the pre-upgrade snapshot is kept"
            )
        }
        return taskArn
    }

    private func start(definition: String, startedBy: String, clientToken: String) async throws -> String {
        let started = try await EC2Network(scope: scope).placing { placement in
            try await api.json(
                .ecs, "RunTask",
                [
                    "cluster": cluster, "taskDefinition": .string(definition), "count": 1,
                    "launchType": "FARGATE", "startedBy": .string(startedBy), "clientToken": .string(clientToken),
                    "networkConfiguration": ECSService.awsvpc(placement),
                    "tags": TagFormat.ecs.json(scope.tags),
                ])
        }
        guard let taskArn = started["tasks"]?.array?.first?["taskArn"]?.string else {
            let reason = started["failures"]?.array?.first?["reason"]?.string ?? "no task started"
            throw CloudError(
                kind: .server, operation: "ecs:RunTask", code: "RunTaskFailed",
                message: "migration task did not start: \(reason)")
        }
        return taskArn
    }

    /// Migration tasks to this version still known to ECS (stopped ones are kept for about an hour), both desired
    /// states. ECS allows `startedBy` only as the sole ListTasks filter, so tasks are listed by the migration family
    /// and desired status and picked by their described `startedBy`. moto leaves a task's desired status RUNNING after
    /// it stopped by itself, so its stopped tasks show up in the RUNNING list; `lastStatus` decides either way.
    private func earlierTasks(startedBy: String) async throws -> [JSONValue] {
        var arns: [JSONValue] = []
        for desired in ["RUNNING", "STOPPED"] {
            var token: String?
            repeat {
                var request: [String: JSONValue] = [
                    "cluster": cluster, "family": .string(scope.names.migrationFamily),
                    "desiredStatus": .string(desired),
                ]
                if let token { request["nextToken"] = .string(token) }
                let listed = try await api.json(.ecs, "ListTasks", .object(request))
                arns += (listed["taskArns"]?.array ?? []).filter { !arns.contains($0) }
                token = listed["nextToken"]?.string
            } while token != nil
        }
        var tasks: [JSONValue] = []
        for start in stride(from: 0, to: arns.count, by: 100) {  // DescribeTasks takes at most 100 tasks
            tasks += try await describe(Array(arns[start..<min(start + 100, arns.count)]))
        }
        return tasks.filter { $0["startedBy"]?.string == startedBy }
    }

    private func describe(_ arns: [JSONValue]) async throws -> [JSONValue] {
        try await api.json(.ecs, "DescribeTasks", ["cluster": cluster, "tasks": .array(arns)])["tasks"]?.array ?? []
    }

    /// Every container exited with 0.
    private static func succeeded(_ task: JSONValue) -> Bool {
        let exitCodes = task["containers"]?.array?.map { $0["exitCode"]?.int } ?? []
        return !exitCodes.isEmpty && exitCodes.allSatisfy { $0 == 0 }
    }
}
