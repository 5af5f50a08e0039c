import FleetModel

/// Steps that remove an instance marked `"state": "deleted"`: final snapshots first, then deletes in reverse order.
enum Teardown {
    static func steps(recorded: RecordedInstance, fleet: Fleet) -> [PlanStep] {
        let resources = recorded.resources
        var list = StepList(instanceExists: !resources.isEmpty)
        let region = DesiredResources.regionInputs(recorded.region)
        // Nothing that holds customer data goes without a copy.
        for kind in [ResourceKind.database, .bucket] {
            guard let resource = resources[kind] else { continue }
            list.add(.snapshot, kind, "final snapshot before teardown",
                     inputs: region.merging([StepInput.purpose: "final"]) { a, _ in a }, inputsHash: resource.inputsHash)
        }
        for kind in ResourceKind.allCases.reversed() where resources[kind] != nil {
            var inputs = region
            if kind == .dnsRecord, let domain = recorded.domain {
                inputs = [StepInput.domain: domain, StepInput.zone: fleet.dns.zone]
            }
            list.add(.delete, kind, "teardown", inputs: inputs, inputsHash: "")
        }
        return list.steps
    }
}
