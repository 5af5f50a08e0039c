import Foundation
import FleetModel
import Planner
import ProviderAPI
import AWSProvider
import StateBackend

/// One read of the cloud for `drift`, `plan --refresh`, `apply --refresh` and `status --refresh`: what was observed
/// and how it differs from the files and records.
struct CloudScan {
    var observation: CloudObservation
    var findings: [DriftFinding]
    /// The selected instances (empty: all).
    var names: [String]

    /// Reads every region of the selected instances (all known instances when `names` is empty) and the fleet's DNS
    /// zones. Throttled calls are retried and said on stderr.
    static func run(_ workspace: FleetWorkspace, names: [String], context: CommandContext) async throws -> CloudScan {
        let fleet = try workspace.validFleet()
        try workspace.checkSelection(names)
        let selected = names.isEmpty ? nil : Set(names)
        var regions: Set<String> = []
        var zones: Set<String> = [fleet.dns.zone]
        for spec in workspace.loaded.specs where selected?.contains(spec.name) ?? true { regions.insert(spec.region) }
        for record in workspace.recorded where selected?.contains(record.name) ?? true {
            regions.insert(record.region)
            if let zone = record.resources[.dnsRecord]?.attributes?.dnsRecord?.zone { zones.insert(zone) }
        }
        let observation: CloudObservation
        if regions.isEmpty {
            observation = CloudObservation()
        } else {
            let console = context.console
            let provider = context.environment.makeProvider(try context.awsConfig())
            var instances: [String: String] = [:]
            for record in workspace.recorded { instances[record.name] = record.region }
            for spec in workspace.loaded.specs { instances[spec.name] = instances[spec.name] ?? spec.region }
            let request = ObservationRequest(
                fleet: fleet.name, regions: regions, dnsZones: zones, instances: instances)
            do {
                observation = try await provider.observe(request) { error, attempt, delay in
                    console.err("  retrying \(error.operation) after \(error.code) (retry \(attempt), in \(delay))")
                }
            } catch let error as CloudError {
                throw DiagnosticsError([
                    .error(
                        "Cannot read the cloud: \(error.operation): \(error.code)",
                        detail: "Nothing was changed. Check credentials, region and AWS_ENDPOINT_URL; "
                            + "a throttled account may need the scan again later. (\(error.message))")
                ])
            }
        }
        let findings = DriftClassifier.findings(
            DriftInput(
                specs: workspace.loaded.specs, recorded: workspace.recorded, observation: observation,
                selection: selected))
        return CloudScan(observation: observation, findings: findings, names: names)
    }

    /// Recorded state corrected from the observation, and what drifted per instance (`RecordRefresh`); only
    /// instances in scanned regions with something to correct.
    func refreshed(_ recorded: [RecordedInstance]) -> [String: RecordRefresh.Outcome] {
        var outcomes: [String: RecordRefresh.Outcome] = [:]
        for record in recorded where (names.isEmpty || names.contains(record.name)) && !record.resources.isEmpty {
            guard observation.regions.contains(record.region) else { continue }
            let outcome = RecordRefresh.refreshed(
                record, observed: observation.resources(of: record.name), kinds: observation.kinds)
            if outcome.corrected { outcomes[record.name] = outcome }
        }
        return outcomes
    }

    /// What to do about resources nobody claims: warnings for `plan --refresh` and `apply --refresh`.
    var unmanagedWarnings: [Diagnostic] {
        findings.filter { $0.drift == .unmanaged }.map { finding in
            let what = "\(finding.resource?.rawValue ?? "resource") \(finding.cloudId ?? "")"
            let owner = finding.instance.map { "instance \"\($0)\"" } ?? "no instance"
            return .warning(
                "unmanaged \(what), tagged for \(owner): left untouched",
                detail: finding.instance.map {
                    "to adopt it, add Instances/\($0).json and apply (cloudctl finds resources by name and tags); "
                        + "to remove it, delete \(finding.cloudId ?? "it") by hand"
                } ?? "delete it by hand if nothing uses it")
        }
    }
}

extension CommandContext {
    /// Region, credentials and endpoint the AWS way; an error says what to set.
    func awsConfig() throws -> AWSConfig {
        do {
            return try AWSConfig.resolve(
                environment: environment.variables, homeDirectory: environment.homeDirectory)
        } catch {
            throw DiagnosticsError([
                .error(
                    "Cannot resolve AWS configuration: \(error)",
                    detail: "Set AWS_REGION and credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or AWS_PROFILE)."
                )
            ])
        }
    }
}

/// `--refresh` of plan, apply and status.
enum RefreshOption {
    static let flag = OptionSpec.flag(
        "--refresh", "Read the cloud first (as `cloudctl drift` does) and plan from what it says.")
}

/// Recorded state corrected from a scan of the cloud: what `plan --refresh` and `apply --refresh` plan from.
struct RefreshedState {
    var scan: CloudScan
    /// Every record, the corrected ones replaced.
    var recorded: [RecordedInstance]
    /// The corrections, by instance: what `apply --refresh` saves before it runs.
    var corrections: [String: RecordRefresh.Outcome]
    /// Fingerprints of the records the corrections were made from.
    var originals: [String: String]
    var drifted: [String: Set<ResourceKind>] { corrections.mapValues(\.drifted) }

    /// Scans, says what was found on stderr (unmanaged resources with what to do about them), and corrects.
    static func read(_ workspace: FleetWorkspace, names: [String], context: CommandContext) async throws
        -> RefreshedState
    {
        let scan = try await CloudScan.run(workspace, names: names, context: context)
        let corrections = scan.refreshed(workspace.recorded)
        let recorded = workspace.recorded.map { corrections[$0.name]?.record ?? $0 }
        context.report(scan.unmanagedWarnings)
        let view = DriftView(findings: scan.findings, calls: scan.observation.calls, ghosts: scan.observation.ghosts)
        context.console.err("Refreshed from the cloud. " + view.summaryLine)
        let originals = Dictionary(
            workspace.recorded.filter { corrections[$0.name] != nil }.map { ($0.name, $0.fingerprint) }
        ) { first, _ in first }
        return RefreshedState(scan: scan, recorded: recorded, corrections: corrections, originals: originals)
    }

    /// Saves each corrected record under its instance lock, provided nobody changed the record since it was read
    /// (then the apply stops before any cloud call).
    func save(to store: any StateBackend, holder: String) async throws {
        for name in corrections.keys.sorted() {
            guard let corrected = corrections[name]?.record else { continue }
            do {
                try await store.acquireLock(instance: name, holder: holder, lease: 60)
            } catch let held as LockHeldError {
                throw DiagnosticsError([
                    .error(
                        "Cannot correct the recorded state of \(name): \(held)",
                        detail: "Another apply is running; try again when it is done (or `cloudctl unlock \(name)`).")
                ])
            }
            let current = try await store.recordedInstance(name)?.fingerprint
            if current == originals[name] { try await store.saveRecorded(corrected) }
            try await store.releaseLock(instance: name, holder: holder)
            if current != originals[name] {
                throw DiagnosticsError([
                    .error(
                        "Recorded state of \(name) changed while the cloud was read (another apply?)",
                        detail: "Nothing was changed; run `cloudctl apply --refresh` again.")
                ])
            }
        }
    }
}
