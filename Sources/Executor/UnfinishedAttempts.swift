import FleetModel
import ProviderAPI
import StateBackend

/// Which steps of one instance were last attempted without finishing, read from its journal under the lock: what
/// `StepContext.previousAttempt` tells the provider.
struct UnfinishedAttempts: Sendable {
    /// How many of the newest journal rows are read. Far more than a plan's steps: only hundreds of later attempts
    /// could hide an unfinished one, and then the step counts as never started, which refuses rather than adopts.
    static let lookBack = 500

    private struct Key: Hashable {
        var action: StepAction
        var resource: ResourceKind
    }

    private var unfinished: Set<Key>

    /// `newestFirst` is the instance's journal, newest row first. Per action and resource the newest row that
    /// started decides; `not-started` rows were never attempts.
    init(newestFirst steps: [StepRecord]) {
        var decided = Set<Key>()
        var unfinished = Set<Key>()
        for step in steps where step.status != .notStarted {
            let key = Key(action: step.action, resource: step.resource)
            guard decided.insert(key).inserted else { continue }
            if step.status == .running || step.status == .interrupted { unfinished.insert(key) }
        }
        self.unfinished = unfinished
    }

    func previousAttempt(of step: PlanStep) -> PreviousAttempt {
        unfinished.contains(Key(action: step.action, resource: step.resource)) ? .unfinished : .finishedOrNone
    }

    /// A step of the same action and resource later in this plan (an upgrade's second hop) has this run's attempt as
    /// its previous one, which the journal now holds as finished, whatever its outcome.
    mutating func attempted(_ step: PlanStep) {
        unfinished.remove(Key(action: step.action, resource: step.resource))
    }
}
