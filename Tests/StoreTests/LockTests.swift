import Foundation
import XCTest
import TestSupport
import StateBackend
import FleetModel
@testable import Store

final class LockTests: XCTestCase {
    func testAcquireHoldRenewRelease() async throws {
        try await forEachBackend { database in
            let store = try database.open()
            try await store.acquireLock(instance: "acme", holder: "run-a", lease: 60)
            let locksAfterAcquire = try await store.locks()
            let taken = try XCTUnwrap(locksAfterAcquire.first)
            XCTAssertEqual(taken.holder, "run-a")
            XCTAssertEqual(taken.leaseUntil.timeIntervalSince(taken.acquiredAt), 60, accuracy: 0.001)

            await XCTAssertThrowsErrorAsync({
                try await store.acquireLock(instance: "acme", holder: "run-b", lease: 60)
            }) {
                XCTAssertEqual(($0 as? LockHeldError)?.lock.holder, "run-a")
                XCTAssertTrue("\($0)".contains("acme is locked by run-a"), "\($0)")
            }
            try await store.acquireLock(instance: "other", holder: "run-b", lease: 60)

            try await store.renewLock(instance: "acme", holder: "run-a", lease: 120)
            let renewed = try await store.locks().first
            XCTAssertGreaterThan(try XCTUnwrap(renewed).leaseUntil, taken.leaseUntil)
            await XCTAssertThrowsErrorAsync({
                try await store.acquireLock(instance: "acme", holder: "run-b", lease: 60)
            })

            try await store.releaseLock(instance: "acme", holder: "run-b")  // not the holder: no-op
            let afterWrongRelease = try await store.locks().map(\.instance)
            XCTAssertEqual(afterWrongRelease, ["acme", "other"])
            try await store.releaseLock(instance: "acme", holder: "run-a")
            let afterRelease = try await store.locks().map(\.instance)
            XCTAssertEqual(afterRelease, ["other"])
            try await store.acquireLock(instance: "acme", holder: "run-b", lease: 60)
        }
    }

    func testExpiredLeaseIsTakenOverAndOldHolderCannotRenew() async throws {
        try await forEachBackend { database in
            let store = try database.open()
            try await store.acquireLock(instance: "acme", holder: "dead-run", lease: 60)
            try database.expire("acme")
            try await store.acquireLock(instance: "acme", holder: "new-run", lease: 30)
            let locks = try await store.locks()
            XCTAssertEqual(locks.map(\.holder), ["new-run"])
            await XCTAssertThrowsErrorAsync({
                try await store.renewLock(instance: "acme", holder: "dead-run", lease: 60)
            }) {
                XCTAssertEqual(($0 as? LockHeldError)?.lock.holder, "new-run")
            }
        }
    }

    /// The caller has no say in lease time: whatever clock its journal rows use, a live lease is measured by SQLite's.
    func testLeaseIsMeasuredBySQLiteClockNotTheCallers() async throws {
        try await forEachBackend { database in
            let store = try database.open()
            let before = Date()
            try await store.acquireLock(instance: "acme", holder: "run-a", lease: 60)
            let after = Date()
            let locks = try await store.locks()
            let lock = try XCTUnwrap(locks.first)
            // Tolerance covers julianday's millisecond resolution; the test clock (Instants, 2027) plays no part.
            XCTAssertGreaterThanOrEqual(lock.acquiredAt, before.addingTimeInterval(-0.01))
            XCTAssertLessThanOrEqual(lock.acquiredAt, after.addingTimeInterval(0.01))
            _ = try await store.beginOperation(
                instance: "acme", kind: "apply", holder: "run-b", now: Instants.at(86_400 * 365))
            await XCTAssertThrowsErrorAsync({
                try await store.acquireLock(instance: "acme", holder: "run-b", lease: 60)
            })
        }
    }

    func testForceUnlockReturnsTheRemovedLockAndStopsRenewal() async throws {
        try await forEachBackend { database in
            let store = try database.open()
            let none = try await store.forceUnlock(instance: "acme")
            XCTAssertNil(none)
            try await store.acquireLock(instance: "acme", holder: "run-a", lease: 60)
            let held = try await store.locks()
            let removed = try await store.forceUnlock(instance: "acme")
            XCTAssertEqual(removed.map { [$0] }, held)
            let locks = try await store.locks()
            XCTAssertEqual(locks, [])
            await XCTAssertThrowsErrorAsync({ try await store.renewLock(instance: "acme", holder: "run-a", lease: 60) })
            {
                XCTAssertEqual($0 as? StateBackendError, .lockNotHeld(instance: "acme", holder: "run-a"))
            }
        }
    }

    func testTwoConnectionsSeeEachOthersLocks() async throws {
        try await forEachBackend { database in
            let first = try database.open()
            let second = try database.open()
            try await first.acquireLock(instance: "acme", holder: "process-1", lease: 60)
            await XCTAssertThrowsErrorAsync({
                try await second.acquireLock(instance: "acme", holder: "process-2", lease: 60)
            }) {
                XCTAssertEqual(($0 as? LockHeldError)?.lock.holder, "process-1")
            }
            try database.expire("acme")
            try await second.acquireLock(instance: "acme", holder: "process-2", lease: 60)
            let seenByFirst = try await first.locks().map(\.holder)
            XCTAssertEqual(seenByFirst, ["process-2"])
            let removed = try await second.forceUnlock(instance: "acme")?.holder
            XCTAssertEqual(removed, "process-2")
            let remaining = try await first.locks()
            XCTAssertEqual(remaining, [])
        }
    }

    func testCompetingConnectionsAcquireExactlyOnce() async throws {
        try await forEachBackend { database in
            let stores = [try database.open(), try database.open()]
            let holders = try await withThrowingTaskGroup(of: (holder: String, won: Bool, heldBy: String?).self) {
                group in
                for attempt in 0..<40 {
                    group.addTask {
                        let holder = "run-\(attempt)"
                        do {
                            try await stores[attempt % 2].acquireLock(instance: "acme", holder: holder, lease: 60)
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
            let locked = try await stores[0].locks().map(\.holder)
            XCTAssertEqual(locked, winners)
        }
    }

}
