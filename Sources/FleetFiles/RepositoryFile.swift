import FleetModel
#if canImport(Glibc)
    import Glibc
#endif

/// Reads files of a fleet repository without trusting them: only regular files inside the repository, bounded in
/// size. A repository may come from a fork's pull request, and CI prints what `plan` says into a PR comment, so a
/// symbolic link to `/proc/self/environ` or a FIFO must be refused by name, never read.
struct RepositoryFile {
    /// Largest instance file read; real ones are well under 1 KB.
    static let instanceFileLimit = 1 << 20
    /// Largest fleet file read: it lists every release and wave.
    static let fleetFileLimit = 4 << 20

    /// The repository root as given, and with symbolic links resolved (for the "inside" check).
    let root: String
    let resolvedRoot: String

    /// Nil when `root` does not exist.
    init?(root: String) {
        guard let resolved = Self.realPath(root) else { return nil }
        self.root = root
        resolvedRoot = resolved
    }

    /// Whether `path` (relative to the root), with every link resolved, still lies inside the repository.
    func staysInside(_ path: String) -> Bool {
        guard let resolved = Self.realPath(root + "/" + path) else { return false }
        return resolved.hasPrefix(resolvedRoot == "/" ? "/" : resolvedRoot + "/")
    }

    /// The file's bytes, or an empty file carrying one diagnostic that says why it was not read.
    func read(_ path: String, limit: Int) -> DecodingFile {
        // Plain string concatenation: URL.appendingPathComponent stats the file system on every call.
        let fullPath = root + "/" + path
        var status = stat()
        guard lstat(fullPath, &status) == 0 else { return unreadable(path) }
        var openPath = fullPath
        if status.st_mode & S_IFMT == S_IFLNK {
            guard let target = Self.realPath(fullPath) else {
                return refused(path, "is a symbolic link to nothing", detail: "replace the link with the file itself")
            }
            guard staysInside(path) else {
                return refused(
                    path, "is a symbolic link leading outside the repository",
                    detail: "fleet files must be regular files inside the repository; cloudctl did not read "
                        + "it")
            }
            openPath = target
        } else if status.st_mode & S_IFMT != S_IFREG {
            return notRegular(path, mode: status.st_mode)
        }
        // O_NONBLOCK: opening a FIFO swapped in since lstat must not hang; O_NOFOLLOW: nor may a new link be followed.
        let descriptor = open(openPath, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return unreadable(path) }
        defer { close(descriptor) }
        guard fstat(descriptor, &status) == 0 else { return unreadable(path) }
        guard status.st_mode & S_IFMT == S_IFREG else { return notRegular(path, mode: status.st_mode) }
        guard Int(status.st_size) <= limit else { return tooLarge(path, limit: limit, size: Int(status.st_size)) }
        // Sized from fstat (plus one byte to see the end in a single read) so a file is read straight into its array;
        // the buffer still grows for files whose size fstat does not tell, up to one byte past the limit.
        var bytes = [UInt8](repeating: 0, count: max(Int(status.st_size) + 1, 4096))
        var length = 0
        while length <= limit {
            if length == bytes.count { bytes += repeatElement(0, count: bytes.count) }
            let wanted = min(bytes.count, limit + 1) - length
            let count = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + length, wanted) }
            if count < 0 { return unreadable(path) }
            if count == 0 { break }
            length += count
            // Read as much as fstat said: no second call just to be told the file ends (100,000 files, 100,000 calls).
            // A file that grew since is read on; one read short (a network file system) is read on too.
            if length == Int(status.st_size), count < wanted { break }
        }
        guard length <= limit else { return tooLarge(path, limit: limit, size: nil) }
        bytes.removeSubrange(length...)
        return DecodingFile(path: path, bytes: bytes)
    }

    private func notRegular(_ path: String, mode: mode_t) -> DecodingFile {
        let kind =
            switch mode & S_IFMT {
            case S_IFDIR: "a directory"
            case S_IFIFO: "a FIFO"
            case S_IFCHR: "a character device"
            case S_IFBLK: "a block device"
            case S_IFSOCK: "a socket"
            default: "not a regular file"
            }
        return refused(
            path, "is \(kind), not a regular file",
            detail: "fleet files must be regular files inside the repository; cloudctl did not read it")
    }

    private func tooLarge(_ path: String, limit: Int, size: Int?) -> DecodingFile {
        let has = size.map { "it has \($0) bytes" } ?? "it has more"
        return refused(
            path, "file is larger than \(limit >> 20) MB",
            detail: "a fleet file is at most \(limit) bytes (\(has)); cloudctl did not read it")
    }

    private func refused(_ path: String, _ summary: String, detail: String) -> DecodingFile {
        let file = DecodingFile(path: path, bytes: [])
        file.error(summary, detail: detail, offset: nil, field: nil)
        return file
    }

    private func unreadable(_ path: String) -> DecodingFile {
        refused(
            path, "cannot read file: \(String(cString: strerror(errno)))",
            detail: "check that it is a readable regular file")
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
