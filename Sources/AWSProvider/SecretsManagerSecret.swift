import Foundation
import FleetModel
import ProviderAPI

/// The database credentials in Secrets Manager, encrypted with the instance key. The generated password exists
/// only here: it is read back for `CreateDBInstance` and never returned, logged or recorded.
struct SecretsManagerSecret {
    let scope: InstanceScope
    static let username = "cloudctl"
    /// Recovery window on delete: a mistaken teardown can still be undone for a week.
    static let recoveryWindowDays = 7

    private var api: StepCalls { scope.api }

    /// Ensures the secret exists (restoring one scheduled for deletion); returns its ARN.
    func ensure() async throws -> String {
        // Recorded state without a secret means none is expected: it is created at once, and one there anyway
        // answers so and is judged like one found (tag check, restore).
        if scope.identity.cloudIds[.secret] == nil, let arn = try await create() { return arn }
        if let found = try await find() {
            if found["DeletedDate"] != nil {
                _ = try await api.json(.secretsManager, "RestoreSecret", ["SecretId": .string(scope.names.secret)])
            }
            return found["ARN"]?.string ?? scope.names.secret
        }
        guard let arn = try await create() else {
            throw CloudError(
                kind: .conflict, operation: "secretsmanager:CreateSecret", code: "ResourceExistsException",
                message: "secret \(scope.names.secret) exists but cannot be described; run apply again")
        }
        return arn
    }

    /// Creates the secret with a new password; returns its ARN, or nil when a secret of that name exists (scheduled
    /// for deletion or not).
    private func create() async throws -> String? {
        let password = PasswordGenerator.generate()
        let value = JSONValue.object(["username": .string(Self.username), "password": .string(password)])
        do {
            let created = try await redacting(password) {
                try await api.json(
                    .secretsManager, "CreateSecret",
                    [
                        "Name": .string(scope.names.secret),
                        "Description": .string("Database credentials of cloudctl instance \(scope.names.instance)"),
                        "KmsKeyId": .string(scope.names.keyAlias),
                        "SecretString": .string(String(decoding: value.serialized(), as: UTF8.self)),
                        "Tags": TagFormat.secretsManager.json(scope.tags),
                    ])
            }
            return created["ARN"]?.string ?? scope.names.secret
        } catch let error as CloudError where Self.meansExists(error) {
            return nil
        }
    }

    /// What CreateSecret answers for a name in use: `ResourceExistsException`, or `InvalidRequestException` when
    /// that secret is scheduled for deletion.
    static func meansExists(_ error: CloudError) -> Bool {
        error.hasCode("ResourceExistsException")
            || (error.hasCode("InvalidRequestException") && error.message.lowercased().contains("deletion"))
    }

    /// The stored password, for `CreateDBInstance` only.
    func password() async throws -> String {
        let answer = try await api.json(.secretsManager, "GetSecretValue", ["SecretId": .string(scope.names.secret)])
        guard let text = answer["SecretString"]?.string,
            let password = (try? JSONValue(parsing: Data(text.utf8)))?["password"]?.string
        else {
            throw CloudError(
                kind: .validation, operation: "secretsmanager:GetSecretValue", code: "MalformedSecret",
                message: "secret \(scope.names.secret) holds no JSON 'password' field")
        }
        return password
    }

    /// Schedules deletion; an absent (or already scheduled) secret is fine.
    func delete() async throws {
        guard let found = try await find(), found["DeletedDate"] == nil else { return }
        _ = try await api.json(
            .secretsManager, "DeleteSecret",
            [
                "SecretId": .string(scope.names.secret),
                "RecoveryWindowInDays": .number(Double(Self.recoveryWindowDays)),
            ])
    }

    private func find() async throws -> JSONValue? {
        let found = try await absent(on: "ResourceNotFoundException") {
            try await api.json(.secretsManager, "DescribeSecret", ["SecretId": .string(scope.names.secret)])
        }
        guard let found else { return nil }
        try scope.tagGuard.check(
            TagFormat.secretsManager.parse(found["Tags"]), resource: "secret \(scope.names.secret)",
            operation: "secretsmanager:DescribeSecret")
        return found
    }
}

/// Runs a call whose request carries `secret`, and scrubs the secret from any error the cloud echoes back.
func redacting<T>(_ secret: String, _ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch var error as CloudError {
        error.message = error.message.replacingOccurrences(of: secret, with: "<redacted>")
        error.code = error.code.replacingOccurrences(of: secret, with: "<redacted>")
        throw error
    } catch let error as CancellationError {
        throw error
    } catch {
        // Foreign error types may describe the request; replace them with a message that cannot contain it.
        throw CloudError(
            kind: .connection, operation: "request with a secret", code: "RequestFailed",
            message: String(describing: type(of: error)))
    }
}
