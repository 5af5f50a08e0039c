import StateBackend

extension StepRecord {
    /// This step as `BatchHistoryReading` returns it: only the fields the fleet page shows, the others emptied.
    public var asReadForThePage: StepRecord {
        var step = self
        step.reason = ""
        step.inputsHash = ""
        step.cloudId = nil
        step.note = nil
        step.startedAt = nil
        return step
    }
}
