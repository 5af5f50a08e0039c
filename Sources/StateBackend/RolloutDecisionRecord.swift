import Foundation
import FleetModel

/// What a person (or `rollout advance`) decided about a wave of a release.
public enum RolloutDecisionKind: String, Sendable, Codable, CaseIterable {
    /// The wave's files were set to the release.
    case advance
    /// Someone approved the wave: it may start, or go past its failures.
    case approve
    /// The rollout stopped at the wave: more failures than its budget.
    case halt
}

/// One rollout decision as the state store keeps it; `cloudctl history` lists them with the operations.
public struct RolloutDecisionRecord: Sendable, Codable, Equatable {
    public var id: Int64
    public var version: Version
    public var kind: RolloutDecisionKind
    public var channel: String
    public var wave: String
    /// Instances the decision concerns (the files an advance edited, a halted wave's failed instances).
    public var instances: [String]
    /// Who decided (`user@host`).
    public var actor: String
    /// The reason in words, e.g. the closed gate.
    public var note: String?
    public var at: Date

    public init(
        id: Int64 = 0, version: Version, kind: RolloutDecisionKind, channel: String, wave: String,
        instances: [String] = [], actor: String, note: String? = nil, at: Date
    ) {
        self.id = id
        self.version = version
        self.kind = kind
        self.channel = channel
        self.wave = wave
        self.instances = instances
        self.actor = actor
        self.note = note
        self.at = at
    }
}
