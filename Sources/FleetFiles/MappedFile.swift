import Foundation

/// A read-only memory map of a whole file, whose pages can be handed back once read so that reading a file of
/// hundreds of megabytes keeps resident memory bounded.
public final class MappedFile: @unchecked Sendable {
    /// Why a file could not be mapped.
    public struct OpenError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    public let bytes: UnsafeBufferPointer<UInt8>
    private let descriptor: Int32
    private let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    public init(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw OpenError(path: path, reason: String(cString: strerror(errno))) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw OpenError(path: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        self.descriptor = descriptor
        guard size > 0 else {
            bytes = UnsafeBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED else {
            close(descriptor)
            throw OpenError(path: path, reason: String(cString: strerror(errno)))
        }
        bytes = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: size)
    }

    /// Drops the pages read so far from memory; they are read again from the file if touched later.
    public func release() {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base), bytes.count, MADV_DONTNEED)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
        close(descriptor)
    }
}
