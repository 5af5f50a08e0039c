import Foundation
import FleetModel
import FleetFiles
import Executor
import Rollout
import StateBackend

/// `cloudctl rollout plan|advance|status VERSION`: a release wave by wave, gates enforced (docs/rollouts.md).
enum RolloutCommand {
    static let command = Command(RolloutOptions.self) { options, context in
        switch options.action {
        case .plan: try await plan(options, context)
        case .advance: try await advance(options, context)
        case .status: try await status(options, context)
        }
    }

    /// The fleet and its files, with the release checked against the catalog.
    private static func load(_ options: RolloutOptions, _ context: CommandContext) async throws -> (
        FleetWorkspace, Fleet
    ) {
        let workspace = try await FleetWorkspace.open(context)
        let fleet = try workspace.validFleet()
        context.report(workspace.loaded.diagnostics)
        guard fleet.releases.contains(options.version) else {
            throw DiagnosticsError([
                .error(
                    "Version \(options.version) is not in the release catalog",
                    detail: "Add {\"version\": \"\(options.version)\"} to releases in \(FleetLoader.fleetFile) first, "
                        + "or pick one of: "
                        + "\(fleet.releases.releases.suffix(5).map(\.version.description).joined(separator: ", "))."
                )
            ])
        }
        return (workspace, fleet)
    }

    /// Instances the release cannot reach, as errors naming the instance and the path it lacks.
    private static func unreachableErrors(_ plan: RolloutPlan, files: [String: String]) -> [Diagnostic] {
        plan.unreachable.map {
            .error(
                "\($0.name) cannot get to \(plan.version): no upgrade path from \($0.from)",
                detail: $0.problem.description,
                at: SourceLocation(file: files[$0.name] ?? "Instances/\($0.name).json", fieldPath: "version"))
        }
    }

    static func plan(_ options: RolloutOptions, _ context: CommandContext) async throws -> Int32 {
        let (workspace, fleet) = try await load(options, context)
        let plan = RolloutPlan.make(version: options.version, fleet: fleet, specs: workspace.loaded.specs)
        context.console.out(try RolloutPlanView.render(plan, format: options.format))
        let errors = unreachableErrors(plan, files: workspace.loaded.files)
        context.report(errors)
        return errors.isEmpty ? CLI.ExitCode.success : CLI.ExitCode.failure
    }

    static func status(_ options: RolloutOptions, _ context: CommandContext) async throws -> Int32 {
        let (workspace, fleet) = try await load(options, context)
        let store = try context.existingStore(fleet: fleet.name)
        let now = context.environment.now()
        let state = try await RolloutState.load(
            version: options.version, fleet: fleet, specs: workspace.loaded.specs, store: store, now: now)
        context.console.out(try RolloutStatusView.render(state, format: options.format, now: now))
        return CLI.ExitCode.success
    }

    static func advance(_ options: RolloutOptions, _ context: CommandContext) async throws -> Int32 {
        let (workspace, fleet) = try await load(options, context)
        let console = context.console
        let version = options.version
        let now = context.environment.now()
        let actor = LockHolder.current()
        let first = RolloutPlan.make(version: version, fleet: fleet, specs: workspace.loaded.specs)
        let errors = unreachableErrors(first, files: workspace.loaded.files)
        if !errors.isEmpty { throw DiagnosticsError(errors) }
        let store = try context.writableStore(fleet: fleet.name, create: true)
        if let label = options.approve {
            guard let wave = first.wave(named: label)?.wave else {
                throw DiagnosticsError([
                    .error(
                        "No wave '\(label)' in the rollout of \(version)",
                        detail: "Waves: \(first.waves.map(\.wave.label).joined(separator: ", ")).")
                ])
            }
            let decisions = try await store.rolloutDecisions(
                version: version, since: nil, limit: RolloutState.decisionLimit)
            if decisions.contains(where: {
                $0.kind == .approve && $0.channel == wave.channel && $0.wave == wave.wave.name
            }) {
                console.out("Wave \(wave.label) of \(version) was already approved.")
            } else {
                try await store.recordRolloutDecision(
                    RolloutDecisionRecord(
                        version: version, kind: .approve, channel: wave.channel, wave: wave.wave.name, actor: actor,
                        at: now))
                console.out("Approved wave \(wave.label) of \(version).")
            }
        }
        let state = try await RolloutState.load(
            version: version, fleet: fleet, specs: workspace.loaded.specs, store: store, now: now)
        let steps = RolloutAdvance.next(state.plan, statuses: state.statuses)
        var edited: [(wave: RolloutWave, names: [String], files: [String])] = []
        var held = false
        for step in steps {
            switch step {
            case .edit(let wave, let members):
                let files = try edit(members, to: version, workspace: workspace, context: context)
                try await store.recordRolloutDecision(
                    RolloutDecisionRecord(
                        version: version, kind: .advance, channel: wave.channel, wave: wave.wave.name,
                        instances: members.map(\.name), actor: actor, at: now))
                edited.append((wave, members.map(\.name), files))
                console.out(
                    "wave \(wave.label): set version \(version) in \(members.count) file(s): "
                        + members.map(\.name).joined(separator: ", "))
            case .held(let wave, let closures):
                held = true
                for closure in closures { console.out(closure.description) }
                console.out("  → wave \(wave.label) not started; \(RolloutStatusView.advice(closures, version))")
                try await recordHalts(closures, state: state, store: store, actor: actor, now: now)
            }
        }
        if edited.isEmpty && !held {
            console.out(
                "Every instance file of the rollout names \(version) already; "
                    + "see `cloudctl rollout status \(version)`.")
        }
        if !edited.isEmpty {
            console.out("Next: review the change, run `cloudctl plan`, then `cloudctl apply`.")
            if options.commit { try commit(edited, version: version, context: context) }
        }
        return edited.isEmpty && held ? CLI.ExitCode.failure : CLI.ExitCode.success
    }

