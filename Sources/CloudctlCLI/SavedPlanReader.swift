import Foundation
import FleetModel
import FleetFiles

/// Which instances a saved plan covers: every instance, or the names given to `cloudctl plan NAME…`.
/// Saved as `"selection": null` or a sorted list of names, so apply can re-plan exactly the same instances.
enum PlanSelection: Hashable, Decodable, Sendable {
    case all
    case names([String])

    init(_ names: [String]) { self = names.isEmpty ? .all : .names(Array(Set(names)).sorted()) }

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = container.decodeNil() ? .all : .names(try container.decode([String].self))
    }

    /// The names to hand the planner; empty means all.
    var names: [String] {
        if case .names(let names) = self { return names }
        return []
    }
}

/// A saved plan read in place: its top level is decoded and checked at once, its instances one at a time on demand,
/// each from its own byte range of the memory-mapped file, so a plan of 100,000 instances is never held whole.
///
/// Generic over the plan's shape: instances are decoded with `InstancePlan`'s own `Decodable` conformance by a strict
/// decoder that refuses keys the conformance does not read, so unknown keys are errors wherever they are.
struct SavedPlanReader: Sendable {
    let path: String
    let toolVersion: String
    let fleet: String
    let summary: PlanSummary
    /// Nil in a plan printed by an older cloudctl without it.
    let selection: PlanSelection?
    let count: Int
    private let file: MappedFile
    private let elements: [JSONOutline.Element]
    private let residency = Residency()
    private let decoders = DecoderPool()

    private static let redo = "Save a plan with `cloudctl plan --out FILE` and use that file."
    private static let edited = "cloudctl writes no such key, so the file was edited. "
    private enum TopLevel: String, CaseIterable {
        case fleet, formatVersion, instances, selection, summary, toolVersion
    }

    init(_ url: URL) throws {
        path = url.path
        do { file = try MappedFile(path: path) } catch {
            throw DiagnosticsError([
                .error(
                    "Cannot read plan file \(path)",
                    detail: "Check the path, or save a plan with `cloudctl plan --out FILE`. (\(error))")
            ])
        }
        let outline = JSONOutline(file.bytes)
        let members: [String: Range<Int>]
        let file = file
        do {
            let top = try outline.topLevel(arrayKey: TopLevel.instances.rawValue, identityKey: "name") { _ in
                file.release()
            }
            members = Dictionary(uniqueKeysWithValues: top.members.map { ($0.key, $0.value) })
            elements = top.elements
        } catch let error as JSONOutlineError {
            throw DiagnosticsError([
                .error(
                    "\(path) is not a saved plan: it is not valid JSON",
                    detail: "Line \(error.line), column \(error.column): \(error.summary). " + Self.redo)
            ])
        }
        // The version first: a plan of another format may have other keys.
        guard members[TopLevel.formatVersion.rawValue] != nil else {
            throw DiagnosticsError([.error("\(path) is not a saved plan: it has no formatVersion", detail: Self.redo)])
        }
        let bytes = file.bytes
        let path = path
        func decode<T: Decodable>(_ type: T.Type, _ key: TopLevel) throws -> T {
            guard let range = members[key.rawValue] else {
                throw DiagnosticsError([
                    .error(
                        "\(path) is not a valid saved plan: missing \(key.rawValue)",
                        detail: Self.redo)
                ])
            }
            return try Self.decode(type, bytes, range, path: [PathKey(key.rawValue)], file: path)
        }
        let version = try decode(Int.self, .formatVersion)
        guard version == Plan.currentFormatVersion else {
            throw DiagnosticsError([
                .error(
                    "\(path) has plan format version \(version); this cloudctl (\(CLI.toolVersion)) reads "
                        + "version \(Plan.currentFormatVersion)",
                    detail: "Re-create the plan with this cloudctl: `cloudctl plan --out FILE`.")
            ])
        }
        if let unknown = members.keys.sorted().first(where: { TopLevel(rawValue: $0) == nil }) {
            throw DiagnosticsError([
                .error(
                    "\(path) is not a valid saved plan: unknown key \"\(unknown)\" at the top level",
                    detail: Self.edited + Self.redo)
            ])
        }
        toolVersion = try decode(String.self, .toolVersion)
        fleet = try decode(String.self, .fleet)
        summary = try decode(PlanSummary.self, .summary)
        selection = members[TopLevel.selection.rawValue] == nil ? nil : try decode(PlanSelection.self, .selection)
        guard let instances = members[TopLevel.instances.rawValue] else {
            throw DiagnosticsError([.error("\(path) is not a valid saved plan: missing instances", detail: Self.redo)])
        }
        guard file.bytes[instances.lowerBound] == UInt8(ascii: "[") else {
            throw DiagnosticsError([
                .error(
                    "\(path) is not a valid saved plan: instances is not an array",
                    detail: Self.redo)
            ])
        }
        count = elements.count
        file.release()
    }

