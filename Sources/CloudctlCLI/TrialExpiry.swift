import Foundation
import FleetModel
import FleetFiles

/// Warnings for trials that expired or expire within a week: `validate`, `plan` and `status` all show them.
enum TrialExpiry {
    /// How long before the end a trial is called out.
    static let warningDays = 7

    /// Where a trial stands on `now`: nil while more than a week is left.
    enum Standing: Equatable {
        /// The trial's last day has passed.
        case expired
        /// Whole days left, counting today (0 = its last day).
        case endsSoon(daysLeft: Int)
    }

    /// `expires` is the trial's last day (UTC): it has expired once that day is over.
    static func standing(_ trial: TrialSettings, now: Date) -> Standing? {
        let day = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()
        guard let lastDay = try? Date(trial.expires, strategy: day) else { return nil }
        let end = lastDay.addingTimeInterval(86_400)
        if now >= end { return .expired }
        let daysLeft = Int(end.timeIntervalSince(now) / 86_400)
        return daysLeft < warningDays ? .endsSoon(daysLeft: daysLeft) : nil
    }

    /// One warning per trial that expired or ends within the week, at its `trial.expires` field.
    static func warnings(_ loaded: LoadedFleet, now: Date) -> [Diagnostic] {
        loaded.specs.compactMap { spec in
            guard spec.type == .trial, let trial = spec.trial, let standing = standing(trial, now: now) else {
                return nil
            }
            let location = SourceLocation(
                file: loaded.files[spec.name] ?? "Instances/\(spec.name).json", fieldPath: "trial.expires")
            return .warning(
                summary(spec.name, trial, standing),
                detail: "Extend trial.expires, change type to production, or set state to suspended or deleted.",
                at: location)
        }
    }

    /// "trial of acme expired on 2026-11-20" / "trial of acme ends on 2026-12-03 (in 3 days)".
    static func summary(_ name: String, _ trial: TrialSettings, _ standing: Standing) -> String {
        switch standing {
        case .expired: "trial of \(name) expired on \(trial.expires)"
        case .endsSoon(0): "trial of \(name) ends today (\(trial.expires))"
        case .endsSoon(let days): "trial of \(name) ends on \(trial.expires) (in \(days) \(days == 1 ? "day" : "days"))"
        }
    }
}
