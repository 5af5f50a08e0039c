import Foundation

/// The result of reading a fleet repository: whatever parsed, and every problem found.
public struct LoadedFleet: Sendable {
    public var fleet: Fleet?
    /// Specs that parsed and validated, sorted by name.
    public var specs: [InstanceSpec]
    /// Relative path of each spec's file, by instance name (for diagnostics downstream).
    public var files: [String: String]
    public var diagnostics: [Diagnostic]
    public init(fleet: Fleet?, specs: [InstanceSpec], files: [String: String], diagnostics: [Diagnostic]) {
        self.fleet = fleet; self.specs = specs; self.files = files; self.diagnostics = diagnostics
    }
}

/// Reads `Instances/_fleet.json` and `Instances/*.json` strictly.
public enum FleetLoader {
    /// Loads and validates the repository at `repo`; never throws for content problems, they are diagnostics.
    public static func load(repo: URL) -> LoadedFleet {
        // TODO(helper: FleetModel loading) — placeholder
        LoadedFleet(fleet: nil, specs: [], files: [:], diagnostics: [.error("not implemented")])
    }
}
