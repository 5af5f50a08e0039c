import XCTest
import Store
@testable import Executor

final class LeaseHeartbeatTests: XCTestCase {
    private struct Busy: Error {}

    /// Runs a heartbeat (1 ms interval) around a body that waits until `until` holds for the number of renewals
    /// (polling, never asserting on time), then `extraBeats` more intervals; returns the renewals made.
    private func beat(failing failure: @escaping @Sendable (Int) -> (any Error)?, until: @escaping (Int) -> Bool,
                      extraBeats: Int = 0) async -> Int {
        let renewals = Locked(0)
        let heartbeat = LeaseHeartbeat(interval: .milliseconds(1)) {
            var count = 0
            renewals.mutate { $0 += 1; count = $0 }
            if let error = failure(count) { throw error }
        }
        await heartbeat.whileRunning {
            for _ in 0..<5_000 where !until(renewals.current) { try? await Task.sleep(for: .milliseconds(1)) }
            try? await Task.sleep(for: .milliseconds(extraBeats))
        }
        return renewals.current
    }

    func testTransientErrorsDoNotStopTheHeartbeat() async {
        let renewals = await beat(failing: { $0 <= 2 ? Busy() : nil }, until: { $0 >= 4 })
        XCTAssertGreaterThanOrEqual(renewals, 4, "kept renewing after two failed renewals")
    }

    func testALostLockStopsTheHeartbeat() async {
        let lost: [any Error] = [
            StateStoreError.lockNotHeld(instance: "acme", holder: "tester@ci"),
            LockHeldError(lock: LockRecord(instance: "acme", holder: "alice@laptop", acquiredAt: Date(), leaseUntil: Date())),
        ]
        for error in lost {
            let renewals = await beat(failing: { _ in error }, until: { $0 >= 1 }, extraBeats: 30)
            XCTAssertEqual(renewals, 1, "\(error)")
        }
    }
}
