import Foundation

/// A `TextOutputStream` that hands text to `sink` in chunks of about 64 KiB, so large output is never built as one String.
/// Call `flush()` when done.
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

/// Writes a file through a temporary sibling renamed into place at the end, so readers never see half a file.
final class AtomicFileWriter {
    private let url: URL
    private let temporary: URL
    private let handle: FileHandle
    private var failure: Error?

    init(_ url: URL) throws {
        self.url = url
        temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        handle = try FileHandle(forWritingTo: temporary)
    }

    /// Appends `text`; the first failure is kept and thrown by `commit()`.
    func write(_ text: String) {
        guard failure == nil else { return }
        do { try handle.write(contentsOf: Data(text.utf8)) } catch { failure = error }
    }

    /// Closes the file and moves it over `url`.
    func commit() throws {
        if let failure { discard(); throw failure }
        try handle.close()
        if rename(temporary.path, url.path) != 0 {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
    }

    /// Closes and removes the temporary file after a failure.
    func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(at: temporary)
    }
}
