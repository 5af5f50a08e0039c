import Foundation
import FleetModel
import ProviderAPI

/// VPCs: one `DescribeVpcs` filtered by the fleet tag (1,000 per page).
struct NetworkReader: InventoryReader {
    var resourceTypes: [String] { ["ec2:vpc"] }
    var kinds: [ResourceKind] { [.network] }

    func read(_ scan: RegionScan) async throws -> InventoryRead {
        var read = InventoryRead()
        var token: String?
        var confirmed: Set<String> = []
        repeat {
            var params = QueryParams.filters([("tag:\(ResourceTags.fleetKey)", scan.fleet)])
            params["MaxResults"] = "1000"
            if let token { params["NextToken"] = token }
            let answer = try await scan.api.query(.ec2, "DescribeVpcs", params)
            for vpc in answer.items("vpcSet") {
                let tags = TagFormat.parse(xml: vpc.child("tagSet"))
                guard let id = vpc.value("vpcId"), scan.owned(tags) else { continue }
                confirmed.insert(id)
                read.resources.append(
                    ObservedResource(
                        kind: .network, cloudId: id, region: scan.region, tags: tags,
                        attributes: .placement(PlacementAttributes(region: scan.region))))
            }
            token = answer.descendants("nextToken").first?.text.nilIfEmpty
        } while token != nil
        read.ghosts = scan.tagged("ec2:vpc").filter { !confirmed.contains($0.resourceId) }.count
        return read
    }
}

/// KMS keys: `DescribeKey` per key (KMS has no batch read of key states). A key pending deletion is gone for drift.
struct KeyReader: InventoryReader {
    var resourceTypes: [String] { ["kms:key"] }
    var kinds: [ResourceKind] { [.key] }
    static let gone: Set<String> = ["PendingDeletion", "PendingReplicaDeletion"]

    func read(_ scan: RegionScan) async throws -> InventoryRead {
        let api = scan.api
        let region = scan.region
        let found = try await boundedMap(scan.tagged("kms:key")) { entry -> ObservedResource? in
            let answer = try await absent(on: "NotFoundException") {
                try await api.json(.kms, "DescribeKey", ["KeyId": .string(entry.arn)])
            }
            guard let meta = answer?["KeyMetadata"], let state = meta["KeyState"]?.string, !Self.gone.contains(state)
            else { return nil }
            let deviations =
                state == "Enabled"
                ? [] : [SettingDeviation(attribute: "keyState", expected: "Enabled", observed: state)]
            return ObservedResource(
                kind: .key, cloudId: meta["Arn"]?.string ?? entry.arn, region: region, tags: entry.tags,
                attributes: .placement(PlacementAttributes(region: region)), deviations: deviations)
        }
        return InventoryRead(resources: found.compactMap { $0 }, ghosts: found.filter { $0 == nil }.count)
    }
}

/// S3 buckets: the encryption and public access block per bucket (S3 reads them one bucket at a time); a bucket S3
/// does not know is a ghost. Buckets are global, so the tagging API of every region may list one: each is read in its
/// instance's region, and one of an unknown instance where `GetBucketLocation` puts it.
struct BucketReader: InventoryReader {
    var resourceTypes: [String] { ["s3:bucket"] }
    var kinds: [ResourceKind] { [.bucket] }
    static let blocked = "all blocked"

