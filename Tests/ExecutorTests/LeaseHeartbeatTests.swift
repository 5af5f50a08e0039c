import XCTest
import StateBackend
import Store
@testable import Executor

final class LeaseHeartbeatTests: XCTestCase {
    private struct Busy: Error {}

    /// Runs a heartbeat (1 ms interval) around a body that waits until `until` holds for the number of renewals
    /// (polling, never asserting on time), then `extraBeats` more intervals; returns the renewals made and whether the
    /// heartbeat reported the lock lost.
    private func beat(
        failing failure: @escaping @Sendable (Int) -> (any Error)?, until: @escaping (Int) -> Bool,
        extraBeats: Int = 0
    ) async -> (renewals: Int, lockLost: Bool) {
        let renewals = Locked(0)
        let heartbeat = LeaseHeartbeat(interval: .milliseconds(1)) {
            var count = 0
            renewals.mutate {
                $0 += 1
                count = $0
            }
            if let error = failure(count) { throw error }
        }
        let (_, lockLost) = await heartbeat.whileRunning {
            for _ in 0..<5_000 where !until(renewals.current) { try? await Task.sleep(for: .milliseconds(1)) }
            try? await Task.sleep(for: .milliseconds(extraBeats))
        }
        return (renewals.current, lockLost)
    }

    func testTransientErrorsDoNotStopTheHeartbeat() async {
        let (renewals, lockLost) = await beat(failing: { $0 <= 2 ? Busy() : nil }, until: { $0 >= 4 })
        XCTAssertGreaterThanOrEqual(renewals, 4, "kept renewing after two failed renewals")
        XCTAssertFalse(lockLost)
    }

    func testALostLockStopsTheHeartbeatAndIsReported() async {
        let lost: [any Error] = [
            StateBackendError.lockNotHeld(instance: "acme", holder: "tester@ci"),
            LockHeldError(
                lock: LockRecord(instance: "acme", holder: "alice@laptop", acquiredAt: Date(), leaseUntil: Date())),
        ]
        for error in lost {
            let (renewals, lockLost) = await beat(failing: { _ in error }, until: { $0 >= 1 }, extraBeats: 30)
            XCTAssertEqual(renewals, 1, "\(error)")
            XCTAssertTrue(lockLost, "\(error)")
        }
    }
}
