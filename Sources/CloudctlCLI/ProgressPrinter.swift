import Foundation
import Synchronization
import FleetModel
import ProviderAPI
import Executor
import StateBackend

/// Prints apply progress: on a terminal a live line per running instance (redrawn in place), otherwise plain
/// timestamped lines.
final class ProgressPrinter: ApplyObserver {
    private struct State {
        var totals: [String: Int] = [:]
        /// Running instances in start order, with their current line (live mode).
        var active: [(name: String, line: String)] = []
        var drawnLines = 0
    }

    private let state = Mutex(State())
    private let console: Console
    private let terminal: Terminal
    private let live: Bool
    /// Live lines are cut to this width; nil means no limit.
    private let width: Int?
    private let now: @Sendable () -> Date

    init(console: Console, terminal: Terminal, live: Bool, width: Int? = nil, now: @escaping @Sendable () -> Date) {
        self.console = console
        self.terminal = terminal
        self.live = live
        self.width = width
        self.now = now
    }

    func instanceStarted(_ name: String, steps: Int) {
        state.withLock { $0.totals[name] = steps }
        update(name, "starting (\(steps) \(steps == 1 ? "step" : "steps"))")
    }

    func stepStarted(_ name: String, index: Int, of total: Int, step: PlanStep) {
        update(name, "[\(index + 1)/\(total)] \(step.action.rawValue) \(step.resource.rawValue) …")
    }

    func stepRetrying(_ name: String, step: PlanStep, attempt: Int, error: CloudError, delay: Duration) {
        // Only operation, code and status: the cloud's message can echo request parameters (CreateSecret,
        // CreateDBInstance).
        let cause = "\(error.operation): \(error.code)" + (error.httpStatus.map { " (HTTP \($0))" } ?? "")
        update(
            name,
            "\(step.action.rawValue) \(step.resource.rawValue) … "
                + "retrying in \(String(format: "%.1f", delay.seconds))s (attempt \(attempt)): \(cause)"
        )
    }

    func stepFinished(_ name: String, index: Int, step: PlanStep, status: StepStatus, error: String?) {
        let total = state.withLock { $0.totals[name] } ?? index + 1
        // Uncolored: live lines are cut to the terminal width, which must not split an escape sequence.
        let outcome =
            switch status {
            case .succeeded: "ok"
            case .failed: "failed" + (error.map { ": \($0)" } ?? "")
            default: status.rawValue
            }
        update(name, "[\(index + 1)/\(total)] \(step.action.rawValue) \(step.resource.rawValue) … \(outcome)")
    }

    func instanceFinished(_ name: String, result: OperationResult) {
        let style: Terminal.Style =
            switch result {
            case .succeeded: .green
            case .failed, .interrupted: .red
            default: .yellow
            }
        let line = "\(name): " + terminal.paint(result.rawValue, style)
        guard live else { return console.out(stamp(line)) }
        state.withLock { state in
            state.active.removeAll { $0.name == name }
            redraw(&state, permanent: [line])
        }
    }

    func instanceWaitingForLock(_ name: String, holder: String) {
        update(name, "waiting for its lock, held by \(holder) (--lock-timeout)")
    }

    /// A line about the whole apply (a wave barrier, the API rate), printed above the live lines.
    func note(_ text: String) {
        guard live else { return console.out(stamp(text)) }
        state.withLock { redraw(&$0, permanent: [text]) }
    }

    private func update(_ name: String, _ text: String) {
        guard live else { return console.out(stamp("\(name) \(text)")) }
        state.withLock { state in
            if let i = state.active.firstIndex(where: { $0.name == name }) {
                state.active[i].line = text
            } else {
                state.active.append((name, text))
            }
            redraw(&state, permanent: [])
        }
    }

    /// Erases the live block, prints lines that stay, then the running instances again.
    private func redraw(_ state: inout State, permanent: [String]) {
        let nameWidth = state.active.map(\.name.count).max() ?? 0
        let activeLines = state.active.map { entry in
            let line = width.map { String(entry.line.prefix(max(10, $0 - nameWidth - 3))) } ?? entry.line
            return terminal.paint(entry.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0), .bold) + "  "
                + line
        }
        console.writeOut(Terminal.eraseLines(state.drawnLines) + (permanent + activeLines).map { $0 + "\n" }.joined())
        state.drawnLines = activeLines.count
    }

    private func stamp(_ text: String) -> String {
        now().formatted(.iso8601) + " " + text
    }
}