    func read(_ scan: RegionScan) async throws -> InventoryRead {
        let api = scan.api
        let region = scan.region
        let instanceRegions = scan.instanceRegions
        let found = try await boundedMap(scan.tagged("s3:bucket")) { entry -> ObservedResource?? in
            let name = entry.resourceId
            let home = instanceRegions[entry.tags[ResourceTags.instanceKey] ?? ""]
            guard let location = try await home.asyncOr({ try await Self.location(api, name) }) else { return nil }
            // Another region's bucket: read by that region's scan (nil alone would count a ghost).
            guard location == region else { return .some(nil) }
            guard let encryption = try await Self.encryption(api, name) else { return nil }
            var deviations: [SettingDeviation] = []
            if encryption != "aws:kms" {
                deviations.append(SettingDeviation(attribute: "encryption", expected: "aws:kms", observed: encryption))
            }
            let access = try await Self.publicAccessBlock(api, name)
            if access != Self.blocked {
                deviations.append(
                    SettingDeviation(attribute: "publicAccessBlock", expected: Self.blocked, observed: access))
            }
            return ObservedResource(
                kind: .bucket, cloudId: name, region: region, tags: entry.tags,
                attributes: .placement(PlacementAttributes(region: region)), deviations: deviations)
        }
        let here = found.compactMap { $0 }
        return InventoryRead(resources: here.compactMap { $0 }, ghosts: found.filter { $0 == nil }.count)
    }

    /// The bucket's region (`us-east-1` for the empty constraint); nil when it does not exist.
    static func location(_ api: StepCalls, _ name: String) async throws -> String? {
        do {
            let answer = try await api.restXML(.s3, "GET", "/\(name)", query: ["location": ""])
            return answer.text.nilIfEmpty ?? answer.descendants("LocationConstraint").first?.text.nilIfEmpty
                ?? "us-east-1"
        } catch let error as CloudError where error.hasCode("NoSuchBucket") {
            return nil
        }
    }

    /// The default encryption's algorithm, `none`; nil when the bucket does not exist.
    static func encryption(_ api: StepCalls, _ name: String) async throws -> String? {
        do {
            let answer = try await api.restXML(.s3, "GET", "/\(name)", query: ["encryption": ""])
            return answer.descendants("SSEAlgorithm").first?.text ?? "none"
        } catch let error as CloudError where error.hasCode("ServerSideEncryptionConfigurationNotFoundError") {
            return "none"
        } catch let error as CloudError where error.hasCode("NoSuchBucket") {
            return nil
        }
    }

    /// `all blocked`, `none`, or the settings that are off.
    static func publicAccessBlock(_ api: StepCalls, _ name: String) async throws -> String {
        let answer: XMLNode
        do {
            answer = try await api.restXML(.s3, "GET", "/\(name)", query: ["publicAccessBlock": ""])
        } catch let error as CloudError where error.hasCode("NoSuchPublicAccessBlockConfiguration") {
            return "none"
        }
        let settings = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"]
        let off = settings.filter { answer.descendants($0).first?.text.lowercased() != "true" }
        return off.isEmpty ? blocked : off.map { "\($0) off" }.joined(separator: ", ")
    }
}

/// Secrets: `ListSecrets` filtered by the fleet's name prefix (100 per page); deleted secrets are not listed.
struct SecretReader: InventoryReader {
    var resourceTypes: [String] { ["secretsmanager:secret"] }
    var kinds: [ResourceKind] { [.secret] }

