import Dispatch
import FleetModel
import FleetFiles

/// A saved plan's check on itself. `inputs` is a digest of everything the planner read: the fleet and instance files,
/// the recorded state, the selection and this cloudctl's version. `seal` is a digest of `inputs` and of every
/// instance's bytes as written. When the seal holds and the inputs are what they are now, the file is byte for byte
/// what planning again would write (the planner has no clock), so apply and show need not plan or check it again.
///
/// A checksum, not a signature: it catches any edit, but whoever can write a plan file can also write a matching
/// seal. Plan files deserve the same care as the repository they were made from.
enum PlanSeal {
    /// The digest of the planner's inputs, as saved in `inputs`; nil when this build cannot identify itself (then
    /// plans are not sealed, and always checked by planning again).
    static func inputs(
        files: FleetFilesDigest, recorded: [RecordedInstance], selection: PlanSelection, toolVersion: String,
        build: String? = Self.build
    ) -> String? {
        guard let build else { return nil }
        var text = Array("cloudctl plan inputs 2\n".utf8)
        func add(_ field: String) { text += "\(field.utf8.count):\(field)".utf8 }
        add(toolVersion)
        add(build)
        switch selection {
        case .all: add("all")
        case .names(let names):
            add("names \(names.count)")
            names.forEach(add)
        }
        text += files.bytes
        for (name, record) in recordTexts(recorded) {
            add(name)
            add(record)
        }
        return ContentHash.hex(ContentHash.sha256(text))
    }

    /// SHA-256 of this executable: the version number alone does not tell two builds apart, and a plan is only
    /// what planning again would write when the same planner plans again.
    static let build: String? = {
        guard let binary = try? MappedFile(path: "/proc/self/exe") else { return nil }
        return ContentHash.hex(ContentHash.sha256(UnsafeRawBufferPointer(binary.bytes)))
    }()

    /// Each record's `recordText`, by name, computed on all cores (100,000 records take a while).
    private static func recordTexts(_ recorded: [RecordedInstance]) -> [(String, String)] {
        let sorted = recorded.sorted { $0.name < $1.name }
        var values = [String](repeating: "", count: sorted.count)
        values.withUnsafeMutableBufferPointer { buffer in
            let slots = DisjointSlots(buffer: buffer)
            let share = 1024
            DispatchQueue.concurrentPerform(iterations: (sorted.count + share - 1) / share) { chunk in
                for index in chunk * share..<min(sorted.count, (chunk + 1) * share) {
                    slots.buffer[index] = recordText(sorted[index])
                }
            }
        }
        return zip(sorted.map(\.name), values).map { ($0, $1) }
    }

    /// What the planner reads of a record: its fingerprint, and which resources have their attributes recorded (the
    /// fingerprint covers each attribute's hash, and recorded attributes always hash to it, but records from before
    /// attributes were kept have none, and a step's `before` comes from them).
    private static func recordText(_ record: RecordedInstance) -> String {
        let kinds = ResourceKind.allCases.filter { record.resources[$0]?.attributes != nil }
        return record.fingerprint + " " + kinds.map(\.rawValue).joined(separator: ",")
    }

    /// The seal of a plan with `inputs`, built from its instances' bytes in plan order.
    struct Builder {
        private var text: [UInt8]

        init(inputs: String) { text = Array("cloudctl plan seal 1\n\(inputs)\n".utf8) }

        /// The digest of one instance's bytes, as `add` takes it (computed by whichever thread has the bytes).
        static func digest(_ bytes: UnsafeRawBufferPointer) -> [UInt8] { ContentHash.sha256(bytes) }

        mutating func add(_ digest: [UInt8]) { text += digest }

        var seal: String { ContentHash.hex(ContentHash.sha256(text)) }
    }
}
