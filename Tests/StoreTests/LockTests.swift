import Foundation
import XCTest
import FleetModel
@testable import Store

final class LockTests: XCTestCase {
    func testAcquireHoldRenewRelease() throws {
        let store = try makeStore()
        try store.acquireLock(instance: "acme", holder: "run-a", lease: 60, now: Instants.t0)
        XCTAssertEqual(try store.locks(), [LockRecord(instance: "acme", holder: "run-a", acquiredAt: Instants.t0, leaseUntil: Instants.at(60))])

        XCTAssertThrowsError(try store.acquireLock(instance: "acme", holder: "run-b", lease: 60, now: Instants.at(59))) { error in
            XCTAssertEqual((error as? LockHeldError)?.lock.holder, "run-a")
            XCTAssertTrue("\(error)".contains("acme is locked by run-a"), "\(error)")
        }
        try store.acquireLock(instance: "other", holder: "run-b", lease: 60, now: Instants.at(1))

        try store.renewLock(instance: "acme", holder: "run-a", lease: 60, now: Instants.at(50))
        XCTAssertEqual(try store.locks().first?.leaseUntil, Instants.at(110))
        XCTAssertThrowsError(try store.acquireLock(instance: "acme", holder: "run-b", lease: 60, now: Instants.at(100)))

        try store.releaseLock(instance: "acme", holder: "run-b")  // not the holder: no-op
        XCTAssertEqual(try store.locks().map(\.instance), ["acme", "other"])
        try store.releaseLock(instance: "acme", holder: "run-a")
        XCTAssertEqual(try store.locks().map(\.instance), ["other"])
        try store.acquireLock(instance: "acme", holder: "run-b", lease: 60, now: Instants.at(101))
    }

    func testExpiredLeaseIsTakenOverAndOldHolderCannotRenew() throws {
        let store = try makeStore()
        try store.acquireLock(instance: "acme", holder: "dead-run", lease: 60, now: Instants.t0)
        try store.acquireLock(instance: "acme", holder: "new-run", lease: 30, now: Instants.at(60))
        XCTAssertEqual(try store.locks(), [LockRecord(instance: "acme", holder: "new-run", acquiredAt: Instants.at(60), leaseUntil: Instants.at(90))])
        XCTAssertThrowsError(try store.renewLock(instance: "acme", holder: "dead-run", lease: 60, now: Instants.at(61))) { error in
            XCTAssertEqual((error as? LockHeldError)?.lock.holder, "new-run")
        }
    }

    func testForceUnlockReturnsTheRemovedLockAndStopsRenewal() throws {
        let store = try makeStore()
        XCTAssertNil(try store.forceUnlock(instance: "acme"))
        try store.acquireLock(instance: "acme", holder: "run-a", lease: 60, now: Instants.t0)
        XCTAssertEqual(try store.forceUnlock(instance: "acme"),
                       LockRecord(instance: "acme", holder: "run-a", acquiredAt: Instants.t0, leaseUntil: Instants.at(60)))
        XCTAssertEqual(try store.locks(), [])
        XCTAssertThrowsError(try store.renewLock(instance: "acme", holder: "run-a", lease: 60, now: Instants.at(1))) { error in
            XCTAssertEqual(error as? StateStoreError, .lockNotHeld(instance: "acme", holder: "run-a"))
        }
    }

    func testTwoConnectionsSeeEachOthersLocks() throws {
        let path = temporaryDatabasePath()
        let first = try StateStore(path: path)
        let second = try StateStore(path: path)
        try first.acquireLock(instance: "acme", holder: "process-1", lease: 60, now: Instants.t0)
        XCTAssertThrowsError(try second.acquireLock(instance: "acme", holder: "process-2", lease: 60, now: Instants.at(10))) { error in
            XCTAssertEqual((error as? LockHeldError)?.lock.holder, "process-1")
        }
        try second.acquireLock(instance: "acme", holder: "process-2", lease: 60, now: Instants.at(60))
        XCTAssertEqual(try first.locks().map(\.holder), ["process-2"])
        XCTAssertEqual(try second.forceUnlock(instance: "acme")?.holder, "process-2")
        XCTAssertEqual(try first.locks(), [])
    }

    func testCompetingConnectionsAcquireExactlyOnce() async throws {
        let path = temporaryDatabasePath()
        let stores = [try StateStore(path: path), try StateStore(path: path)]
        let holders = try await withThrowingTaskGroup(of: (holder: String, won: Bool, heldBy: String?).self) { group in
            for attempt in 0..<40 {
                group.addTask {
                    let holder = "run-\(attempt)"
                    do {
                        try stores[attempt % 2].acquireLock(instance: "acme", holder: holder, lease: 60, now: Instants.t0)
                        return (holder, true, nil)
                    } catch let error as LockHeldError {
                        return (holder, false, error.lock.holder)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let winners = holders.filter(\.won).map(\.holder)
        XCTAssertEqual(winners.count, 1)
        XCTAssertEqual(Set(holders.compactMap(\.heldBy)), Set(winners))
        XCTAssertEqual(try stores[0].locks().map(\.holder), winners)
    }
}
