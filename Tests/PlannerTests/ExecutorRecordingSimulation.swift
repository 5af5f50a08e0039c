import FleetModel
import Planner
import Executor
import ProviderAPI
import TestSupport

/// Records a plan's effects with the executor's own rule (`RecordedInstance.record` / `complete`), as if every step
/// succeeded: the planner tests check convergence against what apply really records.
enum ExecutorRecordingSimulation {
    static func record(_ instance: InstancePlan, spec: InstanceSpec, onto recorded: RecordedInstance?)
        -> RecordedInstance
    {
        let target =
            instance.target
            ?? InstanceTarget(
                region: spec.region, state: spec.state,
                maintenanceWindow: spec.maintenanceWindow, protected: spec.protected)
        var record = recorded ?? .new(spec.name, for: target)
        for step in instance.steps {
            let cloudId = step.action == .delete ? nil : "\(step.resource.rawValue)-\(spec.name)"
            record.record(step, outcome: StepOutcome(cloudId: cloudId), labels: target.labels)
        }
        record.complete(as: target)
        return record
    }

    /// Plans `spec` against `recorded` and returns the one instance plan with the diagnostics.
    static func plan(_ spec: InstanceSpec, recorded: RecordedInstance?, fleet: Fleet = Fixtures.fleet())
        -> (InstancePlan, [Diagnostic])
    {
        let result = Planner.plan(
            PlanInput(
                fleet: fleet, specs: [spec], files: [spec.name: "Instances/\(spec.name).json"],
                recorded: recorded.map { [$0] } ?? [], toolVersion: "test"))
        return (result.plan.instances[0], result.diagnostics)
    }

    /// The recorded state after provisioning `spec` from nothing.
    static func provisioned(_ spec: InstanceSpec) -> RecordedInstance {
        record(plan(spec, recorded: nil).0, spec: spec, onto: nil)
    }
}
