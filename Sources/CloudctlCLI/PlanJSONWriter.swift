import FleetModel

/// Writes a `Plan` as the saved-plan JSON instance by instance (call `begin`, `write` per instance, `finish`), in the exact layout of `JSONEncoder` with
/// `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]`, without ever holding the whole document in memory.
struct PlanJSONWriter {
    private var instanceCount = 0

    /// The members before `instances`, and the opening of that array.
    mutating func begin(fleet: String, to output: inout some TextOutputStream) {
        output.write("{\n  \"fleet\" : \(Self.quoted(fleet)),\n  \"formatVersion\" : \(Plan.currentFormatVersion),\n  \"instances\" : [")
    }

    mutating func write(_ instance: InstancePlan, to output: inout some TextOutputStream) {
        output.write(instanceCount == 0 ? "\n" : ",\n")
        instanceCount += 1
        var members = [("name", Self.quoted(instance.name)), ("recordedFingerprint", Self.quoted(instance.recordedFingerprint))]
        if let refusal = instance.refusal { members.append(("refusal", Self.quoted(refusal))) }
        members += [("specFingerprint", Self.quoted(instance.specFingerprint)), ("status", Self.quoted(instance.status.rawValue))]
        output.write("    {\n")
        for (key, value) in members { output.write("      \"\(key)\" : \(value),\n") }
        output.write("      \"steps\" : [")
        for (index, step) in instance.steps.enumerated() {
            output.write(index == 0 ? "\n" : ",\n")
            Self.write(step, to: &output)
        }
        output.write(instance.steps.isEmpty ? "\n\n      ],\n" : "\n      ],\n")
        output.write("      \"wave\" : \(instance.wave)\n    }")
    }

    private static func write(_ step: PlanStep, to output: inout some TextOutputStream) {
        output.write("        {\n          \"action\" : \(Self.quoted(step.action.rawValue)),\n          \"disruptive\" : \(step.disruptive),\n          \"inputs\" : {")
        for (index, key) in step.inputs.keys.sorted().enumerated() {
            output.write((index == 0 ? "\n            " : ",\n            ") + Self.quoted(key) + " : " + Self.quoted(step.inputs[key]!))
        }
        output.write(step.inputs.isEmpty ? "\n\n          },\n" : "\n          },\n")
        output.write("          \"inputsHash\" : \(Self.quoted(step.inputsHash)),\n          \"reason\" : \(Self.quoted(step.reason)),\n")
        output.write("          \"resource\" : \(Self.quoted(step.resource.rawValue))\n        }")
    }

    /// Closes `instances` and writes the summary and tool version.
    func finish(summary s: PlanSummary, toolVersion: String, to output: inout some TextOutputStream) {
        output.write(instanceCount == 0 ? "\n\n  ],\n" : "\n  ],\n")
        let counts = [("create", s.create), ("delete", s.delete), ("instances", s.instances), ("instancesWithChanges", s.instancesWithChanges),
                      ("orphaned", s.orphaned), ("other", s.other), ("refused", s.refused), ("update", s.update)]
        output.write("  \"summary\" : {\n" + counts.map { "    \"\($0.0)\" : \($0.1)" }.joined(separator: ",\n") + "\n  },\n")
        output.write("  \"toolVersion\" : \(Self.quoted(toolVersion))\n}")
    }

    /// The whole plan, ending without a newline as `JSONEncoder` does.
    static func write(_ plan: Plan, to output: inout some TextOutputStream) {
        var writer = PlanJSONWriter()
        writer.begin(fleet: plan.fleet, to: &output)
        for instance in plan.instances { writer.write(instance, to: &output) }
        writer.finish(summary: plan.summary, toolVersion: plan.toolVersion, to: &output)
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, everything else (slashes, non-ASCII) as is.
    static func quoted(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return "\"\(text)\"" }
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
