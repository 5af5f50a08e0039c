import FleetModel

/// Writes a `Plan` as the saved-plan JSON instance by instance (call `begin`, `write` per instance, `finish`), in the
/// exact layout of `JSONEncoder` with `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]`, without ever holding
/// the whole document in memory. Each instance is written from its `PlanJSON` shape, the one `Codable` uses too.
struct PlanJSONWriter {
    private var instanceCount = 0

    /// The members before `instances`, and the opening of that array.
    mutating func begin(fleet: String, to output: inout some TextOutputStream) {
        output.write("{\n  \"fleet\" : ")
        JSONStringEscaper.write(fleet, to: &output)
        output.write(",\n  \"formatVersion\" : \(Plan.currentFormatVersion),\n  \"instances\" : [")
    }

    mutating func write(_ instance: InstancePlan, to output: inout some TextOutputStream) {
        output.write(instanceCount == 0 ? "\n    " : ",\n    ")
        instanceCount += 1
        Self.write(instance.planJSON, indent: 4, to: &output)
    }

    /// `value` pretty-printed as `JSONEncoder` does, its first line already indented by the caller.
    static func write(_ value: PlanJSON, indent: Int, to output: inout some TextOutputStream) {
        switch value {
        case .string(let s):
            JSONStringEscaper.write(s, to: &output)
        case .int(let n):
            output.write(String(n))
        case .bool(let b):
            output.write(b ? "true" : "false")
        case .array(let elements):
            let inner = Self.indent(indent + 2)
            output.write("[")
            for (index, element) in elements.enumerated() {
                output.write(index == 0 ? "\n" : ",\n")
                output.write(inner)
                write(element, indent: indent + 2, to: &output)
            }
            output.write(elements.isEmpty ? "\n\n" : "\n")
            output.write(Self.indent(indent))
            output.write("]")
        case .members(let members):
            let inner = Self.indent(indent + 2)
            output.write("{")
            for (index, member) in members.enumerated() {
                output.write(index == 0 ? "\n" : ",\n")
                output.write(inner)
                JSONStringEscaper.write(member.key, to: &output)
                output.write(" : ")
                write(member.value, indent: indent + 2, to: &output)
            }
            output.write(members.isEmpty ? "\n\n" : "\n")
            output.write(Self.indent(indent))
            output.write("}")
        }
    }

    /// Indentation strings, shared: a plan of 100,000 instances writes millions of them.
    private static let indents = (0...24).map { String(repeating: " ", count: $0) }

    private static func indent(_ width: Int) -> String {
        width < indents.count ? indents[width] : String(repeating: " ", count: width)
    }

    /// Closes `instances` and writes the selection (nil leaves the key out), the summary and the tool version.
    func finish(summary s: PlanSummary, toolVersion: String, selection: PlanSelection? = nil,
                to output: inout some TextOutputStream) {
        output.write(instanceCount == 0 ? "\n\n  ],\n" : "\n  ],\n")
        switch selection {
        case nil: break
        case .all?: output.write("  \"selection\" : null,\n")
        case .names(let names)?:
            output.write("  \"selection\" : ")
            Self.write(.array(names.map { .string($0) }), indent: 2, to: &output)
            output.write(",\n")
        }
        let counts = [("create", s.create), ("delete", s.delete), ("instances", s.instances),
                      ("instancesWithChanges", s.instancesWithChanges), ("orphaned", s.orphaned), ("other", s.other),
                      ("refused", s.refused), ("update", s.update)]
        output.write("  \"summary\" : ")
        Self.write(.object(counts.map { ($0.0, .int($0.1)) }), indent: 2, to: &output)
        output.write(",\n  \"toolVersion\" : ")
        JSONStringEscaper.write(toolVersion, to: &output)
        output.write("\n}")
    }

    /// The whole plan, ending without a newline as `JSONEncoder` does.
    static func write(_ plan: Plan, to output: inout some TextOutputStream) {
        var writer = PlanJSONWriter()
        writer.begin(fleet: plan.fleet, to: &output)
        for instance in plan.instances { writer.write(instance, to: &output) }
        writer.finish(summary: plan.summary, toolVersion: plan.toolVersion, to: &output)
    }
}
