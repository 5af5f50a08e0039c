import Foundation
import FleetModel

/// Output held back in an unlinked temporary file until the whole of it is known to be good, then copied to the
/// console in chunks: a plan read in one pass prints nothing when a late instance turns out to be garbled or edited,
/// without keeping hundreds of megabytes of text in memory.
final class OutputSpool: @unchecked Sendable {
    private let file: UnsafeMutablePointer<FILE>

    init() throws {
        guard let file = tmpfile() else {
            throw DiagnosticsError([
                .error(
                    "Cannot create a temporary file: \(String(cString: strerror(errno)))",
                    detail: "Check that /tmp is writable and has space: the plan is printed through a temporary file.")
            ])
        }
        self.file = file
    }

    /// A console whose standard output goes into the spool (standard error and input stay `console`'s).
    func console(replacing console: Console) -> Console {
        var spooled = console
        spooled.writeOut = { [self] text in append(text) }
        return spooled
    }

    func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = fwrite(bytes.baseAddress, 1, bytes.count, file) }
    }

    /// Copies everything spooled to `sink`, in chunks cut after a newline so no chunk splits a UTF-8 character.
    func replay(to sink: (String) -> Void) {
        fflush(file)
        rewind(file)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var pending: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            guard count > 0 else { break }
            pending.append(contentsOf: buffer[0..<count])
            guard let cut = pending.lastIndex(of: UInt8(ascii: "\n")) else { continue }
            sink(String(decoding: pending[...cut], as: UTF8.self))
            pending.removeSubrange(...cut)
        }
        if !pending.isEmpty { sink(String(decoding: pending, as: UTF8.self)) }
    }

    deinit { fclose(file) }
}
