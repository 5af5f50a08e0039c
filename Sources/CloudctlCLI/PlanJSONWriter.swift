import Foundation
import FleetModel

/// Writes a `Plan` as the saved-plan JSON instance by instance (call `begin`, `write` per instance, `finish`), in the
/// exact layout of `JSONEncoder` with `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]`, without ever holding
/// the whole document in memory. Each instance is written from its `PlanJSON` shape, the one `Codable` uses too.
struct PlanJSONWriter {
    private var instanceCount = 0
    private var steps = StepBytes()
    /// Set when the plan's inputs are known: then the plan is sealed (`PlanSeal`).
    private var seal: PlanSeal.Builder?

    /// The members before `instances`, and the opening of that array; `inputs` (`PlanSeal.inputs`) seals the plan.
    mutating func begin(fleet: String, inputs: String? = nil, to output: inout some TextOutputStream) {
        output.write("{\n  \"fleet\" : ")
        JSONStringEscaper.write(fleet, to: &output)
        output.write(",\n  \"formatVersion\" : \(Plan.currentFormatVersion),\n")
        if let inputs {
            output.write("  \"inputs\" : \"\(inputs)\",\n")
            seal = PlanSeal.Builder(inputs: inputs)
        }
        output.write("  \"instances\" : [")
    }

    mutating func write(_ instance: InstancePlan, to output: inout some TextOutputStream) {
        output.write(instanceCount == 0 ? "\n    " : ",\n    ")
        instanceCount += 1
        // Built as bytes and handed over once per instance: a plan of 100,000 instances has tens of millions of
        // pieces, and writing each through `TextOutputStream` cost more than planning.
        let bytes = steps.bytes(of: instance)
        seal?.add(bytes.withUnsafeBytes(PlanSeal.Builder.digest))
        output.write(String(decoding: bytes, as: UTF8.self))
    }

    /// Renders instances exactly as they stand in the `instances` array of a saved plan, reusing the bytes of steps
    /// it has already rendered: most steps of a large fleet are equal (same resource, attributes and cause), and
    /// building and writing their JSON shape cost more than planning. Holds at most `capacity` distinct steps.
    struct StepBytes {
        private var rendered: [PlanStep: [UInt8]] = [:]
        /// The last instance's steps with their bytes, by position: the next instance most likely has equal steps in
        /// the same places, and comparing two steps costs less than hashing one.
        private var previous: [(step: PlanStep, bytes: [UInt8])] = []
        private let capacity = 256
        private static let stepIndent = 8

        mutating func bytes(of instance: InstancePlan) -> [UInt8] {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(8192)
            // An empty array has its own layout; nothing to reuse there.
            guard !instance.steps.isEmpty else {
                PlanJSONWriter.append(instance.planJSON, indent: 4, to: &bytes)
                return bytes
            }
            let steps = stepBytes(instance.steps)
            var outline = instance
            outline.steps = []
            PlanJSONWriter.append(outline.planJSON, indent: 4, to: &bytes) { bytes in
                for (index, step) in steps.enumerated() {
                    if index > 0 { bytes.append(UInt8(ascii: ",")) }
                    PlanJSONWriter.newline(Self.stepIndent, &bytes)
                    bytes.append(contentsOf: step)
                }
            }
            return bytes
        }

        /// Whether `saved` is exactly `bytes(of: instance)`, found piece by piece without building those bytes (apply
        /// checks every instance of a saved plan this way).
        mutating func matches(_ instance: InstancePlan, _ saved: UnsafeRawBufferPointer) -> Bool {
            guard !instance.steps.isEmpty else { return Self.equal(bytes(of: instance)[...], saved[...]) }
            let steps = stepBytes(instance.steps)
            var outline = instance
            outline.steps = []
            // The instance without steps is `head` + `tail`; its steps go in between.
            var bytes: [UInt8] = []
            bytes.reserveCapacity(1024)
            var split = 0
            PlanJSONWriter.append(outline.planJSON, indent: 4, to: &bytes) { split = $0.count }
            let separator = 1 + Self.stepIndent
            let length = bytes.count + steps.reduce(0) { $0 + separator + $1.count } + steps.count - 1
            guard length == saved.count, Self.equal(bytes[..<split], saved[..<split]) else { return false }
            var offset = split
            var newline = [UInt8](repeating: UInt8(ascii: " "), count: separator)
            newline[0] = UInt8(ascii: "\n")
            for (index, step) in steps.enumerated() {
                if index > 0 {
                    guard saved[offset] == UInt8(ascii: ",") else { return false }
                    offset += 1
                }
                guard Self.equal(newline[...], saved[offset..<offset + separator]),
                    Self.equal(step[...], saved[offset + separator..<offset + separator + step.count])
                else { return false }
                offset += separator + step.count
            }
            return Self.equal(bytes[split...], saved[offset...])
        }

