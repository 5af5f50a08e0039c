import FleetModel
import ProviderAPI
import Synchronization

/// Reads a fleet's resources in batches (docs/drift.md): per region, the tag inventory (`tag:GetResources`, 100 per
/// page, filtered by `cloudctl:fleet`), then one reader per kind confirms what it lists with the owning service's
/// batch calls, and reads attributes; IAM roles and Route 53 zones once. An inventory entry the service does not
/// confirm is a ghost (the tagging API lists deleted resources for a while) and is dropped. Changes nothing.
struct CloudInventory {
    let request: ObservationRequest
    let client: @Sendable (String) -> AWSClient
    let onRetry: CallRetryReport?

    /// The readers, in `ResourceKind` order; a new kind is one more reader here.
    static let readers: [any InventoryReader] = [
        NetworkReader(), SecurityRulesReader(), KeyReader(), BucketReader(), SecretReader(), LogGroupReader(),
        DatabaseReader(), ECSWorkloadReader(),
    ]

    func observe() async throws -> CloudObservation {
        var observation = CloudObservation(
            regions: request.regions,
            kinds: Set(Self.readers.flatMap(\.kinds)).union([.executionRole, .taskRole, .dnsRecord]))
        var calls: [StepCalls] = []
        for region in request.regions.sorted() {
            let api = StepCalls(client: client(region), onRetry: onRetry)
            calls.append(api)
            let tagged = try await TagInventory(api: api, fleet: request.fleet).list(
                types: Self.readers.flatMap(\.resourceTypes))
            let scan = RegionScan(
                api: api, fleet: request.fleet, region: region, tagged: tagged, instanceRegions: request.instances)
            for reader in Self.readers {
                let read = try await reader.read(scan)
                observation.ghosts += read.ghosts
                for resource in read.resources { observation.add(resource) }
            }
        }
        // IAM is global: its roles are read once, after the regions, whose secrets and keys their policies name.
        if let region = request.regions.sorted().first {
            let api = StepCalls(client: client(region), onRetry: onRetry)
            calls.append(api)
            let roles = try await RoleReader(api: api, fleet: request.fleet, instances: request.instances)
                .read(observation)
            for role in roles { observation.add(role) }
        }
        if let region = request.regions.sorted().first, !request.dnsZones.isEmpty {
            let api = StepCalls(client: client(region), onRetry: onRetry)
            calls.append(api)
            for zone in request.dnsZones.sorted() {
                for record in try await DNSRecordReader(api: api, fleet: request.fleet).read(zone: zone) {
                    observation.add(record)
                }
            }
        }
        observation.calls = calls.reduce(0) { $0 + $1.calls }
        return observation
    }
}

/// One entry of the tag inventory.
struct TaggedResource: Sendable, Equatable {
    var arn: String
    var tags: [String: String]

    /// `ec2:vpc`, `kms:key`, `s3:bucket`, `rds:db`, `ecs:cluster`, `ecs:service`, `secretsmanager:secret`.
    var type: String {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6 else { return "" }
        let service = parts[2]
        if service == "s3" { return "s3:bucket" }
        let resource = parts[5]
        let kind = resource.split(whereSeparator: { $0 == "/" || $0 == ":" }).first.map(String.init) ?? ""
        return "\(service):\(kind)"
    }

    /// The part after the type: `vpc-123`, a key id, a bucket name, `cluster/service`…
    var resourceId: String {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6 else { return arn }
        if parts[2] == "s3" { return String(parts[5]) }
        let resource = parts[5]
        guard let cut = resource.firstIndex(where: { $0 == "/" || $0 == ":" }) else { return String(resource) }
        return String(resource[resource.index(after: cut)...])
    }
}

/// The tag inventory of one region: every resource of the given types tagged `cloudctl:fleet=<fleet>`.
struct TagInventory {
    let api: StepCalls
    let fleet: String
    /// The API's maximum page size.
    static let pageSize = 100

    func list(types: [String]) async throws -> [TaggedResource] {
        var found: [TaggedResource] = []
        var token: String?
        repeat {
            var body: [String: JSONValue] = [
                "TagFilters": [["Key": .string(ResourceTags.fleetKey), "Values": [.string(fleet)]]],
                "ResourceTypeFilters": .array(types.map { .string($0) }),
                "ResourcesPerPage": .number(Double(Self.pageSize)),
            ]
            if let token { body["PaginationToken"] = .string(token) }
            let page = try await api.json(.tagging, "GetResources", .object(body))
            for mapping in page["ResourceTagMappingList"]?.array ?? [] {
                guard let arn = mapping["ResourceARN"]?.string else { continue }
                found.append(TaggedResource(arn: arn, tags: TagFormat.secretsManager.parse(mapping["Tags"])))
            }
            token = page["PaginationToken"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return found
    }
}

/// What the readers of one region share: the counted calls and the tag inventory.
struct RegionScan: Sendable {
    let api: StepCalls
    let fleet: String
    let region: String
    let tagged: [TaggedResource]
    /// Known instances and their regions.
    let instanceRegions: [String: String]

    /// Inventory entries of `type` carrying an instance tag.
    func tagged(_ type: String) -> [TaggedResource] {
        tagged.filter { $0.type == type && $0.tags[ResourceTags.instanceKey] != nil }
    }

    func owned(_ tags: [String: String]) -> Bool {
        tags[ResourceTags.fleetKey] == fleet && tags[ResourceTags.instanceKey] != nil
    }
}

/// What a reader found: confirmed resources, and inventory entries their service did not confirm.
struct InventoryRead: Sendable {
    var resources: [ObservedResource] = []
    var ghosts = 0
}

/// Reads one or more resource kinds of a region scan.
protocol InventoryReader: Sendable {
    /// The tagging API types whose entries this reader confirms; empty when the reader lists its kind itself.
    var resourceTypes: [String] { get }
    /// The resource kinds it reports.
    var kinds: [ResourceKind] { get }
    func read(_ scan: RegionScan) async throws -> InventoryRead
}

/// Runs `body` for each element, at most `limit` at once, keeping the input order: per-resource reads that AWS forces
/// (a bucket's encryption, a key's state) overlap instead of queueing.
func boundedMap<T: Sendable, R: Sendable>(
    _ items: [T], limit: Int = 8, _ body: @escaping @Sendable (T) async throws -> R
) async throws -> [R] {
    try await withThrowingTaskGroup(of: (Int, R).self) { group in
        var results: [R?] = Array(repeating: nil, count: items.count)
        var next = 0
        func start() {
            let index = next
            let item = items[index]
            group.addTask { (index, try await body(item)) }
            next += 1
        }
        while next < min(limit, items.count) { start() }
        while let (index, result) = try await group.next() {
            results[index] = result
            if next < items.count { start() }
        }
        return results.map { $0! }
    }
}
