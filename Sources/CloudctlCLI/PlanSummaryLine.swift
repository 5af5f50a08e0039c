import FleetModel

/// The plan's closing line for `plan`, `show` and applying a saved plan.
enum PlanSummaryLine {
    /// `PlanTextRenderer.summaryLine`, except that a plan with orphans never claims the fleet matches its files.
    static func text(_ summary: PlanSummary) -> String {
        guard !summary.hasChanges, summary.orphaned > 0 else { return PlanTextRenderer.summaryLine(summary) }
        var notes = ["\(summary.orphaned) orphaned"]
        if summary.refused > 0 { notes.append("\(summary.refused) refused") }
        return "No changes to apply, but the fleet does not match the instance files: "
            + notes.joined(separator: ", ") + " (left untouched)."
    }
}
