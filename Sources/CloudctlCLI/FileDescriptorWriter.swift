import Foundation
import Synchronization

/// Writes text to a file descriptor with POSIX `write`. After the first failure (EPIPE once the reader of
/// `cloudctl plan | head` has gone) it drops further text rather than trapping like `FileHandle.write(_:)`, so the
/// command still finishes its other work (`--out`) and exits normally.
final class FileDescriptorWriter: Sendable {
    private let descriptor: Int32
    private let failed = Atomic(false)

    init(_ descriptor: Int32) { self.descriptor = descriptor }

    func write(_ text: String) {
        guard !failed.load(ordering: .relaxed) else { return }
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    failed.store(true, ordering: .relaxed)
                    return
                }
            }
        }
    }
}
