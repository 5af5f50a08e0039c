import Foundation
import Dispatch

/// Catches SIGINT and SIGTERM with Dispatch signal sources instead of the default handler (which kills the process).
final class SignalTrap: @unchecked Sendable {
    // Only touched on `queue`.
    private var count = 0
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "cloudctl.signals")

    /// `onSignal` runs on a private queue with how many signals arrived so far (1 on the first).
    init(signals: [Int32] = [SIGINT, SIGTERM], onSignal: @escaping @Sendable (Int) -> Void) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [unowned self] in
                count += 1
                onSignal(count)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Restores the default handlers.
    func remove() {
        queue.sync {
            for source in sources {
                source.cancel()
                signal(Int32(source.handle), SIG_DFL)
            }
            sources = []
        }
    }
}
