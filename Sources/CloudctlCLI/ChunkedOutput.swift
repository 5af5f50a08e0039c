import Foundation

/// A `TextOutputStream` that hands text to `sink` in chunks of about 64 KiB, so large output is never built as one
/// String. Call `flush()` when done.
struct ChunkedOutput: TextOutputStream {
    private let sink: (String) -> Void
    // Bytes, not a String: appending millions of small strings to a String costs several times more.
    private var buffer: [UInt8] = []
    private static let chunkSize = 1 << 16

    init(_ sink: @escaping (String) -> Void) {
        self.sink = sink
        buffer.reserveCapacity(Self.chunkSize + 4096)
    }

    /// Chunks go to the console's standard output.
    init(_ console: Console) { self.init(console.writeOut) }

    mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= Self.chunkSize { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        sink(String(decoding: buffer, as: UTF8.self))
        buffer.removeAll(keepingCapacity: true)
    }
}