    /// Sets `version` in each member's file, changing only that value's bytes; returns the files' relative paths.
    private static func edit(
        _ members: [RolloutMember], to version: Version, workspace: FleetWorkspace, context: CommandContext
    ) throws -> [String] {
        try members.map { member in
            let relative = workspace.loaded.files[member.name] ?? "Instances/\(member.name).json"
            let url = context.repo.appendingPathComponent(relative)
            let bytes = [UInt8](try Data(contentsOf: url))
            let changed: [UInt8]
            do {
                changed = try InstanceFileEditor.setting(
                    path: ["version"], to: .string(version.description), in: bytes)
            } catch {
                throw DiagnosticsError([
                    .error(
                        "Cannot edit \(relative): \(error)", at: SourceLocation(file: relative, fieldPath: "version"))
                ])
            }
            let writer = try AtomicFileWriter(url)
            writer.write(String(decoding: changed, as: UTF8.self))
            try writer.commit()
            return relative
        }
    }

    /// Records a `halt` for each halted wave, once per halt (not again until someone approved past it).
    private static func recordHalts(
        _ closures: [GateClosure], state: RolloutState, store: any StateBackend, actor: String, now: Date
    ) async throws {
        for case .halted(let label, _, _, _) in closures {
            guard let status = state.statuses.first(where: { $0.wave.label == label }) else { continue }
            let wave = status.wave
            let already = state.decisions.last { $0.channel == wave.channel && $0.wave == wave.wave.name }
            if already?.kind == .halt { continue }
            try await store.recordRolloutDecision(
                RolloutDecisionRecord(
                    version: state.plan.version, kind: .halt, channel: wave.channel, wave: wave.wave.name,
                    instances: status.failedInstances, actor: actor,
                    note: "\(status.failed) of \(status.total) failed, budget \(status.budget)", at: now))
        }
    }

    /// One git commit of exactly the edited files, its message naming each wave and instance.
    private static func commit(
        _ edited: [(wave: RolloutWave, names: [String], files: [String])], version: Version, context: CommandContext
    ) throws {
        let waves = edited.map(\.wave.label).joined(separator: ", ")
        var message = "Roll out \(version) to wave \(waves)\n"
        for entry in edited {
            message += "\nWave \(entry.wave.label) (channel \(entry.wave.channel)):\n"
            message += entry.names.map { "- \($0)\n" }.joined()
        }
        let files = edited.flatMap(\.files)
        try git(["add", "--"] + files, context: context)
        try git(["commit", "--quiet", "-m", message, "--"] + files, context: context)
        context.console.out("Committed: Roll out \(version) to wave \(waves)")
    }

    private static func git(_ arguments: [String], context: CommandContext) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", context.repo.path] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DiagnosticsError([
                .error(
                    "git \(arguments.first ?? "") failed (exit \(process.terminationStatus))",
                    detail: String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                        + "\nThe files are edited; commit them by hand.")
            ])
        }
    }
}
