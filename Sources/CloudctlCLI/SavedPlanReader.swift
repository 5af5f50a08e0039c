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
    /// `PlanSeal`'s digests; nil in a plan saved without them (e.g. made from `Plan` values in tests).
    let inputs: String?
    let seal: String?
    let count: Int
    private let file: MappedFile
    private let elements: [JSONOutline.Element]
    private let residency = Residency()
    private let decoders = DecoderPool(checked: true)
    private let sealedDecoders = DecoderPool(checked: false)

    private static let redo = "Save a plan with `cloudctl plan --out FILE` and use that file."
    private static let edited = "cloudctl writes no such key, so the file was edited. "
    private enum TopLevel: String, CaseIterable {
        case fleet, formatVersion, inputs, instances, seal, selection, summary, toolVersion
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
        inputs = members[TopLevel.inputs.rawValue] == nil ? nil : try decode(String.self, .inputs)
        seal = members[TopLevel.seal.rawValue] == nil ? nil : try decode(String.self, .seal)
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

    /// Whether the file at `url` starts as a sealed plan does (`inputs` among its first members); only to decide
    /// whether to read the instance files for a check by the seal, before the file is outlined.
    static func looksSealed(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 1024)) ?? Data()
        return head.range(of: Data("\n  \"inputs\" : \"".utf8)) != nil
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
        decode(indices, with: decoders) { _, _ in }
    }

    /// The instances at `indices` decoded by `pool`'s decoders on all cores, in order; `also` runs for each decoded
    /// slot (offset, index) on the worker that decoded it.
    private func decode(
        _ indices: [Int?], with pool: DecoderPool, also: (Int, Int) -> Void
    ) -> [Result<InstancePlan, Error>?] {
        let slots = DisjointSlots<Result<InstancePlan, Error>?>(buffer: .allocate(capacity: indices.count))
        slots.buffer.initialize(repeating: nil)
        defer {
            _ = slots.buffer.deinitialize()
            slots.buffer.deallocate()
        }
        // Small shares, taken by whichever thread is free: with one share per core, a core whose share was done sat
        // idle while the other finished (the printing thread takes a core too).
        let share = 64
        let reader = self
        withoutActuallyEscaping(also) { also in
            // Only the workers below call it, and concurrentPerform returns after all of them.
            struct Also: @unchecked Sendable { let call: (Int, Int) -> Void }
            let each = Also(call: also)
            DispatchQueue.concurrentPerform(iterations: (indices.count + share - 1) / share) { worker in
                let start = worker * share
                pool.with { decoder in
                    for offset in start..<min(start + share, indices.count) {
                        guard let index = indices[offset] else { continue }
                        slots.buffer[offset] = Result { try reader.decode(at: index, with: &decoder) }
                        each.call(offset, index)
                    }
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
            let slots = DisjointSlots(buffer: buffer)
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

    /// Hands the instances to `body` a batch at a time, in order, decoding batch k + 1 (with `decode`) in the
    /// background while `body` takes batch k; `body` returns false to stop. However it ends, the batch in flight is
    /// finished first: it reads the mapped file.
    func forEachBatch<Batch>(
        _ decode: @escaping @Sendable (SavedPlanReader, Range<Int>) -> Batch, _ body: (Batch) throws -> Bool
    ) rethrows {
        let batches = stride(from: 0, to: count, by: Self.batchSize).map { $0..<min($0 + Self.batchSize, count) }
        var next = batches.first.map { first in BackgroundWork { decode(self, first) } }
        defer { _ = next?.wait() }
        for index in batches.indices {
            let batch = next!.wait()
            next = index + 1 < batches.count ? BackgroundWork { decode(self, batches[index + 1]) } : nil
            guard try body(batch) else { return }
        }
    }

    /// Instances of a sealed plan and the digest of each one's bytes, for `PlanSeal.Builder`.
    struct SealedBatch {
        var instances: [Result<InstancePlan, Error>]
        var digests: [[UInt8]]
    }

    /// Instances `range` of a sealed plan, decoded on all cores without recomputing what the seal vouches for
    /// (`PlanStep.init(planJSON:checked:)`), with their digests for `readSealed` to check the seal with.
    private func sealedInstances(_ range: Range<Int>) -> SealedBatch {
        let indices = Array(range)
        var digests = [[UInt8]](repeating: [], count: indices.count)
        let instances = digests.withUnsafeMutableBufferPointer { buffer in
            let slots = DisjointSlots(buffer: buffer)
            return decode(indices, with: sealedDecoders) { offset, index in
                let bytes = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: file.bytes[elements[index].range]))
                slots.buffer[offset] = PlanSeal.Builder.digest(bytes)
            }
        }
        return SealedBatch(instances: instances.map { $0! }, digests: digests)
    }

    /// Reads a sealed plan whole, handing each instance to `each` in plan order, and returns the summary when the
    /// plan holds together: its instances hash to its seal (`PlanSeal`) and add up to its summary. Nil when they do
    /// not, or the plan is not sealed, or an instance does not decode: then what `each` received must be thrown away
    /// and the plan read the long way, which says what is wrong. (Whether the plan's inputs are still the ones it
    /// was made from is for apply to check.)
    func readSealed(_ each: (InstancePlan) -> Void) -> PlanSummary? {
        guard let inputs, seal != nil else { return nil }
        var sealed = PlanSeal.Builder(inputs: inputs)
        var recount = PlanSummary()
        var decoded = true
        forEachBatch({ reader, range in reader.sealedInstances(range) }) { batch in
            for (result, digest) in zip(batch.instances, batch.digests) {
                guard case .success(let instance) = result else {
                    decoded = false
                    return false
                }
                sealed.add(digest)
                recount.add(instance)
                each(instance)
            }
            return true
        }
        guard decoded, sealed.seal == seal, recount == summary else { return nil }
        return recount
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
    private let checked: Bool

    init(checked: Bool) { self.checked = checked }

    func with<T>(_ body: (inout InstancePlanDecoder) throws -> T) rethrows -> T {
        var decoder = lock.withLock { idle.popLast() } ?? InstancePlanDecoder(checked: checked)
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
