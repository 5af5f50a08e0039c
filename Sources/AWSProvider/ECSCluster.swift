import FleetModel

/// The instance's ECS cluster `P`.
struct ECSCluster {
    let scope: InstanceScope
    private var api: StepCalls { scope.api }
    private var name: String { scope.names.cluster }

    /// Ensures the cluster is active; returns its ARN.
    func ensure() async throws -> String {
        if let arn = try await find() { return arn }
        let created = try await api.json(
            .ecs, "CreateCluster", ["clusterName": .string(name), "tags": TagFormat.ecs.json(scope.tags)])
        scope.created.insert(.cluster, name)
        return created["cluster"]?["clusterArn"]?.string ?? name
    }

    /// Deletes the cluster (its service is deleted first, in reverse resource order); an absent cluster is fine.
    func delete() async throws {
        guard try await find() != nil else { return }
        _ = try await api.json(.ecs, "DeleteCluster", ["cluster": .string(name)])
    }

    /// ARN of the active cluster, tag-checked; nil when absent or inactive.
    private func find() async throws -> String? {
        let answer = try await api.json(.ecs, "DescribeClusters", ["clusters": [.string(name)], "include": ["TAGS"]])
        guard let cluster = answer["clusters"]?.array?.first, cluster["status"]?.string == "ACTIVE" else { return nil }
        try scope.tagGuard.check(
            TagFormat.ecs.parse(cluster["tags"]), resource: "ECS cluster \(name)", operation: "ecs:DescribeClusters")
        return cluster["clusterArn"]?.string
    }
}
