import Foundation

/// Region, endpoint and credentials, resolved the AWS way.
public struct AWSConfig: Sendable {
    public var region: String
    /// `AWS_ENDPOINT_URL`: every service at this one endpoint (moto); nil means the real per-service endpoints.
    public var endpoint: URL?
    public var credentials: AWSCredentials
    /// Longest wait for one call's answer (`CLOUDCTL_REQUEST_TIMEOUT`): a silent endpoint fails the call, not hangs it.
    public var requestTimeout: Duration
    /// Longest one step may take, waits included (`CLOUDCTL_STEP_TIMEOUT`): RDS creates and snapshots are slow.
    public var stepTimeout: Duration
    /// At most this many calls per second per region (`apply --max-rate`), adaptive on throttling; nil: no limit.
    public var maxRate: Double?
    /// Hears when a region's rate falls after throttling or recovers (the progress output shows it).
    public var onRateNotice: (@Sendable (APIRateLimiter.Notice) -> Void)?

    public static let defaultRequestTimeout: Duration = .seconds(30)
    public static let defaultStepTimeout: Duration = .seconds(45 * 60)

    public init(
        region: String, endpoint: URL?, credentials: AWSCredentials,
        requestTimeout: Duration = AWSConfig.defaultRequestTimeout,
        stepTimeout: Duration = AWSConfig.defaultStepTimeout
    ) {
        self.region = region
        self.endpoint = endpoint
        self.credentials = credentials
        self.requestTimeout = requestTimeout
        self.stepTimeout = stepTimeout
    }
}

/// Access key, secret and optional session token. `description` never shows the secret.
public struct AWSCredentials: Sendable, CustomStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
    public var description: String { "AWSCredentials(\(accessKeyId), secret: <redacted>)" }
}

extension AWSCredentials: CustomReflectable {
    /// `dump()` and debuggers see the key id only.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "accessKeyId": accessKeyId, "secretAccessKey": "<redacted>",
                "sessionToken": sessionToken == nil ? "none" : "<redacted>",
            ])
    }
}
