import Foundation
import FleetModel
import StateBackend

/// The JSON island the page's script reads: compact arrays, with repeated strings (versions, holders, errors,
/// attribute texts) kept once in a string table, so 10,000 instances stay within a few megabytes.
/// The layout is documented in docs/report.md; the script in `PageScript` is its only reader.
struct PageData {
    /// Interned strings; index 0 is the empty string, meaning "none".
    private var strings: [String] = [""]
    private var index: [String: Int] = ["": 0]
    private var out = ""
    private let now: Date

    init(now: Date) { self.now = now }

    /// The whole JSON document for `instances`.
    static func json(_ instances: [ReportInstance], flags: [AttentionFlags], now: Date) -> String {
        var data = PageData(now: now)
        data.out.reserveCapacity(instances.count * 900)
        data.out += "["
        for (position, instance) in instances.enumerated() {
            if position > 0 { data.out += ",\n" }
            data.write(instance, flags: flags[position])
        }
        data.out += "]"
        var document = "{\"now\":\(Int(now.timeIntervalSince1970)),\"s\":["
        for (position, string) in data.strings.enumerated() {
            if position > 0 { document += "," }
            HTMLEscaper.jsonString(string, to: &document)
        }
        return document + "],\n\"i\":" + data.out + "}"
    }

    private mutating func intern(_ string: String?) -> Int {
        guard let string else { return 0 }
        if let known = index[string] { return known }
        strings.append(string)
        index[string] = strings.count - 1
        return strings.count - 1
    }

    /// Minutes between `date` and the page's time: positive in the past.
    private func minutesAgo(_ date: Date) -> Int { Int((now.timeIntervalSince(date) / 60).rounded(.down)) }

    private mutating func number(_ value: Int) {
        out += String(value)
        out += ","
    }

    private mutating func string(_ value: String) {
        HTMLEscaper.jsonString(value, to: &out)
        out += ","
    }

    /// Field order: see docs/report.md ("The data island").
    private mutating func write(_ instance: ReportInstance, flags: AttentionFlags) {
        let spec = instance.spec
        let recorded = instance.recorded
        out += "["
        string(instance.name)
        string(spec?.customer ?? "")
        number(intern(spec?.type.rawValue))
        number(intern(spec?.channel))
        number(intern(spec?.version.description))
        number(intern(recorded?.runningVersion?.description))
        number(intern(spec?.state.rawValue))
        number(intern(recorded?.state.rawValue))
        number(flags.rawValue)
        if let lock = instance.lock {
            out += "[\(intern(lock.holder)),\(minutesAgo(lock.acquiredAt)),\(-minutesAgo(lock.leaseUntil))],"
        } else {
            out += "0,"
        }
        writeResources(recorded)
        let positions = writeOperations(instance.operations)
        writeSteps(instance.steps, positions: positions)
        number(intern(spec?.size))
        number(intern(spec?.region ?? recorded?.region))
        number(intern(spec.map(Self.window)))
        string(spec?.domain ?? recorded?.domain ?? "")
        out += spec?.protected ?? recorded?.protected ?? false ? "1" : "0"
        out += "]"
    }

    private static func window(_ spec: InstanceSpec) -> String {
        let w = spec.maintenanceWindow
        return "\(w.day.rawValue) \(w.start) for \(w.duration) (\(w.timeZone))"
    }

    /// `[kind, cloud id prefix, cloud id rest, attributes]` per resource, flattened. ARNs share their prefix
    /// (`arn:aws:ecs:us-east-1:123456789012:service/`) across the fleet, so it is interned.
    private mutating func writeResources(_ recorded: RecordedInstance?) {
        out += "["
        var first = true
        for kind in ResourceKind.allCases {
            guard let resource = recorded?.resources[kind] else { continue }
            if !first { out += "," }
            first = false
            let id = resource.cloudId
            let cut = id.lastIndex(of: "/") ?? id.lastIndex(of: ":")
            let prefix = cut.map { String(id[...$0]) } ?? ""
            let rest = cut.map { String(id[id.index(after: $0)...]) } ?? id
            let attributes = resource.attributes.map { attributes in
                attributes.fields.map { "\($0.name)=\($0.value.text)" }.joined(separator: ", ")
            }
            out += "\(intern(kind.rawValue)),\(intern(prefix)),"
            HTMLEscaper.jsonString(rest, to: &out)
            out += ",\(intern(attributes ?? "(not recorded)"))"
        }
        out += "],"
    }

    /// `[kind, result, holder, started minutes ago, duration seconds or -1, error]` per operation, flattened;
    /// returns each operation's position by id, for the steps.
    private mutating func writeOperations(_ operations: [OperationRecord]) -> [Int64: Int] {
        var positions: [Int64: Int] = [:]
        out += "["
        for (position, operation) in operations.enumerated() {
            if position > 0 { out += "," }
            positions[operation.id] = position
            let duration = operation.finishedAt.map { Int($0.timeIntervalSince(operation.startedAt).rounded()) } ?? -1
            out += "\(intern(operation.kind)),\(intern(operation.result.rawValue)),\(intern(operation.holder)),"
            out += "\(minutesAgo(operation.startedAt)),\(duration),\(intern(operation.error))"
        }
        out += "],"
        return positions
    }

    /// `[operation position or -1, index, action, resource, status, attempts, error]` per step, flattened.
    private mutating func writeSteps(_ steps: [StepRecord], positions: [Int64: Int]) {
        out += "["
        for (position, step) in steps.enumerated() {
            if position > 0 { out += "," }
            out += "\(positions[step.operationId] ?? -1),\(step.index),\(intern(step.action.rawValue)),"
            out += "\(intern(step.resource.rawValue)),\(intern(step.status.rawValue)),\(step.attempts),"
            out += "\(intern(step.error))"
        }
        out += "],"
    }
}
