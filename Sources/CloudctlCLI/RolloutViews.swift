import Foundation
import FleetModel
import Rollout
import StateBackend

/// What `rollout plan` prints: waves with their instances and hops, the skipped and why.
enum RolloutPlanView {
    static func render(_ plan: RolloutPlan, format: RolloutOptions.PlanFormat) throws -> String {
        switch format {
        case .json: try json(plan)
        case .markdown: markdown(plan)
        case .text: text(plan)
        }
    }

    /// `bake 48h, maxFailures 1, approval`, or "no gates".
    static func gates(_ wave: Wave) -> String {
        var parts: [String] = []
        if let bake = wave.bake { parts.append("bake \(bake)") }
        if let budget = wave.maxFailures { parts.append("maxFailures \(budget)") }
        if wave.approval { parts.append("approval") }
        return parts.isEmpty ? "no gates" : parts.joined(separator: ", ")
    }

    static func hops(_ member: RolloutMember) -> String {
        ([member.from] + member.hops).map(\.description).joined(separator: " → ")
    }

    private static func text(_ plan: RolloutPlan) -> String {
        let moving = plan.waves.map(\.upgrades.count).reduce(0, +)
        var lines = [
            "Rollout of \(plan.version): \(moving) instance(s) to move in \(plan.waves.count) wave(s), "
                + "\(plan.skipped.count) skipped, \(plan.unreachable.count) cannot get there."
        ]
        for wave in plan.waves {
            lines.append("")
            lines.append(
                "wave \(wave.wave.label) (channel \(wave.wave.channel), wave \(wave.wave.index + 1); "
                    + "\(gates(wave.wave.wave))): \(wave.upgrades.count) to move, \(wave.arrived.count) already there")
            for member in wave.upgrades { lines.append("  \(member.name)  \(hops(member))") }
        }
        if !plan.skipped.isEmpty {
            lines.append("")
            lines.append("Skipped:")
            for (name, reason) in plan.skipped { lines.append("  \(name)  \(reason)") }
        }
        if !plan.unreachable.isEmpty {
            lines.append("")
            lines.append("Cannot get there:")
            for item in plan.unreachable { lines.append("  \(item.name)  from \(item.from): \(item.problem)") }
        }
        lines.append("")
        lines.append("Nothing was written. `cloudctl rollout advance \(plan.version)` edits the first wave's files.")
        return lines.joined(separator: "\n")
    }

    private static func markdown(_ plan: RolloutPlan) -> String {
        var lines = ["### Rollout of \(plan.version)", ""]
        lines.append("| wave | channel | gates | instance | path |")
        lines.append("|---|---|---|---|---|")
        for wave in plan.waves {
            for member in wave.upgrades {
                lines.append(
                    "| \(wave.wave.label) | \(wave.wave.channel) | \(gates(wave.wave.wave)) | \(member.name) | "
                        + "\(hops(member)) |")
            }
        }
        if !plan.skipped.isEmpty {
            lines += ["", "**Skipped**", ""]
            for (name, reason) in plan.skipped { lines.append("- `\(name)`: \(reason)") }
        }
        if !plan.unreachable.isEmpty {
            lines += ["", "**Cannot get there**", ""]
            for item in plan.unreachable { lines.append("- `\(item.name)` from \(item.from): \(item.problem)") }
        }
        return lines.joined(separator: "\n")
    }

    private struct JSONPlan: Encodable {
        var version: String
        var waves: [JSONWave]
        var skipped: [JSONSkip]
        var unreachable: [JSONUnreachable]
    }
    private struct JSONWave: Encodable {
        var wave: String
        var channel: String
        var index: Int
        var bake: String?
        var maxFailures: String?
        var approval: Bool
        var instances: [JSONMember]
        var arrived: [String]
    }
    private struct JSONMember: Encodable {
        var name: String
        var from: String
        var hops: [String]
    }
    private struct JSONSkip: Encodable {
        var name: String
        var reason: String
    }
    private struct JSONUnreachable: Encodable {
        var name: String
        var from: String
        var problem: String
    }

    private static func json(_ plan: RolloutPlan) throws -> String {
        let document = JSONPlan(
            version: plan.version.description,
            waves: plan.waves.map { wave in
                JSONWave(
                    wave: wave.wave.label, channel: wave.wave.channel, index: wave.wave.index,
                    bake: wave.wave.wave.bake?.description, maxFailures: wave.wave.wave.maxFailures?.description,
                    approval: wave.wave.wave.approval,
                    instances: wave.upgrades.map {
                        JSONMember(name: $0.name, from: $0.from.description, hops: $0.hops.map(\.description))
                    },
                    arrived: wave.arrived.map(\.name))
            },
            skipped: plan.skipped.map { JSONSkip(name: $0.name, reason: $0.reason.description) },
            unreachable: plan.unreachable.map {
                JSONUnreachable(name: $0.name, from: $0.from.description, problem: $0.problem.description)
            })
        return String(decoding: try TimeText.jsonEncoder().encode(document), as: UTF8.self)
    }
}