    /// The name of instance `index`, read without decoding the instance when it is written plainly.
    func name(at index: Int) throws -> String {
        if let name = elements[index].identity { return name }
        return try instance(at: index).name
    }

    /// Instance `index`, decoded strictly.
    func instance(at index: Int) throws -> InstancePlan {
        defer { residency.touched(elements[index].range.count, file) }
        return try decoders.with { try decode(at: index, with: &$0) }
    }

    private func decode(at index: Int, with decoder: inout InstancePlanDecoder) throws -> InstancePlan {
        do {
            return try decoder.decode(
                file.bytes, range: elements[index].range,
                path: [PathKey(TopLevel.instances.rawValue), PathKey(index)])
        } catch {
            throw Self.invalid(error, file: path)
        }
    }

    /// Instances `range`, decoded on all cores (each is independent), in order; an instance that fails to decode is
    /// its error. Callers walk a large plan in such batches to keep both cores busy and memory bounded.
    func instances(_ range: Range<Int>) -> [Result<InstancePlan, Error>] {
        instances(range.map { Optional($0) }).map { $0! }
    }

    /// The instances at `indices` (nil: none), decoded on all cores, in order.
    func instances(_ indices: [Int?]) -> [Result<InstancePlan, Error>?] {
        // Each worker writes only its own slots.
        struct Slots: @unchecked Sendable { let buffer: UnsafeMutableBufferPointer<Result<InstancePlan, Error>?> }
        let slots = Slots(buffer: .allocate(capacity: indices.count))
        slots.buffer.initialize(repeating: nil)
        defer {
            _ = slots.buffer.deinitialize()
            slots.buffer.deallocate()
        }
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, max(1, indices.count / 16))
        let share = (indices.count + workers - 1) / workers
        let reader = self
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = worker * share
            reader.decoders.with { decoder in
                for offset in start..<min(start + share, indices.count) {
                    guard let index = indices[offset] else { continue }
                    slots.buffer[offset] = Result { try reader.decode(at: index, with: &decoder) }
                }
            }
        }
        residency.touched(indices.reduce(0) { $0 + ($1.map { elements[$0].range.count } ?? 0) }, file)
        return Array(slots.buffer)
    }

    /// Whether instance `index` is, byte for byte, `expected` as `cloudctl plan --out` writes it: then it needs no
    /// decoding (apply checks a saved plan against a fresh one, and an unedited file matches exactly).
    private func instance(at index: Int, isExactly expected: InstancePlan, _ rendering: inout PlanJSONWriter.StepBytes)
        -> Bool
    {
        rendering.matches(
            expected, UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: file.bytes[elements[index].range])))
    }

    /// For each slot, whether the instance at that index (nil: none to compare) is byte for byte `expected`'s
    /// rendering; rendered and compared on all cores.
    func instances(_ indices: [Int?], areExactly expected: [InstancePlan]) -> [Bool] {
        var result = [Bool](repeating: false, count: indices.count)
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, max(1, indices.count / 16))
        let share = (indices.count + workers - 1) / workers
        let reader = self
        result.withUnsafeMutableBufferPointer { buffer in
            // Each worker writes only its own slots.
            struct Slots: @unchecked Sendable { let buffer: UnsafeMutableBufferPointer<Bool> }
            let slots = Slots(buffer: buffer)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let start = worker * share
                var rendering = PlanJSONWriter.StepBytes()
                for offset in start..<min(start + share, indices.count) {
                    guard let index = indices[offset] else { continue }
                    slots.buffer[offset] = reader.instance(at: index, isExactly: expected[offset], &rendering)
                }
            }
        }
        residency.touched(indices.reduce(0) { $0 + ($1.map { elements[$0].range.count } ?? 0) }, file)
        return result
    }

    /// Starts decoding the instances at `indices` (nil: none) on a background queue, as `instances(_:)` does, so the
    /// caller can work on the previous batch meanwhile.
    func decodeInBackground(_ indices: [Int?]) -> Decoding { Decoding(self, indices: indices) }

    /// One batch of instances being decoded in the background.
    final class Decoding: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        // Written once by the background work before `done` is signalled, read only after waiting on it.
        private var result: [Result<InstancePlan, Error>?] = []

        fileprivate init(_ reader: SavedPlanReader, indices: [Int?]) {
            DispatchQueue.global().async {
                self.result = reader.instances(indices)
                self.done.signal()
            }
        }

        /// The decoded instances, in the order of `indices`, once they are all done.
        func wait() -> [Result<InstancePlan, Error>?] {
            done.wait()
            return result
        }
    }

    /// How many instances to decode at once: enough to share out, few enough to keep memory small.
    static let batchSize = 1024

    /// Refuses a plan whose summary is not the count of its instances: cloudctl never writes one, so it was edited.
    func checkSummary(_ recount: PlanSummary) throws {
        guard recount != summary else { return }
        throw DiagnosticsError([
            .error(
                "Saved plan's summary does not match its instances",
                detail: "\(path) says \(PlanTextRenderer.summaryLine(summary)) Its instances add up to: "
                    + "\(PlanTextRenderer.summaryLine(recount)) "
                    + "cloudctl never writes such a plan, so the file was edited. "
                    + Self.redo)
        ])
    }

    /// The whole plan in memory, checked like `show` checks it; for small plans and tests.
    func plan() throws -> Plan {
        let instances = try instances(0..<count).map { try $0.get() }
        var plan = Plan(toolVersion: toolVersion, fleet: fleet, instances: instances)
        try checkSummary(plan.summary)
        plan.summary = summary
        return plan
    }

    private static func decode<T: Decodable>(
        _ type: T.Type, _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
        path: [CodingKey], file: String
    ) throws -> T {
        do {
            return try StrictJSONDecoder.decode(type, from: bytes, range: range, path: path)
        } catch let error as StrictDecodingError {
            throw invalid(error, file: file)
        }
    }

    private static func invalid(_ error: StrictDecodingError, file: String) -> DiagnosticsError {
        DiagnosticsError([
            .error(
                "\(file) is not a valid saved plan: \(error)",
                detail: (error.problem.hasPrefix("unknown key") ? edited : "") + redo)
        ])
    }
}

/// Instance decoders for the threads decoding at once; each keeps the steps it has read (`InstancePlanDecoder`).
private final class DecoderPool: @unchecked Sendable {
    private var idle: [InstancePlanDecoder] = []
    private let lock = NSLock()

    func with<T>(_ body: (inout InstancePlanDecoder) throws -> T) rethrows -> T {
        var decoder = lock.withLock { idle.popLast() } ?? InstancePlanDecoder()
        defer { lock.withLock { idle.append(decoder) } }
        return try body(&decoder)
    }
}

/// Hands the mapped pages back after every 32 MiB decoded, so resident memory stays bounded however large the plan.
private final class Residency: @unchecked Sendable {
    private var bytes = 0

    func touched(_ count: Int, _ file: MappedFile) {
        bytes += count
        guard bytes >= 32 << 20 else { return }
        bytes = 0
        file.release()
    }
}

private extension PathKey {
    init(_ key: String) { self.init(stringValue: key) }
    init(_ index: Int) { self.init(intValue: index) }
}
