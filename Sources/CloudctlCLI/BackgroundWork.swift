import Dispatch

/// One piece of work running on a background queue, its result taken once it is done: the next batch of a large plan
/// is read while this one is printed or checked.
final class BackgroundWork<Value>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written once by the background work before `done` is signalled, read only after waiting on it.
    private var result: Value?

    init(_ work: @escaping @Sendable () -> Value) {
        DispatchQueue.global().async {
            self.result = work()
            self.done.signal()
        }
    }

    /// Waits for the work to finish; call once.
    func wait() -> Value {
        done.wait()
        return result!
    }
}
