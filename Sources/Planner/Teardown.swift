import FleetModel

/// Steps that remove an instance marked `"state": "deleted"`: final snapshots first, then deletes in reverse order.
enum Teardown {
    static func steps(recorded: RecordedInstance, fleet: Fleet) -> StepList {
        let resources = recorded.resources
        var list = StepList(serving: recorded.provisioned && !resources.isEmpty)
        list.note(.teardown)
        // Nothing that holds customer data goes without a copy.
        for kind in [ResourceKind.database, .bucket] where resources[kind] != nil {
            list.add(
                .snapshot, kind, .finalSnapshot, before: before(kind, recorded, fleet),
                detail: .snapshot(.final(fleet.retention)))
        }
        for kind in ResourceKind.allCases.reversed() where resources[kind] != nil {
            // The log group outlives the instance for the fleet's retention: its events are what explains the end.
            let detail: StepDetail? = kind == .logGroup ? .keep(fleet.retention) : nil
            list.add(.delete, kind, .teardown, before: before(kind, recorded, fleet), detail: detail)
        }
        return list
    }

    /// What is recorded of `kind`; for records older than kept attributes, what the record still says (the DNS
    /// record's domain is needed to delete it).
    private static func before(_ kind: ResourceKind, _ recorded: RecordedInstance, _ fleet: Fleet)
        -> ResourceAttributes?
    {
        if let attributes = recorded.resources[kind]?.attributes { return attributes }
        switch kind {
        case .network, .key, .bucket, .secret, .cluster:
            return .placement(PlacementAttributes(region: recorded.region))
        case .dnsRecord:
            return recorded.domain.map {
                .dnsRecord(DNSRecordAttributes(domain: $0, zone: fleet.dns.zone, target: fleet.dns.target))
            }
        case .database, .taskDefinition, .service, .securityRules, .logGroup, .executionRole, .taskRole:
            return nil
        }
    }
}
