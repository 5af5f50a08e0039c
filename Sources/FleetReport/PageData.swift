import Foundation
import FleetModel
import StateBackend

/// The JSON island the page's script reads: compact arrays, with repeated strings (versions, holders, errors,
/// attribute texts) kept once in a string table and the journal's enums as small codes, so 10,000 instances stay
/// within a few megabytes. Inside an instance's cloud ids and attribute texts its own name is written as U+0001:
/// then `arn:…:service/cloudctl-demo-\u{1}/` and `domain=\u{1}.example.com` are shared by the whole fleet.
/// The layout is documented in docs/report.md; the script in `PageScript` is its only reader.
struct PageData {
    /// Interned strings; index 0 is the empty string, meaning "none".
    private var strings: [String] = [""]
    private var index: [String: Int] = ["": 0]
    /// Attribute texts by value: most resources of a fleet share a few dozen.
    private var attributeTexts: [ResourceAttributes: String] = [:]
    private var out = PageBytes()
    private let now: Date

    init(now: Date) { self.now = now }

    /// The whole JSON document for `instances`.
    static func json(_ instances: [ReportInstance], flags: [AttentionFlags], now: Date) -> String {
        var data = PageData(now: now)
        data.out.bytes.reserveCapacity(instances.count * 900)
        data.out += "["
        for (position, instance) in instances.enumerated() {
            if position > 0 { data.out += ",\n" }
            data.write(instance, flags: flags[position])
        }
        data.out += "]"
        var document = "{\"now\":\(Int(now.timeIntervalSince1970)),\"e\":{"
        let enums = [
            ("action", StepAction.allCases.map(\.rawValue)), ("resource", ResourceKind.allCases.map(\.rawValue)),
            ("status", statuses.map(\.rawValue)), ("result", results.map(\.rawValue)),
        ]
        for (position, (key, names)) in enums.enumerated() {
            document += (position > 0 ? ",\"" : "\"") + key + "\":["
            for (offset, name) in names.enumerated() {
                if offset > 0 { document += "," }
                HTMLEscaper.jsonString(name, to: &document)
            }
            document += "]"
        }
        document += "},\"s\":["
        for (position, string) in data.strings.enumerated() {
            if position > 0 { document += "," }
            HTMLEscaper.jsonString(string, to: &document)
        }
        document += "],\n\"i\":"
        data.out += "}"
        return document + String(decoding: data.out.bytes, as: UTF8.self)
    }

    /// Codes of actions and resource kinds, computed once: `allCases` builds a new array on every use.
    private static let actionCodes = Dictionary(
        uniqueKeysWithValues: StepAction.allCases.enumerated().map { ($1, $0) })
    private static let kindCodes = Dictionary(uniqueKeysWithValues: ResourceKind.allCases.enumerated().map { ($1, $0) })
    private static let kinds = ResourceKind.allCases

    /// Code order of the journal's enums on the page (`e.status`, `e.result`); the switches below keep them complete.
    static let statuses: [StepStatus] = [.running, .succeeded, .failed, .notStarted, .interrupted]
    static let results: [OperationResult] = [
        .running, .succeeded, .failed, .cancelled, .interrupted, .deferred, .skipped,
    ]

    private static func code(_ status: StepStatus) -> Int {
        switch status {
        case .running: 0
        case .succeeded: 1
        case .failed: 2
        case .notStarted: 3
        case .interrupted: 4
        }
    }

    private static func code(_ result: OperationResult) -> Int {
        switch result {
        case .running: 0
        case .succeeded: 1
        case .failed: 2
        case .cancelled: 3
        case .interrupted: 4
        case .deferred: 5
        case .skipped: 6
        }
    }

    /// `text` with the instance's name written as U+0001 (an existing U+0001, which no cloud id or file value holds,
    /// becomes U+FFFD so the page cannot misread it). Byte-wise: UTF-8 never matches inside another character, and
    /// Foundation's string search costs a third of the page's time at 10,000 instances. Most texts (every attribute
    /// text without the name) come back as they are, without copying their bytes.
    static func abbreviated(_ text: String, name: String) -> String {
        var text = text
        var name = name
        let changed = name.withUTF8 { needle in text.withUTF8 { abbreviated($0, needle: needle) } }
        return changed ?? text
    }

