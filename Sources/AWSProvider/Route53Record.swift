import FleetModel
import ProviderAPI

/// The instance's Route 53 CNAME `<domain>` → `dns.target`, with the ownership TXT `_cloudctl.<domain>` next to it
/// (records cannot carry tags). The hosted zone is found by name, and created tagged with the fleet when missing.
struct Route53Record {
    let scope: InstanceScope
    static let apiVersion = "2013-04-01"
    static let ttl = 300
    private var api: StepCalls { scope.api }

    /// One record set as Route 53 reports it.
    struct RecordSet: Equatable {
        var name: String
        var type: String
        var ttl: String
        var values: [String]
    }

    /// Ensures CNAME and TXT exist for `domain` (UPSERT, one change batch); removes the `previousDomain` pair
    /// afterwards.
    func ensure() async throws -> String {
        let record = try scope.dnsRecord()
        let (domain, zone, target) = (record.domain, record.zone, record.target)
        let zoneId = try await ensureZone(zone)
        _ = try await ownedRecords(domain, zoneId: zoneId)
        try await change(
            zoneId,
            [
                ("UPSERT", RecordSet(name: domain, type: "CNAME", ttl: String(Self.ttl), values: [target])),
                ("UPSERT", ownership(domain)),
            ])
        // The record last applied (`before`) is removed once the new one exists, when the domain moved.
        if let previous = scope.step.before?.dnsRecord?.domain, !previous.isEmpty,
            Self.normalized(previous) != Self.normalized(domain)
        {
            try await delete(previous, zoneId: zoneId)
        }
        return domain
    }

    /// Deletes the CNAME and TXT of `domain`; absent records (or zone) are fine.
    func delete() async throws {
        // A delete step carries the record as last applied.
        let record = try scope.dnsRecord()
        let (zone, domain) = (record.zone, record.domain)
        guard let zoneId = try await findZone(zone) else { return }
        try await delete(domain, zoneId: zoneId)
    }

    private func delete(_ domain: String, zoneId: String) async throws {
        let records = try await ownedRecords(domain, zoneId: zoneId)
        if !records.isEmpty { try await change(zoneId, records.map { ("DELETE", $0) }) }
    }

    /// The CNAME and TXT currently at `domain`, after checking the TXT names this instance.
    /// A CNAME without our TXT, or a TXT naming someone else, is foreign and never touched.
    private func ownedRecords(_ domain: String, zoneId: String) async throws -> [RecordSet] {
        let cname = try await record(domain, type: "CNAME", zoneId: zoneId)
        let txt = try await record(ResourceNames.ownershipRecord(domain: domain), type: "TXT", zoneId: zoneId)
        if (cname != nil || txt != nil) && txt?.values != ownership(domain).values {
            let txtName = ResourceNames.ownershipRecord(domain: domain)
            let owner = scope.names.ownershipValue
            let message =
                txt.map {
                    "DNS record \(domain) exists but its ownership TXT \(txtName) is "
                        + "\($0.values.joined(separator: " ")), "
                        + "not \(owner); it was left untouched. Remove or rename it by hand, or choose another domain."
                } ?? "DNS record \(domain) exists without the ownership TXT \(txtName), so cloudctl does not adopt it; "
                + "it was left untouched. If it belongs here, add TXT \(txtName) \(owner) by hand and run apply again."
            throw CloudError(
                kind: .foreignResource, operation: "route53:ListResourceRecordSets",
                code: CloudError.Kind.foreignResource.rawValue, message: message)
        }
        return [cname, txt].compactMap { $0 }
    }

    private func ownership(_ domain: String) -> RecordSet {
        RecordSet(
            name: ResourceNames.ownershipRecord(domain: domain), type: "TXT", ttl: String(Self.ttl),
            values: [scope.names.ownershipValue])
    }

