import Foundation

/// Region, endpoint and credentials, resolved the AWS way.
public struct AWSConfig: Sendable {
    public var region: String
    /// `AWS_ENDPOINT_URL`: every service at this one endpoint (moto); nil means the real per-service endpoints.
    public var endpoint: URL?
    public var credentials: AWSCredentials
    public init(region: String, endpoint: URL?, credentials: AWSCredentials) { self.region = region; self.endpoint = endpoint; self.credentials = credentials }
}

/// Access key, secret and optional session token. `description` never shows the secret.
public struct AWSCredentials: Sendable, CustomStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId; self.secretAccessKey = secretAccessKey; self.sessionToken = sessionToken
    }
    public var description: String { "AWSCredentials(\(accessKeyId), secret: <redacted>)" }
}

extension AWSCredentials: CustomReflectable {
    /// `dump()` and debuggers see the key id only.
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyId": accessKeyId, "secretAccessKey": "<redacted>",
                                "sessionToken": sessionToken == nil ? "none" : "<redacted>"])
    }
}