/// What `rollout status` prints: one row per wave, then why a halted rollout stopped and what to do.
enum RolloutStatusView {
    /// What to do about closed gates, in one sentence.
    static func advice(_ closures: [GateClosure], _ version: Version) -> String {
        for closure in closures {
            switch closure {
            case .halted(let wave, _, _, _):
                return "fix the failed instances and run `cloudctl apply` again, or approve past them: "
                    + "`cloudctl rollout advance \(version) --approve \(wave)`"
            case .approvalNeeded(let wave):
                return "approve it: `cloudctl rollout advance \(version) --approve \(wave)`"
            case .previousNotDone:
                return "apply the previous wave (`cloudctl apply`) and wait for its health checks"
            case .baking:
                continue
            }
        }
        return "run `cloudctl rollout advance \(version)` again once the bake time is over"
    }

    static func gate(_ status: WaveStatus) -> String {
        status.closures.isEmpty ? "open" : status.closures.map(\.description).joined(separator: "; ")
    }

    static func render(_ state: RolloutState, format: RolloutOptions.PlanFormat, now: Date) throws -> String {
        if format == .json { return try json(state) }
        let version = state.plan.version
        let rows = state.statuses.map { s in
            [
                s.wave.label, s.state.rawValue, "\(s.total)", "\(s.onVersion)", "\(s.healthy)", "\(s.failed)",
                "\(s.waiting)", "\(s.notStarted)", s.bakeLeft.map { GateDurationText.left($0) } ?? "-",
                s.startedAt.map { TimeText.relative($0, now: now) } ?? "-",
                s.finishedAt.map { TimeText.relative($0, now: now) } ?? "-", gate(s),
            ]
        }
        var lines = [
            "Rollout of \(version)", "",
            TableFormatter.render(
                headers: [
                    "WAVE", "STATE", "TOTAL", "ON \(version)", "HEALTHY", "FAILED", "WAITING", "NOT STARTED",
                    "BAKE LEFT", "STARTED", "FINISHED", "GATE",
                ], rows: rows),
        ]
        for status in state.statuses where status.state == .halted {
            lines.append("")
            lines.append(
                "Halted at wave \(status.wave.label): \(status.failed) of \(status.total) failed "
                    + "(\(status.failedInstances.joined(separator: ", "))), budget \(status.budget).")
            lines.append(
                "  Fix them and run `cloudctl apply` again, or approve past them: "
                    + "`cloudctl rollout advance \(version) --approve \(status.wave.label)`.")
        }
        if !state.plan.skipped.isEmpty {
            let notArrived = state.plan.skipped.filter {
                if case .alreadyAt = $0.reason { return false }
                return true
            }
            if !notArrived.isEmpty {
                lines.append("")
                lines.append(
                    "Skipped: " + notArrived.map { "\($0.name) (\($0.reason))" }.joined(separator: ", "))
            }
        }
        return lines.joined(separator: "\n")
    }

    private struct JSONStatus: Encodable {
        var version: String
        var waves: [JSONWave]
        var decisions: [RolloutDecisionRecord]
    }
    private struct JSONWave: Encodable {
        var wave: String
        var channel: String
        var state: String
        var total, onVersion, healthy, failed, waiting, applying, notStarted, budget: Int
        var gate: String
        var closures: [String]
        var bakeLeftSeconds: Int?
        var startedAt: Date?
        var finishedAt: Date?
        var failedInstances: [String]
    }

    private static func json(_ state: RolloutState) throws -> String {
        let document = JSONStatus(
            version: state.plan.version.description,
            waves: state.statuses.map { s in
                JSONWave(
                    wave: s.wave.label, channel: s.wave.channel, state: s.state.rawValue, total: s.total,
                    onVersion: s.onVersion, healthy: s.healthy, failed: s.failed, waiting: s.waiting,
                    applying: s.applying, notStarted: s.notStarted, budget: s.budget,
                    gate: s.closures.isEmpty ? "open" : "closed", closures: s.closures.map(\.description),
                    bakeLeftSeconds: s.bakeLeft.map { Int(($0.milliseconds + 999) / 1000) }, startedAt: s.startedAt,
                    finishedAt: s.finishedAt, failedInstances: s.failedInstances)
            }, decisions: state.decisions)
        return String(decoding: try TimeText.jsonEncoder().encode(document), as: UTF8.self)
    }
}

/// Bake time left, as the status table shows it.
enum GateDurationText {
    static func left(_ duration: GateDuration) -> String {
        TimeText.duration(Int((duration.milliseconds + 999) / 1000))
    }
}