    func read(_ scan: RegionScan) async throws -> InventoryRead {
        var read = InventoryRead()
        var confirmed: Set<String> = []
        var token: String?
        repeat {
            var body: [String: JSONValue] = [
                "Filters": [["Key": "name", "Values": [.string("cloudctl/\(scan.fleet)/")]]], "MaxResults": 100,
            ]
            if let token { body["NextToken"] = .string(token) }
            let page = try await scan.api.json(.secretsManager, "ListSecrets", .object(body))
            for secret in page["SecretList"]?.array ?? [] {
                let tags = TagFormat.secretsManager.parse(secret["Tags"])
                guard let arn = secret["ARN"]?.string, secret["DeletedDate"] == nil, scan.owned(tags) else { continue }
                confirmed.insert(arn)
                read.resources.append(
                    ObservedResource(
                        kind: .secret, cloudId: arn, region: scan.region, tags: tags,
                        attributes: .placement(PlacementAttributes(region: scan.region))))
            }
            token = page["NextToken"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        read.ghosts = scan.tagged("secretsmanager:secret").filter { !confirmed.contains($0.arn) }.count
        return read
    }
}

/// Databases: `DescribeDBInstances`, 100 per page, tags included; one being deleted is gone for drift.
struct DatabaseReader: InventoryReader {
    var resourceTypes: [String] { ["rds:db"] }
    var kinds: [ResourceKind] { [.database] }

    func read(_ scan: RegionScan) async throws -> InventoryRead {
        var read = InventoryRead()
        var confirmed: Set<String> = []
        var marker: String?
        repeat {
            var params = ["MaxRecords": "100"]
            if let marker { params["Marker"] = marker }
            let answer = try await scan.api.query(.rds, "DescribeDBInstances", params)
            for db in answer.items("DBInstances") {
                let tags = TagFormat.parse(xml: db.child("TagList"))
                guard let id = db.value("DBInstanceIdentifier"), scan.owned(tags),
                    !["deleting", "deleted"].contains(db.value("DBInstanceStatus") ?? "")
                else { continue }
                confirmed.insert(id)
                let attributes = DatabaseAttributes(
                    region: scan.region, databaseClass: db.value("DBInstanceClass") ?? "",
                    storageGB: Int(db.value("AllocatedStorage") ?? "") ?? 0,
                    backupRetentionDays: Int(db.value("BackupRetentionPeriod") ?? "") ?? 0,
                    deletionProtection: db.value("DeletionProtection") == "true")
                read.resources.append(
                    ObservedResource(
                        kind: .database, cloudId: id, region: scan.region, tags: tags,
                        attributes: .database(attributes)))
            }
            marker = answer.descendants("Marker").first?.text.nilIfEmpty
        } while marker != nil
        read.ghosts = scan.tagged("rds:db").filter { !confirmed.contains($0.resourceId) }.count
        return read
    }
}

/// ECS clusters (`DescribeClusters`, 100 per call), then per cluster its service (`DescribeServices` takes one
/// cluster per call) and the task definition the service runs (or the family's latest when there is no service).
struct ECSWorkloadReader: InventoryReader {
    var resourceTypes: [String] { ["ecs:cluster", "ecs:service"] }
    var kinds: [ResourceKind] { [.cluster, .taskDefinition, .service] }
    static let serviceName = "app"

    func read(_ scan: RegionScan) async throws -> InventoryRead {
        var read = InventoryRead()
        let tagged = scan.tagged("ecs:cluster")
        var clusters: [(arn: String, name: String, tags: [String: String])] = []
        for chunk in stride(from: 0, to: tagged.count, by: 100).map({ Array(tagged[$0..<min($0 + 100, tagged.count)]) })
        {
            let answer = try await scan.api.json(
                .ecs, "DescribeClusters", ["clusters": .array(chunk.map { .string($0.arn) }), "include": ["TAGS"]])
            for cluster in answer["clusters"]?.array ?? [] where cluster["status"]?.string == "ACTIVE" {
                let tags = TagFormat.ecs.parse(cluster["tags"])
                guard let arn = cluster["clusterArn"]?.string, scan.owned(tags) else { continue }
                clusters.append((arn, cluster["clusterName"]?.string ?? "", tags))
            }
        }
        read.ghosts += tagged.count - clusters.count
        let api = scan.api
        let region = scan.region
        let workloads = try await boundedMap(clusters) { cluster in
            try await Self.workload(api, region: region, cluster: cluster)
        }
        for (index, cluster) in clusters.enumerated() {
            read.resources.append(
                ObservedResource(
                    kind: .cluster, cloudId: cluster.arn, region: scan.region, tags: cluster.tags,
                    attributes: .placement(PlacementAttributes(region: scan.region))))
            read.resources += workloads[index]
        }
        // A known instance whose cluster is gone may still have its task definition: read the family itself.
        let withCluster = Set(clusters.compactMap { $0.tags[ResourceTags.instanceKey] })
        let orphaned = scan.instanceRegions.filter { $0.value == scan.region && !withCluster.contains($0.key) }
        let fleet = scan.fleet
        let definitions = try await boundedMap(orphaned.keys.sorted()) { name in
            let family = ResourceNames(fleet: fleet, instance: name).taskFamily
            return try await Self.taskDefinition(api, family, region: region, ownerTags: [:])
        }
        read.resources += definitions.compactMap { $0 }.filter { scan.owned($0.tags) }
        let services = Set(read.resources.filter { $0.kind == .service }.map(\.cloudId))
        read.ghosts += scan.tagged("ecs:service").filter { !services.contains($0.arn) }.count
        return read
    }

    /// The cluster's service and task definition; the cluster's name is the task family (`ResourceNames`).
    private static func workload(
        _ api: StepCalls, region: String, cluster: (arn: String, name: String, tags: [String: String])
    ) async throws -> [ObservedResource] {
        var found: [ObservedResource] = []
        let answer = try await api.json(
            .ecs, "DescribeServices",
            ["cluster": .string(cluster.arn), "services": [.string(serviceName)], "include": ["TAGS"]])
        var definition = cluster.name
        if let service = answer["services"]?.array?.first(where: { $0["status"]?.string == "ACTIVE" }) {
            let tags = TagFormat.ecs.parse(service["tags"])
            found.append(
                ObservedResource(
                    kind: .service, cloudId: service["serviceArn"]?.string ?? serviceName, region: region,
                    tags: tags.isEmpty ? cluster.tags : tags,
                    attributes: .service(ServiceAttributes(replicas: service["desiredCount"]?.int ?? 0))))
            definition = service["taskDefinition"]?.string ?? definition
        }
        if let definition = try await taskDefinition(api, definition, region: region, ownerTags: cluster.tags) {
            found.append(definition)
        }
        return found
    }

    /// The active task definition `definition` (ARN or family); nil when there is none. One without tags is
    /// attributed by `ownerTags` (its service's cluster).
    private static func taskDefinition(
        _ api: StepCalls, _ definition: String, region: String, ownerTags: [String: String]
    ) async throws -> ObservedResource? {
        let described: JSONValue?
        do {
            described = try await api.json(
                .ecs, "DescribeTaskDefinition", ["taskDefinition": .string(definition), "include": ["TAGS"]])
        } catch let error as CloudError
            where error.hasCode("ClientException") && error.message.contains(ECSTaskDefinition.absentMessage)
        {
            described = nil
        }
        guard let task = described?["taskDefinition"], task["status"]?.string != "INACTIVE" else { return nil }
        let tags = TagFormat.ecs.parse(described?["tags"])
        return taskDefinition(task, region: region, tags: tags.isEmpty ? ownerTags : tags)
    }

    /// Environment values the provider wires in (`ECSTaskDefinition.wiredShape`): only the cloud knows them, so they
    /// are not part of the planned environment.
    static let wiredEnvironment: Set<String> = [
        "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "CLOUDCTL_BUCKET", "CLOUDCTL_KMS_KEY_ID",
    ]

    /// The task definition as the plan's attributes: image `<repository>:<version>`, cpu, memory and the planned
    /// environment.
    static func taskDefinition(_ task: JSONValue, region: String, tags: [String: String]) -> ObservedResource {
        let container = task["containerDefinitions"]?.array?.first
        let image = container?["image"]?.string ?? ""
        var environment: [String: String] = [:]
        for item in container?["environment"]?.array ?? [] {
            guard let name = item["name"]?.string, !wiredEnvironment.contains(name) else { continue }
            environment[name] = item["value"]?.string ?? ""
        }
        let cpu = Int(task["cpu"]?.string ?? "") ?? task["cpu"]?.int ?? 0
        let memory = Int(task["memory"]?.string ?? "") ?? task["memory"]?.int ?? 0
        var resource = ObservedResource(
            kind: .taskDefinition, cloudId: task["taskDefinitionArn"]?.string ?? "", region: region, tags: tags)
        // The tag is after the last colon that follows the last slash (a registry may carry a port).
        let slash = image.lastIndex(of: "/") ?? image.startIndex
        if let colon = image[slash...].lastIndex(of: ":"),
            let version = Version(String(image[image.index(after: colon)...]))
        {
            resource.attributes = .taskDefinition(
                TaskDefinitionAttributes(
                    image: String(image[..<colon]), version: version, cpu: cpu, memory: memory,
                    environment: environment))
        } else {
            resource.deviations = [
                SettingDeviation(attribute: "image", expected: "<repository>:<x.y.z>", observed: image)
            ]
        }
        return resource
    }
}

/// Route 53: the zone's records, 300 per page; a CNAME with the ownership TXT of this fleet is an instance's record.
struct DNSRecordReader {
    let api: StepCalls
    let fleet: String

    func read(zone: String) async throws -> [ObservedResource] {
        let version = Route53Record.apiVersion
        let zones = try await api.restXML(
            .route53, "GET", "/\(version)/hostedzonesbyname", query: ["dnsname": zone, "maxitems": "1"])
        guard
            let id = zones.descendants("HostedZone").first(where: {
                Route53Record.normalized($0.value("Name") ?? "") == Route53Record.normalized(zone)
            })?.value("Id").map(Route53Record.zoneId)
        else { return [] }
        var cnames: [String: String] = [:]
        var owners: [String: String] = [:]
        var next: (name: String, type: String)?
        repeat {
            var query = ["maxitems": "300"]
            if let next {
                query["name"] = next.name
                query["type"] = next.type
            }
            let page = try await api.restXML(.route53, "GET", "/\(version)/hostedzone/\(id)/rrset", query: query)
            for set in page.descendants("ResourceRecordSet") {
                let name = Route53Record.normalized(set.value("Name") ?? "")
                let values = set.descendants("Value").map(\.text)
                switch set.value("Type") {
                case "CNAME": cnames[name] = values.first.map(Route53Record.normalized)
                case "TXT":
                    let owned = name.hasPrefix("_cloudctl.") ? String(name.dropFirst("_cloudctl.".count)) : nil
                    if let owned, let instance = values.lazy.compactMap(owner).first { owners[owned] = instance }
                default: break
                }
            }
            let truncated = page.descendants("IsTruncated").first?.text == "true"
            let nextName = page.descendants("NextRecordName").first?.text
            next = truncated ? nextName.map { ($0, page.descendants("NextRecordType").first?.text ?? "") } : nil
        } while next != nil
        return owners.keys.sorted().compactMap { domain in
            guard let instance = owners[domain], let target = cnames[domain] else { return nil }
            return ObservedResource(
                kind: .dnsRecord, cloudId: domain, region: "",
                tags: ResourceTags.tags(instance: instance, fleet: fleet),
                attributes: .dnsRecord(DNSRecordAttributes(domain: domain, zone: zone, target: target)))
        }
    }

    /// The instance an ownership TXT value names, when it names this fleet.
    private func owner(_ value: String) -> String? {
        let text = value.trimmingCharacters(in: ["\""])
        var pairs: [String: String] = [:]
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { pairs[kv[0]] = kv[1] }
        }
        return pairs[ResourceTags.fleetKey] == fleet ? pairs[ResourceTags.instanceKey] : nil
    }
}

extension Optional where Wrapped: Sendable {
    /// The value, or what `fallback` finds when there is none.
    func asyncOr(_ fallback: () async throws -> Wrapped?) async rethrows -> Wrapped? {
        if let self { return self }
        return try await fallback()
    }
}

extension String {
    /// Nil for the empty string (a last page's empty token).
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
