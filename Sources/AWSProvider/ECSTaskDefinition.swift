import FleetModel
import ProviderAPI

/// ECS task definitions: family `P` (the application) and `P-migrate` (the one-off migration), Fargate with awsvpc.
/// A new revision is registered only when what it runs (image, command, cpu, memory) or how it is wired (environment,
/// secrets, roles, logs, port) differs from the latest one.
struct ECSTaskDefinition {
    let scope: InstanceScope
    private var api: StepCalls { scope.api }

    /// What a revision runs.
    struct Shape: Equatable {
        var image: String
        var cpu: Int
        var memory: Int
        var command: [String]? = nil
        /// Plain values, by name.
        var environment: [String: String] = [:]
        /// Values ECS reads from Secrets Manager when it starts the task (`valueFrom`), by name: the definition
        /// holds where the password is, never the password.
        var secrets: [String: String] = [:]
        var executionRoleArn: String = ""
        var taskRoleArn: String = ""
        /// `awslogs` driver options (group, region, stream prefix); empty for none.
        var logOptions: [String: String] = [:]
        var containerPort: Int? = nil
    }

    /// The application's shape for the task definition `attributes`, without wiring (`wiredShape` adds it).
    static func appShape(_ attributes: TaskDefinitionAttributes) -> Shape {
        Shape(image: attributes.imageReference, cpu: attributes.cpu, memory: attributes.memory)
    }

    /// The shape with everything the container needs to run as this instance: the planned environment plus the
    /// database endpoint, bucket and key id, the password from the secret, both roles and the log group. The
    /// migration task (`streamPrefix` `migrate`) gets the same wiring.
    func wiredShape(_ attributes: TaskDefinitionAttributes, streamPrefix: String = "app") async throws -> Shape {
        var shape = Self.appShape(attributes)
        let database = try await RDSDatabase(scope: scope).endpoint()
        let keyArn = try await KMSKey(scope: scope).arn()
        shape.environment = attributes.environment.merging([
            "PGHOST": database.host, "PGPORT": String(database.port), "PGDATABASE": Self.databaseName,
            "PGUSER": SecretsManagerSecret.username, "CLOUDCTL_BUCKET": scope.names.bucket,
            "CLOUDCTL_KMS_KEY_ID": keyArn,
        ]) { planned, _ in planned }
        // `<arn>:<json key>::` (no version stage or id: the current value).
        shape.secrets = ["PGPASSWORD": "\(try scope.recordedSecretArn()):password::"]
        shape.executionRoleArn = try recordedRole(.executionRole, scope.names.executionRole)
        shape.taskRoleArn = try recordedRole(.taskRole, scope.names.taskRole)
        shape.logOptions = [
            "awslogs-group": scope.names.logGroup, "awslogs-region": scope.region,
            "awslogs-stream-prefix": streamPrefix,
        ]
        shape.containerPort = SecurityRulesAttributes.applicationPort
        return shape
    }

    /// RDS PostgreSQL's default database (cloudctl creates no other): what `PGDATABASE` names.
    static let databaseName = "postgres"

    private func recordedRole(_ kind: ResourceKind, _ name: String) throws -> String {
        guard let arn = scope.identity.cloudIds[kind], arn.hasPrefix("arn:") else {
            throw scope.missing("IAM role \(name)", operation: "iam:GetRole")
        }
        return arn
    }

    /// Ensures the latest revision of `family` has `shape`; returns its ARN.
    func ensure(family: String, shape: Shape) async throws -> String {
        if let latest = try await latest(family), latest.shape == shape { return latest.arn }
        // The single container may use all of the task's memory (moto also needs a container-level value to place
        // tasks).
        var container: [String: JSONValue] = [
            "name": "app", "image": .string(shape.image), "essential": true, "memory": .number(Double(shape.memory)),
        ]
        if let command = shape.command { container["command"] = .array(command.map { .string($0) }) }
        if !shape.environment.isEmpty { container["environment"] = Self.pairs(shape.environment, "value") }
        if !shape.secrets.isEmpty { container["secrets"] = Self.pairs(shape.secrets, "valueFrom") }
        if !shape.logOptions.isEmpty {
            container["logConfiguration"] = [
                "logDriver": "awslogs", "options": .object(shape.logOptions.mapValues { .string($0) }),
            ]
        }
        if let port = shape.containerPort {
            container["portMappings"] = [["containerPort": .number(Double(port)), "protocol": "tcp"]]
        }
        var request: [String: JSONValue] = [
            "family": .string(family),
            "containerDefinitions": [.object(container)],
            "requiresCompatibilities": ["FARGATE"],
            "networkMode": "awsvpc",
            "cpu": .string(String(shape.cpu)),
            "memory": .string(String(shape.memory)),
            "tags": TagFormat.ecs.json(scope.tags),
        ]
        if !shape.executionRoleArn.isEmpty { request["executionRoleArn"] = .string(shape.executionRoleArn) }
        if !shape.taskRoleArn.isEmpty { request["taskRoleArn"] = .string(shape.taskRoleArn) }
        let registered = try await api.json(.ecs, "RegisterTaskDefinition", .object(request))
        return registered["taskDefinition"]?["taskDefinitionArn"]?.string ?? family
    }

