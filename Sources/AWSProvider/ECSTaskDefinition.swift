import FleetModel
import ProviderAPI

/// ECS task definitions: family `P` (the application) and `P-migrate` (the one-off migration), Fargate with awsvpc.
/// A new revision is registered only when image, command, cpu or memory differ from the latest one.
struct ECSTaskDefinition {
    let scope: InstanceScope
    private var api: StepCalls { scope.api }

    /// What a revision runs.
    struct Shape: Equatable {
        var image: String
        var cpu: Int
        var memory: Int
        var command: [String]? = nil
    }

    /// The application's shape for the task definition `attributes`.
    static func appShape(_ attributes: TaskDefinitionAttributes) -> Shape {
        Shape(image: attributes.imageReference, cpu: attributes.cpu, memory: attributes.memory)
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
        let registered = try await api.json(
            .ecs, "RegisterTaskDefinition",
            [
                "family": .string(family),
                "containerDefinitions": [.object(container)],
                "requiresCompatibilities": ["FARGATE"],
                "networkMode": "awsvpc",
                "cpu": .string(String(shape.cpu)),
                "memory": .string(String(shape.memory)),
                "tags": TagFormat.ecs.json(scope.tags),
            ])
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
            command: container?["command"]?.array.map { $0.compactMap { $0.string } }.flatMap { $0.isEmpty ? nil : $0 })
        return (definition["taskDefinitionArn"]?.string ?? family, shape)
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
