import FleetModel
import Planner
import TestSupport

/// Records a plan's effects the way ARCHITECTURE.md says the executor does, as if every step succeeded.
enum ExecutorRecordingSimulation {
    static func record(_ instance: InstancePlan, spec: InstanceSpec, onto recorded: RecordedInstance?) -> RecordedInstance {
        var record = recorded ?? RecordedInstance(name: spec.name, region: spec.region)
        for step in instance.steps {
            switch step.action {
            case .create, .update, .deploy:
                let cloudId = record.resources[step.resource]?.cloudId ?? "\(step.resource.rawValue)-\(spec.name)"
                record.resources[step.resource] = RecordedResource(cloudId: cloudId, inputsHash: step.inputsHash)
                switch step.resource {
                case .taskDefinition: record.runningVersion = step.inputs[StepInput.version].flatMap(Version.init)
                case .database: record.storageGB = step.inputs[StepInput.storageGB].flatMap { Int($0) }
                case .dnsRecord: record.domain = step.inputs[StepInput.domain]
                default: break
                }
            case .delete:
                record.resources[step.resource] = nil
            case .snapshot, .migrate, .healthCheck, .stop, .start:
                break
            }
        }
        record.state = spec.state
        record.region = spec.region
        return record
    }

    /// Plans `spec` against `recorded` and returns the one instance plan with the diagnostics.
    static func plan(_ spec: InstanceSpec, recorded: RecordedInstance?, fleet: Fleet = Fixtures.fleet()) -> (InstancePlan, [Diagnostic]) {
        let result = Planner.plan(PlanInput(fleet: fleet, specs: [spec], files: [spec.name: "Instances/\(spec.name).json"],
                                            recorded: recorded.map { [$0] } ?? [], toolVersion: "test"))
        return (result.plan.instances[0], result.diagnostics)
    }

    /// The recorded state after provisioning `spec` from nothing.
    static func provisioned(_ spec: InstanceSpec) -> RecordedInstance {
        record(plan(spec, recorded: nil).0, spec: spec, onto: nil)
    }
}
