import Foundation

extension MaintenanceWindow {
    /// True when `date` falls inside this weekly window (in its time zone).
    /// TODO(helper: FleetModel loading) — placeholder.
    public func contains(_ date: Date) -> Bool { true }
}
