import Foundation
import XCTest
import FleetModel
import Store
@testable import Executor

final class LockHolderTests: XCTestCase {
    private let host = ProcessInfo.processInfo.hostName

    func testOnlyADeadProcessOnThisHostIsAbandoned() {
        let alive = ProcessInfo.processInfo.processIdentifier
        let cases: [(holder: String, abandoned: Bool)] = [
            (LockHolder.current(), false),  // this very process
            ("ci@\(host) pid \(alive)", false),
            ("ci@\(host) pid 2147483646", true),  // no such process
            ("ci@some-other-host pid 2147483646", false),  // other hosts: wait for the lease
            ("alice@laptop", false),  // no pid: never judged
            ("ci@\(host) pid -4", false),
        ]
        for c in cases {
            XCTAssertEqual(LockHolder.isAbandoned(c.holder), c.abandoned, c.holder)
        }
    }

    func testALockOfAKilledLocalApplyIsTakenOverAtOnce() async throws {
        let h = try ExecutorHarness()
        let dead = "ci@\(host) pid 2147483646"
        try await h.store.acquireLock(instance: "acme", holder: dead, lease: 300)
        h.options.isAbandonedHolder = LockHolder.isAbandoned

        let report = await h.apply([Plans.provision("acme", [.network])])

        XCTAssertEqual(report.instances.map(\.result), [.succeeded])
        let locks = try await h.store.locks()
        XCTAssertEqual(locks, [], "the taken-over lock is released at the end")
    }
}
