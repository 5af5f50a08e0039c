import XCTest
import FleetModel
import ProviderAPI
import Store
import Executor
@testable import CloudctlCLI

final class ProgressPrinterTests: XCTestCase {
    let step = PlanStep(action: .create, resource: .database, reason: "new instance", inputsHash: "h")

    func testPlainLinesAreTimestamped() {
        let captured = CapturedConsole()
        let printer = ProgressPrinter(
            console: captured.console, terminal: Terminal(color: false), live: false, now: { CLITestClock.now })
        printer.instanceStarted("acme", steps: 9)
        printer.stepStarted("acme", index: 2, of: 9, step: step)
        printer.stepRetrying(
            "acme", step: step, attempt: 2,
            error: CloudError(
                kind: .throttling, operation: "rds:CreateDBInstance",
                code: "Throttling", message: "slow down, MasterUserPassword=hunter2", httpStatus: 400),
            delay: .milliseconds(1500))
        printer.stepFinished("acme", index: 2, step: step, status: .succeeded, error: nil)
        printer.instanceFinished("acme", result: .succeeded)
        XCTAssertEqual(
            captured.out,
            """
            2026-11-22T03:00:00Z acme starting (9 steps)
            2026-11-22T03:00:00Z acme [3/9] create database …
            2026-11-22T03:00:00Z acme create database … retrying in 1.5s (attempt 2): rds:CreateDBInstance: \
            Throttling (HTTP 400)
            2026-11-22T03:00:00Z acme [3/9] create database … ok
            2026-11-22T03:00:00Z acme: succeeded

            """)
    }

    func testLiveModeRedrawsRunningInstancesInPlace() {
        let captured = CapturedConsole()
        let printer = ProgressPrinter(
            console: captured.console, terminal: Terminal(color: false), live: true, now: { CLITestClock.now })
        printer.instanceStarted("acme", steps: 9)
        printer.instanceStarted("globex", steps: 4)
        printer.stepStarted("acme", index: 0, of: 9, step: step)
        printer.instanceFinished("globex", result: .deferred)
        let erase2 = Terminal.eraseLines(2)
        XCTAssertEqual(
            captured.out,
            "acme  starting (9 steps)\n"
                + Terminal.eraseLines(1) + "acme    starting (9 steps)\nglobex  starting (4 steps)\n"
                + erase2 + "acme    [1/9] create database …\nglobex  starting (4 steps)\n"
                + erase2 + "globex: deferred\nacme  [1/9] create database …\n")
    }

    func testLiveLinesAreCutToTheTerminalWidth() {
        let captured = CapturedConsole()
        let printer = ProgressPrinter(
            console: captured.console, terminal: Terminal(color: false), live: true, width: 24,
            now: { CLITestClock.now })
        printer.stepStarted("acme", index: 0, of: 9, step: step)
        XCTAssertEqual(captured.out, "acme  [1/9] create data\n")
    }

    func testApplySummaryLine() {
        let report = ApplyReport(instances: [
            InstanceApplyResult(name: "acme", result: .succeeded, error: nil),
            InstanceApplyResult(name: "globex", result: .failed, error: "step 5 failed"),
            InstanceApplyResult(name: "hooli", result: .deferred, error: "outside window"),
            InstanceApplyResult(name: "initech", result: .cancelled, error: nil),
            InstanceApplyResult(name: "umbrella", result: .cancelled, error: "not started: wave 0 had failures"),
            InstanceApplyResult(name: "wonka", result: .cancelled, error: "not started: wave 0 had failures"),
        ])
        XCTAssertEqual(
            ApplyCommand.summaryLine(report),
            """
            Apply complete: 1 succeeded, 1 failed, 1 deferred, 3 cancelled.
              globex: step 5 failed
              hooli deferred: outside window
              2 instances not started: wave 0 had failures
            """)
    }
}
