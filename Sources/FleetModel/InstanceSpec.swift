/// What kind of customer an instance serves.
public enum InstanceType: String, Sendable, Codable, CaseIterable { case production, trial, `internal` }

/// Desired (or recorded) lifecycle state of an instance.
public enum InstanceState: String, Sendable, Codable, CaseIterable { case active, suspended, deleted }

/// Day of the week for a maintenance window, as written in instance files (`mon` … `sun`).
public enum Weekday: String, Sendable, Codable, CaseIterable { case mon, tue, wed, thu, fri, sat, sun }

/// A weekly window in which disruptive steps (upgrades, resizes, suspend, teardown) may run.
public struct MaintenanceWindow: Hashable, Sendable, Codable {
    public var day: Weekday
    /// Local start time `HH:MM` in `timeZone`.
    public var start: String
    /// Length, e.g. `"4h"` or `"90m"`; between 30 minutes and 24 hours.
    public var duration: String
    /// IANA time zone name, e.g. `Europe/Berlin`.
    public var timeZone: String

    public init(day: Weekday, start: String, duration: String, timeZone: String) {
        self.day = day
        self.start = start
        self.duration = duration
        self.timeZone = timeZone
    }
}

/// Trial-only settings.
public struct TrialSettings: Hashable, Sendable, Codable {
    /// Expiry date `YYYY-MM-DD`.
    public var expires: String
    public init(expires: String) { self.expires = expires }
}

/// One instance's desired state: the contents of `Instances/<name>.json`.
public struct InstanceSpec: Hashable, Sendable, Codable {
    public var name: String
    public var customer: String
    public var type: InstanceType
    public var version: Version
    public var size: String
    public var region: String
    public var domain: String
    public var channel: String
    public var state: InstanceState
    public var maintenanceWindow: MaintenanceWindow
    public var protected: Bool
    public var trial: TrialSettings?
    public var features: [String: Bool]
    public var labels: [String: String]

    public init(
        name: String, customer: String, type: InstanceType, version: Version, size: String, region: String,
        domain: String, channel: String, state: InstanceState, maintenanceWindow: MaintenanceWindow,
        protected: Bool = false, trial: TrialSettings? = nil, features: [String: Bool] = [:],
        labels: [String: String] = [:]
    ) {
        self.name = name
        self.customer = customer
        self.type = type
        self.version = version
        self.size = size
        self.region = region
        self.domain = domain
        self.channel = channel
        self.state = state
        self.maintenanceWindow = maintenanceWindow
        self.protected = protected
        self.trial = trial
        self.features = features
        self.labels = labels
    }
}

extension InstanceSpec {
    /// The environment variable a feature reaches the application as: `CLOUDCTL_FEATURE_` and the name in upper
    /// snake case (`auditLog` and `audit-log` → `CLOUDCTL_FEATURE_AUDIT_LOG`); nil when the name is not ASCII letters,
    /// digits, `-` or `_` starting with a letter, which no variable name could carry.
    public static func featureVariable(_ feature: String) -> String? {
        guard let first = feature.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic else { return nil }
        var name = "CLOUDCTL_FEATURE_"
        var previousLowerOrDigit = false
        for scalar in feature.unicodeScalars {
            guard scalar.isASCII else { return nil }
            let character = Character(scalar)
            if character == "-" || character == "_" {
                name.append("_")
                previousLowerOrDigit = false
            } else if character.isLetter || character.isNumber {
                if character.isUppercase && previousLowerOrDigit { name.append("_") }
                name.append(character.uppercased())
                previousLowerOrDigit = character.isLowercase || character.isNumber
            } else {
                return nil
            }
        }
        return name
    }
}
