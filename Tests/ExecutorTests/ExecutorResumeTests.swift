import XCTest
import FleetModel
import ProviderAPI
import StateBackend
import Store
import TestSupport
@testable import Executor

/// `StepContext.previousAttempt`: a provider may adopt an untagged resource only when the journal shows this step's
/// previous attempt started and never finished.
final class ExecutorResumeTests: XCTestCase {
    /// One earlier attempt of a step as journaled: its status, or a step row that never started.
    enum Earlier {
        case finished(StepStatus)
        /// Journaled `running` by a run that died (kill -9): the next apply marks it `interrupted` under the lock.
        case leftRunning
        case notStarted
    }

    /// Journals one earlier operation of `acme` holding `step` as `earlier` says.
    func journal(_ earlier: Earlier, _ step: PlanStep, in store: SQLiteStateStore) async throws {
        let operation = try await store.beginOperation(
            instance: "acme", kind: "apply", holder: "old", now: fridayMorning)
        if case .notStarted = earlier {
            try await store.recordNotStarted(
                operationId: operation, instance: "acme", steps: [(0, step)], now: fridayMorning)
            try await store.finishOperation(operation, result: .cancelled, error: nil, now: fridayMorning)
            return
        }
        let id = try await store.beginStep(
            operationId: operation, instance: "acme", index: 0, step: step, now: fridayMorning)
        guard case .finished(let status) = earlier else { return }
        try await store.finishStep(
            id, status: status, attempts: 1, cloudId: nil, note: nil, error: nil, now: fridayMorning)
        try await store.finishOperation(
            operation, result: status == .succeeded ? .succeeded : .failed, error: nil, now: fridayMorning)
    }

    func testOnlyAnEarlierAttemptThatStartedAndNeverFinishedIsUnfinished() async throws {
        let bucket = Plans.step(.create, .bucket)
        let key = Plans.step(.create, .key)
        // Earlier attempts, oldest first, and what the bucket step is then told.
        let table: [(earlier: [(Earlier, PlanStep)], expected: PreviousAttempt, line: UInt)] = [
            ([], .finishedOrNone, #line),
            ([(.leftRunning, bucket)], .unfinished, #line),
            ([(.finished(.interrupted), bucket)], .unfinished, #line),
            ([(.finished(.failed), bucket)], .finishedOrNone, #line),
            ([(.finished(.succeeded), bucket)], .finishedOrNone, #line),
            // A later run that never reached the step made no attempt: the interrupted one is still the previous.
            ([(.finished(.interrupted), bucket), (.notStarted, bucket)], .unfinished, #line),
            // A later attempt that finished (here refused as foreign) is the previous one.
            ([(.finished(.interrupted), bucket), (.finished(.failed), bucket)], .finishedOrNone, #line),
            ([(.finished(.failed), bucket), (.finished(.interrupted), bucket)], .unfinished, #line),
            // Another step's unfinished attempt says nothing about this one.
            ([(.finished(.interrupted), key)], .finishedOrNone, #line),
            ([(.finished(.interrupted), Plans.step(.delete, .bucket))], .finishedOrNone, #line),
        ]
        for row in table {
            let h = try ExecutorHarness()
            for (earlier, step) in row.earlier { try await journal(earlier, step, in: h.store) }

            let report = await h.apply([Plans.instance("acme", [bucket])])

            XCTAssertTrue(report.succeeded, "\(report)", line: row.line)
            let contexts = await h.provider.contexts
            XCTAssertEqual(contexts.map(\.previousAttempt), [row.expected], line: row.line)
        }
    }

    /// The step's own earlier run in this apply (an upgrade's second hop repeats action and resource) is its previous
    /// attempt; steps of other kinds keep theirs.
    func testASecondStepOfTheSameKindInOnePlanIsNotUnfinished() async throws {
        let h = try ExecutorHarness()
        let snapshot = Plans.step(.snapshot, .database)
        try await journal(.leftRunning, snapshot, in: h.store)
        try await journal(.leftRunning, Plans.step(.create, .bucket), in: h.store)

        let report = await h.apply([
            Plans.instance("acme", [snapshot, Plans.step(.create, .bucket), snapshot, Plans.step(.create, .key)])
        ])

        XCTAssertTrue(report.succeeded, "\(report)")
        let contexts = await h.provider.contexts
        XCTAssertEqual(contexts.map(\.previousAttempt), [.unfinished, .unfinished, .finishedOrNone, .finishedOrNone])
    }

    /// The executor's repair of a dead run's rows runs first, so the attempt it saw as `running` is `interrupted` now.
    func testTheRowADeadRunLeftRunningIsMarkedInterrupted() async throws {
        let h = try ExecutorHarness()
        try await journal(.leftRunning, Plans.step(.create, .bucket), in: h.store)

        _ = await h.apply([Plans.instance("acme", [Plans.step(.create, .bucket)])])

        let steps = try await h.store.recentSteps(instance: "acme", limit: 10)
        XCTAssertEqual(steps.map(\.status), [.succeeded, .interrupted])
    }
}
