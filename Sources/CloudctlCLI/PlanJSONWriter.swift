import FleetModel

/// Writes a `Plan` as the saved-plan JSON instance by instance (call `begin`, `write` per instance, `finish`), in the exact layout of `JSONEncoder` with
/// `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]`, without ever holding the whole document in memory.
struct PlanJSONWriter {
    private var instanceCount = 0

    /// The members before `instances`, and the opening of that array.
    mutating func begin(fleet: String, to output: inout some TextOutputStream) {
        output.write("{\n  \"fleet\" : \(JSONValue.quoted(fleet)),\n  \"formatVersion\" : \(Plan.currentFormatVersion),\n  \"instances\" : [")
    }

    mutating func write(_ instance: InstancePlan, to output: inout some TextOutputStream) {
        output.write(instanceCount == 0 ? "\n    {\n" : ",\n    {\n")
        instanceCount += 1
        let indent = "      "
        Self.member(indent, "name", instance.name, to: &output)
        Self.member(indent, "recordedFingerprint", instance.recordedFingerprint, to: &output)
        if let refusal = instance.refusal { Self.member(indent, "refusal", refusal, to: &output) }
        Self.member(indent, "specFingerprint", instance.specFingerprint, to: &output)
        Self.member(indent, "status", instance.status.rawValue, to: &output)
        output.write("      \"steps\" : [")
        for (index, step) in instance.steps.enumerated() {
            output.write(index == 0 ? "\n        {\n" : ",\n        {\n")
            Self.write(step, to: &output)
            output.write("        }")
        }
        output.write(instance.steps.isEmpty ? "\n\n      ],\n      \"wave\" : " : "\n      ],\n      \"wave\" : ")
        output.write(String(instance.wave))
        output.write("\n    }")
    }

    // Written piece by piece, never as one string per step: 900,000 steps for 100,000 new instances.
    private static func write(_ step: PlanStep, to output: inout some TextOutputStream) {
        let indent = "          "
        member(indent, "action", step.action.rawValue, to: &output)
        output.write(step.disruptive ? "          \"disruptive\" : true,\n          \"inputs\" : {" : "          \"disruptive\" : false,\n          \"inputs\" : {")
        let inputs = step.inputs.count < 2 ? Array(step.inputs) : step.inputs.sorted { $0.key < $1.key }
        for (index, input) in inputs.enumerated() {
            output.write(index == 0 ? "\n            " : ",\n            ")
            JSONValue.writeQuoted(input.key, to: &output)
            output.write(" : ")
            JSONValue.writeQuoted(input.value, to: &output)
        }
        output.write(inputs.isEmpty ? "\n\n          },\n" : "\n          },\n")
        member(indent, "inputsHash", step.inputsHash, to: &output)
        member(indent, "reason", step.reason, to: &output)
        member(indent, "resource", step.resource.rawValue, last: true, to: &output)
    }

    /// `"key" : "value"` at `indent`, ending its line with a comma unless `last`.
    private static func member(_ indent: String, _ key: String, _ value: String, last: Bool = false, to output: inout some TextOutputStream) {
        output.write(indent)
        output.write("\"")
        output.write(key)
        output.write("\" : ")
        JSONValue.writeQuoted(value, to: &output)
        output.write(last ? "\n" : ",\n")
    }

    /// Closes `instances` and writes the selection (nil leaves the key out), the summary and the tool version.
    func finish(summary s: PlanSummary, toolVersion: String, selection: PlanSelection? = nil,
                to output: inout some TextOutputStream) {
        output.write(instanceCount == 0 ? "\n\n  ],\n" : "\n  ],\n")
        switch selection {
        case nil: break
        case .all?: output.write("  \"selection\" : null,\n")
        case .names(let names)?:
            output.write("  \"selection\" : [")
            for (index, name) in names.enumerated() {
                output.write(index == 0 ? "\n    " : ",\n    ")
                JSONValue.writeQuoted(name, to: &output)
            }
            output.write(names.isEmpty ? "\n\n  ],\n" : "\n  ],\n")
        }
        let counts = [("create", s.create), ("delete", s.delete), ("instances", s.instances), ("instancesWithChanges", s.instancesWithChanges),
                      ("orphaned", s.orphaned), ("other", s.other), ("refused", s.refused), ("update", s.update)]
        output.write("  \"summary\" : {\n" + counts.map { "    \"\($0.0)\" : \($0.1)" }.joined(separator: ",\n") + "\n  },\n")
        output.write("  \"toolVersion\" : \(JSONValue.quoted(toolVersion))\n}")
    }

    /// The whole plan, ending without a newline as `JSONEncoder` does.
    static func write(_ plan: Plan, to output: inout some TextOutputStream) {
        var writer = PlanJSONWriter()
        writer.begin(fleet: plan.fleet, to: &output)
        for instance in plan.instances { writer.write(instance, to: &output) }
        writer.finish(summary: plan.summary, toolVersion: plan.toolVersion, to: &output)
    }
}
