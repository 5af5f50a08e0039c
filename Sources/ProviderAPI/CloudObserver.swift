import FleetModel

/// What to read from the cloud: every resource tagged for `fleet` in `regions`, and the records in `dnsZones`.
public struct ObservationRequest: Hashable, Sendable {
    public var fleet: String
    public var regions: Set<String>
    /// Route 53 records carry no tags: their ownership TXT names the instance, so whole zones are read.
    public var dnsZones: Set<String>
    /// The instances cloudctl knows (files and records) and their regions: global resources (S3 buckets) are read in
    /// their instance's region; only those of unknown instances need a location call.
    public var instances: [String: String]

    public init(fleet: String, regions: Set<String>, dnsZones: Set<String>, instances: [String: String] = [:]) {
        self.fleet = fleet
        self.regions = regions
        self.dnsZones = dnsZones
        self.instances = instances
    }
}

/// A cloud that can be read in batches, for drift (docs/drift.md). Adding a resource kind is one more reader in the
/// implementation; the request and the observation stay as they are.
public protocol CloudObserver: Sendable {
    /// Reads every resource tagged for the fleet in the requested regions, confirmed by its service, with tags and
    /// typed attributes. Changes nothing. Retries of throttled calls are reported to `onCallRetry`.
    func observe(_ request: ObservationRequest, onCallRetry: CallRetryReport?) async throws -> CloudObservation
}