    /// Deregisters every active revision of the application and migration families; absent families are fine.
    func delete() async throws {
        for family in [scope.names.taskFamily, scope.names.migrationFamily] {
            guard try await latest(family) != nil else { continue }
            let listed = try await api.json(
                .ecs, "ListTaskDefinitions", ["familyPrefix": .string(family), "status": "ACTIVE"])
            // familyPrefix also matches longer families (another instance `acme-eu` under `acme`): keep exact matches
            // only.
            for arn in listed["taskDefinitionArns"]?.array?.compactMap(\.string) ?? []
            where Self.family(ofArn: arn) == family {
                _ = try await api.json(.ecs, "DeregisterTaskDefinition", ["taskDefinition": .string(arn)])
            }
        }
    }

    /// The latest active revision of `family`, tag-checked; nil when there is none.
    func latest(_ family: String) async throws -> (arn: String, shape: Shape)? {
        let answer: JSONValue?
        do {
            answer = try await api.json(
                .ecs, "DescribeTaskDefinition", ["taskDefinition": .string(family), "include": ["TAGS"]])
        } catch let error as CloudError
            where error.hasCode("ClientException") && error.message.contains(Self.absentMessage)
        {
            answer = nil
        }
        guard let answer, let definition = answer["taskDefinition"], definition["status"]?.string != "INACTIVE" else {
            return nil
        }
        try scope.tagGuard.check(
            TagFormat.ecs.parse(answer["tags"]), resource: "task definition \(family)",
            operation: "ecs:DescribeTaskDefinition")
        let container = definition["containerDefinitions"]?.array?.first
        let shape = Shape(
            image: container?["image"]?.string ?? "", cpu: Int(definition["cpu"]?.string ?? "") ?? 0,
            memory: Int(definition["memory"]?.string ?? "") ?? 0,
            command: container?["command"]?.array.map { $0.compactMap { $0.string } }.flatMap { $0.isEmpty ? nil : $0 },
            environment: Self.pairs(container?["environment"], "value"),
            secrets: Self.pairs(container?["secrets"], "valueFrom"),
            executionRoleArn: definition["executionRoleArn"]?.string ?? "",
            taskRoleArn: definition["taskRoleArn"]?.string ?? "",
            logOptions: (container?["logConfiguration"]?["options"]?.object ?? [:]).compactMapValues(\.string),
            containerPort: container?["portMappings"]?.array?.first?["containerPort"]?.int)
        return (definition["taskDefinitionArn"]?.string ?? family, shape)
    }

    /// ECS's `[{"name": …, "<valueKey>": …}]` lists, sorted by name so equal maps give equal requests.
    static func pairs(_ values: [String: String], _ valueKey: String) -> JSONValue {
        .array(values.keys.sorted().map { .object(["name": .string($0), valueKey: .string(values[$0]!)]) })
    }

    static func pairs(_ list: JSONValue?, _ valueKey: String) -> [String: String] {
        var values: [String: String] = [:]
        for item in list?.array ?? [] {
            if let name = item["name"]?.string { values[name] = item[valueKey]?.string ?? "" }
        }
        return values
    }

    /// What ECS (and moto) answers, as a `ClientException`, for a family without revisions; every other
    /// `ClientException` (bad request, missing permission …) is a real error.
    static let absentMessage = "Unable to describe task definition"

    /// `arn:…:task-definition/<family>:<revision>` → family.
    static func family(ofArn arn: String) -> String {
        let last = arn.split(separator: "/").last.map(String.init) ?? arn
        return last.split(separator: ":").dropLast().joined(separator: ":")
    }
}
