import FleetModel
import Foundation

/// Decodes the instances of a saved plan, reading each distinct step once: the instances of a fleet repeat the same
/// steps (same resource, attributes and cause) over and over, so a step whose exact bytes were read and checked before
/// is recognized by comparing bytes and reused, without parsing it or checking its hash and reason again.
///
/// One decoder per thread: it remembers the steps of the instance it read last (the next one most likely has the same
/// steps in the same places) and up to `capacity` other steps by a hash of their bytes.
public struct InstancePlanDecoder {
    /// A step read and checked, with the bytes it was read from: a whole JSON value, so equal bytes anywhere else in
    /// a steps array are the same step.
    private struct KnownStep {
        var bytes: [UInt8]
        var step: PlanStep
    }

    private var previous: [KnownStep] = []
    private var known: [Int: KnownStep] = [:]
    private static let capacity = 1024
    /// False for a sealed plan's instances (`PlanStep.init(planJSON:checked:)`); a decoder never mixes the two, so a
    /// step it remembers was read as strictly as the one it stands for.
    private let checked: Bool

    public init(checked: Bool = true) { self.checked = checked }

    /// Decodes `bytes[range]` as an instance strictly, like `StrictJSONDecoder.decodePlan`, with the same errors;
    /// `path` is where the instance sits in its document, for messages.
    public mutating func decode(
        _ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, path: [CodingKey] = []
    ) throws(StrictDecodingError) -> InstancePlan {
        var current: [KnownStep] = []
        // The first step that does not check out; the rest are still parsed, so syntax errors come first.
        var failure: PlanJSONError?
        let parsed: (instance: PlanJSON, readSteps: Bool)
        do {
            parsed = try PlanJSONParser.parseInstance(bytes, range: range) { parser throws(PlanJSONParser.Failure) in
                let position = current.count
                if failure == nil, position < previous.count,
                    previous[position].bytes.withUnsafeBytes({ parser.skip(ifNextAre: $0) })
                {
                    current.append(previous[position])
                    return
                }
                let start = parser.offset
                // A step seen before elsewhere is recognized by its bytes before anything is parsed.
                var scanned: (end: Int, hash: Int)?
                if failure == nil, let end = parser.endOfContainer() {
                    let read = parser.slice(start..<end)
                    let hash = Self.hash(read)
                    if let step = known[hash], Self.equal(step.bytes, read) {
                        parser.move(to: end)
                        current.append(step)
                        return
                    }
                    scanned = (end, hash)
                }
                let json = try parser.stepValue()
                guard failure == nil else { return }
                let read = parser.slice(start..<parser.offset)
                let hash = scanned.flatMap { $0.end == parser.offset ? $0.hash : nil } ?? Self.hash(read)
                do throws(PlanJSONError) {
                    let step = KnownStep(bytes: Array(read), step: try PlanStep(planJSON: json, checked: checked))
                    if known.count < Self.capacity { known[hash] = step }
                    current.append(step)
                } catch {
                    failure = error.within("[\(position)]").within("steps")
                }
            }
        } catch {
            let position = TextPosition(offset: error.offset, in: bytes)
            throw StrictDecodingError(
                path: StrictJSONDecoder.render(path),
                problem: "\(error.summary) (line \(position.line), column \(position.column))")
        }
        let steps: Result<[PlanStep], PlanJSONError>? =
            parsed.readSteps ? failure.map { .failure($0) } ?? .success(current.map(\.step)) : nil
        do throws(PlanJSONError) {
            let instance = try InstancePlan(planJSON: parsed.instance, readSteps: steps)
            previous = current
            return instance
        } catch {
            throw StrictDecodingError(path: StrictJSONDecoder.render(path + error.codingPath), problem: error.message)
        }
    }

    private static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: bytes)
        return hasher.finalize()
    }

    private static func equal(_ known: [UInt8], _ read: UnsafeRawBufferPointer) -> Bool {
        guard known.count == read.count else { return false }
        return known.withUnsafeBytes { memcmp($0.baseAddress!, read.baseAddress!, read.count) == 0 }
    }
}
