import Foundation

/// Writes a file through a temporary sibling renamed into place at the end, so readers never see half a file.
/// Whatever fails, the temporary file is removed.
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
        do {
            handle = try FileHandle(forWritingTo: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// Appends `text`; the first failure is kept and thrown by `commit()`.
    func write(_ text: String) {
        guard failure == nil else { return }
        do { try handle.write(contentsOf: Data(text.utf8)) } catch { failure = error }
    }

    /// Closes the file and moves it over `url`.
    func commit() throws {
        do {
            if let failure { throw failure }
            try handle.close()
            if rename(temporary.path, url.path) != 0 { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            discard()
            throw error
        }
    }

    /// Closes and removes the temporary file after a failure.
    private func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(at: temporary)
    }
}
