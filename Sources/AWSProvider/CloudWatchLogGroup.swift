import Foundation
import FleetModel
import ProviderAPI

/// The instance's CloudWatch Logs group `/cloudctl/<fleet>/<name>`, tagged, with the fleet's retention; the
/// containers write to it through the `awslogs` driver. A teardown keeps it (see `keep()`).
struct CloudWatchLogGroup {
    let scope: InstanceScope
    private var api: StepCalls { scope.api }
    private var name: String { scope.names.logGroup }

    /// Ensures the group exists with the step's retention; returns its name.
    func ensure() async throws -> String {
        guard let retention = scope.step.after?.logGroup?.retentionDays else {
            throw scope.missing("log group attributes of the step", operation: "logs:CreateLogGroup")
        }
        // Nothing recorded: create first; a group of that name answers "already exists" and is tag-checked.
        var exists = false
        if scope.identity.cloudIds[.logGroup] != nil { exists = try await owned() != nil }
        if !exists, try await !create() {
            throw CloudError(
                kind: .conflict, operation: "logs:CreateLogGroup", code: "ResourceAlreadyExistsException",
                message: "log group \(name) exists but its tags cannot be read; run apply again")
        }
        _ = try await api.json(
            .logs, "PutRetentionPolicy", ["logGroupName": .string(name), "retentionInDays": .number(Double(retention))])
        return name
    }

    /// Teardown: the group is not deleted. Its events stay for at least the fleet's retention (the shortest period
    /// CloudWatch offers that covers it), and it is tagged `cloudctl:retain-until`. CloudWatch expires events, never
    /// groups, so the emptied group waits for an expiry sweep; the note says so.
    func keep() async throws -> String {
        guard try await owned() != nil else { return "no log group \(name) to keep" }
        let retention = try scope.retention
        let kept = LogRetention.atLeast(retention.days)
        _ = try await api.json(
            .logs, "PutRetentionPolicy",
            ["logGroupName": .string(name), "retentionInDays": .number(Double(kept.days))])
        let tags = try scope.archiveTags()
        _ = try await api.json(
            .logs, "TagLogGroup",
            ["logGroupName": .string(name), "tags": .object(tags.mapValues { .string($0) })])
        let until = tags[ArchiveTags.retainUntilKey] ?? ""
        return "log group \(name) kept: events expire after \(kept.days) days (fleet retention \(retention)); "
            + "CloudWatch does not remove the emptied group, it stays tagged \(ArchiveTags.retainUntilKey)=\(until)"
    }

    /// Creates the group with the instance's tags; false when one of that name exists (then judged by its tags).
    private func create() async throws -> Bool {
        do {
            _ = try await api.json(
                .logs, "CreateLogGroup",
                ["logGroupName": .string(name), "tags": .object(scope.tags.mapValues { .string($0) })])
            return true
        } catch let error as CloudError where error.hasCode("ResourceAlreadyExistsException") {
            guard try await owned() != nil else { return false }
            return true
        }
    }

    /// The group's tags when it exists and is this instance's; nil when absent; throws when it is someone else's.
    private func owned() async throws -> [String: String]? {
        let answer = try await absent(on: "ResourceNotFoundException") {
            try await api.json(.logs, "ListTagsLogGroup", ["logGroupName": .string(name)])
        }
        guard let answer else { return nil }
        let tags = (answer["tags"]?.object ?? [:]).compactMapValues(\.string)
        try scope.tagGuard.check(tags, resource: "log group \(name)", operation: "logs:ListTagsLogGroup")
        return tags
    }
}