    private func record(_ name: String, type: String, zoneId: String) async throws -> RecordSet? {
        let answer = try await api.restXML(
            .route53, "GET", "/\(Self.apiVersion)/hostedzone/\(zoneId)/rrset",
            query: ["name": name, "type": type, "maxitems": "1"])
        return answer.descendants("ResourceRecordSet").lazy.map { set in
            RecordSet(
                name: set.value("Name") ?? "", type: set.value("Type") ?? "", ttl: set.value("TTL") ?? "",
                values: set.descendants("Value").map(\.text))
        }.first { Self.normalized($0.name) == Self.normalized(name) && $0.type == type }
    }

    private func change(_ zoneId: String, _ changes: [(String, RecordSet)]) async throws {
        let items = changes.map { action, set in
            let values = set.values.map { "<ResourceRecord><Value>\(XMLText.escape($0))</Value></ResourceRecord>" }
                .joined()
            return
                "<Change><Action>\(action)</Action><ResourceRecordSet><Name>\(XMLText.escape(set.name))</Name>"
                + "<Type>\(set.type)</Type>"
                + "<TTL>\(set.ttl)</TTL><ResourceRecords>\(values)</ResourceRecords></ResourceRecordSet></Change>"
        }.joined()
        try await api.restXML(
            .route53, "POST", "/\(Self.apiVersion)/hostedzone/\(zoneId)/rrset",
            body: """
                <ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/\(Self.apiVersion)/">\
                <ChangeBatch><Comment>cloudctl \(scope.names.prefix)</Comment><Changes>\(items)</Changes></ChangeBatch>\
                </ChangeResourceRecordSetsRequest>
                """)
    }

    /// The hosted zone id for `zone`, creating the zone (tagged with the fleet) when missing; once per provider.
    private func ensureZone(_ zone: String) async throws -> String {
        try await scope.zones.value(for: zone) { try await findOrCreateZone(zone) }
    }

    private func findOrCreateZone(_ zone: String) async throws -> String {
        if let id = try await findZone(zone) { return id }
        // A deterministic caller reference makes a retried create fail as a duplicate instead of making a second zone.
        let created: XMLNode
        do {
            created = try await createZone(zone)
        } catch let error as CloudError where error.code == "HostedZoneAlreadyExists" {
            // Another runner (or apply) created it a moment ago: use theirs once it is listed.
            return try await scope.backoff.poll("hosted zone \(zone)", operation: error.operation) {
                try await findZone(zone)
            }
        }
        let id = Self.zoneId(created.descendants("Id").first?.text ?? "")
        try await api.restXML(
            .route53, "POST", "/\(Self.apiVersion)/tags/hostedzone/\(id)",
            body: """
                <ChangeTagsForResourceRequest xmlns="https://route53.amazonaws.com/doc/\(Self.apiVersion)/">\
                <AddTags><Tag><Key>\(ResourceTags.fleetKey)</Key>\
                <Value>\(XMLText.escape(scope.names.fleet))</Value></Tag>\
                </AddTags>\
                </ChangeTagsForResourceRequest>
                """)
        return id
    }

    private func createZone(_ zone: String) async throws -> XMLNode {
        try await api.restXML(
            .route53, "POST", "/\(Self.apiVersion)/hostedzone",
            body: """
                <CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/\(Self.apiVersion)/">\
                <Name>\(XMLText.escape(zone))</Name>\
                <CallerReference>cloudctl-\(XMLText.escape(scope.names.fleet))-\(XMLText.escape(zone))\
                </CallerReference>\
                </CreateHostedZoneRequest>
                """)
    }

    private func findZone(_ zone: String) async throws -> String? {
        let answer = try await api.restXML(
            .route53, "GET", "/\(Self.apiVersion)/hostedzonesbyname", query: ["dnsname": zone, "maxitems": "1"])
        return answer.descendants("HostedZone").first {
            Self.normalized($0.value("Name") ?? "") == Self.normalized(zone)
        }
        .map { Self.zoneId($0.value("Id") ?? "") }
    }

    /// `/hostedzone/Z123` → `Z123`.
    static func zoneId(_ raw: String) -> String { raw.split(separator: "/").last.map(String.init) ?? raw }
    /// Lowercase, without the trailing dot Route 53 adds.
    static func normalized(_ name: String) -> String {
        (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
    }
}
