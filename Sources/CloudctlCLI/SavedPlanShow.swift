import FleetModel

/// Prints a saved plan read in one pass, instance by instance; the output is spooled until every instance and the
/// summary checked out, so a garbled or edited file prints nothing and 100,000 instances are never held at once.
enum SavedPlanShow {
    static func print(_ reader: SavedPlanReader, _ format: PlanFormat, terminal: Terminal, console: Console) throws {
        // A sealed plan is read without recomputing what its seal vouches for; if the seal does not hold, everything
        // printed so far is dropped and the plan is read again, checking every step.
        if try print(reader, format, terminal: terminal, console: console, sealed: true) { return }
        _ = try print(reader, format, terminal: terminal, console: console, sealed: false)
    }

    /// Whether the plan was printed (false: the seal did not hold, nothing was printed).
    private static func print(
        _ reader: SavedPlanReader, _ format: PlanFormat, terminal: Terminal, console: Console, sealed: Bool
    ) throws -> Bool {
        let spool = try OutputSpool()
        // Sealed again only when its seal held: a plan read the long way may have been edited, and `show --json` must
        // not turn an edited plan into one apply takes by its seal.
        var printer = PlanPrinter(
            format, fleet: reader.fleet, inputs: sealed ? reader.inputs : nil, diagnostics: [],
            text: PlanTextRenderer(terminal: terminal), console: spool.console(replacing: console))
        if sealed {
            guard reader.readSealed({ printer.add($0) }) != nil else { return false }
        } else {
            var recount = PlanSummary()
            try reader.forEachBatch({ reader, range in reader.instances(range) }) { batch in
                for result in batch {
                    let instance = try result.get()
                    recount.add(instance)
                    printer.add(instance)
                }
                return true
            }
            try reader.checkSummary(recount)
        }
        printer.finish(summary: reader.summary, toolVersion: reader.toolVersion, selection: reader.selection)
        spool.replay(to: console.writeOut)
        return true
    }
}