    /// The abbreviated text, or nil when there is nothing to replace.
    private static func abbreviated(_ bytes: UnsafeBufferPointer<UInt8>, needle: UnsafeBufferPointer<UInt8>) -> String?
    {
        func matches(at i: Int) -> Bool {
            guard !needle.isEmpty, bytes[i] == needle[0], i + needle.count <= bytes.count else { return false }
            return UnsafeBufferPointer(rebasing: bytes[i..<(i + needle.count)]).elementsEqual(needle)
        }
        var i = 0
        while i < bytes.count, bytes[i] != 1, !matches(at: i) { i += 1 }
        guard i < bytes.count else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<i]))
        while i < bytes.count {
            if matches(at: i) {
                out.append(1)
                i += needle.count
            } else if bytes[i] == 1 {
                out.append(contentsOf: "\u{FFFD}".utf8)
                i += 1
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
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
        out.append(value)
        out += ","
    }

    /// Values separated by commas, without building an interpolated string per row (10,000 instances write ~1M).
    private mutating func numbers(_ values: Int...) {
        for (position, value) in values.enumerated() {
            if position > 0 { out += "," }
            out.append(value)
        }
    }

    private mutating func string(_ value: String) {
        out.appendJSONString(value)
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
            out += "["
            numbers(intern(lock.holder), minutesAgo(lock.acquiredAt), -minutesAgo(lock.leaseUntil))
            out += "],"
        } else {
            out += "0,"
        }
        writeResources(recorded, name: instance.name)
        writeOperations(instance.operations)
        writeSteps(instance.steps, operations: instance.operations)
        number(intern(spec?.size))
        number(intern(spec?.region ?? recorded?.region))
        number(intern(spec.map(Self.window)))
        number(intern((spec?.domain ?? recorded?.domain).map { Self.abbreviated($0, name: instance.name) }))
        out += spec?.protected ?? recorded?.protected ?? false ? "1" : "0"
        out += "]"
    }

    private static func window(_ spec: InstanceSpec) -> String {
        let w = spec.maintenanceWindow
        return "\(w.day.rawValue) \(w.start) for \(w.duration) (\(w.timeZone))"
    }

    /// `[kind code, cloud id prefix, cloud id rest, attributes]` per resource, flattened. ARNs share their prefix
    /// (`arn:aws:ecs:us-east-1:123456789012:service/`) across the fleet, so it is interned.
    private mutating func writeResources(_ recorded: RecordedInstance?, name: String) {
        out += "["
        var first = true
        for kind in Self.kinds {
            guard let resource = recorded?.resources[kind] else { continue }
            if !first { out += "," }
            first = false
            let id = Self.abbreviated(resource.cloudId, name: name)
            // An id made from the name alone (`cloudctl-demo-\u{1}`) is the same for every instance: kept whole.
            // Otherwise cut after the last `/` or `:` (ASCII, so both halves stay whole characters).
            var prefix = id
            var rest = ""
            if !id.utf8.contains(1) {
                if let cut = id.utf8.lastIndex(of: UInt8(ascii: "/")) ?? id.utf8.lastIndex(of: UInt8(ascii: ":")) {
                    prefix = String(id[...cut])
                    rest = String(id[id.utf8.index(after: cut)...])
                } else {
                    prefix = ""
                    rest = id
                }
            }
            let attributes = resource.attributes.map { attributes in
                if let known = attributeTexts[attributes] { return known }
                let text = attributes.fields.map { "\($0.name)=\($0.value.text)" }.joined(separator: ", ")
                attributeTexts[attributes] = text
                return text
            }
            numbers(Self.kindCodes[kind] ?? 0, intern(prefix))
            out += ","
            out.appendJSONString(rest)
            out += ","
            out.append(intern(attributes.map { Self.abbreviated($0, name: name) } ?? "(not recorded)"))
        }
        out += "],"
    }

    /// `[kind, result code, holder, started minutes ago, duration seconds or -1, error]` per operation, flattened.
    private mutating func writeOperations(_ operations: [OperationRecord]) {
        out += "["
        for (position, operation) in operations.enumerated() {
            if position > 0 { out += "," }
            let duration = operation.finishedAt.map { Int($0.timeIntervalSince(operation.startedAt).rounded()) } ?? -1
            numbers(
                intern(operation.kind), Self.code(operation.result), intern(operation.holder),
                minutesAgo(operation.startedAt), duration, intern(operation.error))
        }
        out += "],"
    }

    /// `[operation position or -1, index, action × 1000 + resource × 10 + status (resource < 100), attempts,
    /// error]` per step, flattened (codes: positions in `e.action`, `e.resource`, `e.status`).
    private mutating func writeSteps(_ steps: [StepRecord], operations: [OperationRecord]) {
        out += "["
        for (position, step) in steps.enumerated() {
            if position > 0 { out += "," }
            let action = Self.actionCodes[step.action] ?? 0
            let code = action * 1000 + (Self.kindCodes[step.resource] ?? 0) * 10 + Self.code(step.status)
            // At most 20 operations: a scan beats building a dictionary per instance.
            let operation = operations.firstIndex { $0.id == step.operationId } ?? -1
            numbers(operation, step.index, code, step.attempts, intern(step.error))
        }
        out += "],"
    }
}

/// The data island's bytes as they are written. Appending to `[UInt8]` is a copy; appending to `String` also
/// re-checked capacity and ASCII-ness per piece, which was a third of the island's time at 10,000 instances.
struct PageBytes {
    var bytes: [UInt8] = []

    static func += (out: inout PageBytes, text: String) {
        out.bytes.append(contentsOf: text.utf8)
    }

    /// `value` in decimal, as `String(value)` writes it.
    mutating func append(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var count = 1
        var rest = magnitude
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        var position = bytes.count - 1
        while magnitude > 0 {
            bytes[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            position -= 1
        }
    }

    /// `value` as `HTMLEscaper.jsonString` writes it.
    mutating func appendJSONString(_ value: String) {
        HTMLEscaper.jsonString(value, to: &bytes)
    }
}