        private static func equal(_ expected: ArraySlice<UInt8>, _ saved: Slice<UnsafeRawBufferPointer>) -> Bool {
            guard expected.count == saved.count else { return false }
            guard !expected.isEmpty else { return true }
            return expected.withUnsafeBytes {
                memcmp($0.baseAddress!, saved.base.baseAddress! + saved.startIndex, $0.count) == 0
            }
        }

        /// The bytes of each step, reused from the last instance where its step in the same place is equal.
        private mutating func stepBytes(_ steps: [PlanStep]) -> [[UInt8]] {
            // Updated in place: copying steps in and out of a new array cost more than comparing them.
            var bytes: [[UInt8]] = []
            bytes.reserveCapacity(steps.count)
            for (position, step) in steps.enumerated() {
                if position == previous.count {
                    previous.append((step, rendered(step)))
                } else if previous[position].step != step {
                    previous[position] = (step, rendered(step))
                }
                bytes.append(previous[position].bytes)
            }
            return bytes
        }

        /// The step's bytes at its indent in a saved plan; shared, not copied, when seen before.
        private mutating func rendered(_ step: PlanStep) -> [UInt8] {
            if let known = rendered[step] { return known }
            var fresh: [UInt8] = []
            PlanJSONWriter.append(step.planJSON, indent: Self.stepIndent, to: &fresh)
            if rendered.count < capacity { rendered[step] = fresh }
            return fresh
        }
    }

    /// `value` pretty-printed as `JSONEncoder` does, its first line already indented by the caller.
    static func write(_ value: PlanJSON, indent: Int, to output: inout some TextOutputStream) {
        var bytes: [UInt8] = []
        append(value, indent: indent, to: &bytes)
        output.write(String(decoding: bytes, as: UTF8.self))
    }

    /// `value` as `JSONEncoder` writes it. With `steps`, an instance's `steps` array (empty in `value`) is written by
    /// `steps`, element by element.
    private static func append(
        _ value: PlanJSON, indent: Int, to bytes: inout [UInt8], steps: ((inout [UInt8]) -> Void)? = nil
    ) {
        switch value {
        case .string(let s):
            appendQuoted(s, to: &bytes)
        case .int(let n):
            bytes.append(contentsOf: String(n).utf8)
        case .bool(let b):
            bytes.append(contentsOf: b ? trueBytes : falseBytes)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent + 2, &bytes)
                append(element, indent: indent + 2, to: &bytes)
            }
            if elements.isEmpty { bytes.append(UInt8(ascii: "\n")) }
            newline(indent, &bytes)
            bytes.append(UInt8(ascii: "]"))
        case .members(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent + 2, &bytes)
                appendQuoted(member.key, to: &bytes)
                bytes.append(contentsOf: separator)
                if let steps, member.key == "steps" {
                    bytes.append(UInt8(ascii: "["))
                    steps(&bytes)
                    newline(indent + 2, &bytes)
                    bytes.append(UInt8(ascii: "]"))
                } else {
                    append(member.value, indent: indent + 2, to: &bytes)
                }
            }
            if members.isEmpty { bytes.append(UInt8(ascii: "\n")) }
            newline(indent, &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)
    private static let separator = Array(" : ".utf8)

    private static func newline(_ indent: Int, _ bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
    }

    /// A JSON string literal, escaped as `JSONStringEscaper` does; the common case (nothing to escape) is a copy.
    private static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        let plain = text.withUTF8 { utf8 in
            !utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        }
        if plain {
            bytes.append(UInt8(ascii: "\""))
            text.withUTF8 { bytes.append(contentsOf: $0) }
            bytes.append(UInt8(ascii: "\""))
        } else {
            bytes.append(contentsOf: JSONStringEscaper.quoted(text).utf8)
        }
    }

    /// Closes `instances` and writes the seal (when begun with inputs), the selection (nil leaves the key out), the
    /// summary and the tool version.
    func finish(
        summary s: PlanSummary, toolVersion: String, selection: PlanSelection? = nil,
        to output: inout some TextOutputStream
    ) {
        output.write(instanceCount == 0 ? "\n\n  ],\n" : "\n  ],\n")
        if let seal { output.write("  \"seal\" : \"\(seal.seal)\",\n") }
        switch selection {
        case nil: break
        case .all?: output.write("  \"selection\" : null,\n")
        case .names(let names)?:
            output.write("  \"selection\" : ")
            Self.write(.array(names.map { .string($0) }), indent: 2, to: &output)
            output.write(",\n")
        }
        let counts = [
            ("create", s.create), ("delete", s.delete), ("instances", s.instances),
            ("instancesWithChanges", s.instancesWithChanges), ("orphaned", s.orphaned), ("other", s.other),
            ("refused", s.refused), ("update", s.update),
        ]
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
