import Foundation
import FleetModel
import StateBackend

/// Why an instance needs a look, as the page's attention list and flags show it.
public struct AttentionFlags: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The last operation failed or was interrupted.
    public static let failed = AttentionFlags(rawValue: 1)
    /// Someone holds (or left) the instance's lock.
    public static let locked = AttentionFlags(rawValue: 2)
    /// A plan has changes for it but its maintenance window is closed, so they wait.
    public static let outsideWindowPending = AttentionFlags(rawValue: 4)
    /// Recorded, but its instance file is gone.
    public static let orphaned = AttentionFlags(rawValue: 8)
    /// An instance file that was never applied.
    public static let notApplied = AttentionFlags(rawValue: 16)
    /// A plan has changes for it.
    public static let pending = AttentionFlags(rawValue: 32)

    /// The flags that put an instance on the attention list.
    public static let needsAttention: AttentionFlags = [.failed, .locked, .outsideWindowPending]

    /// The flags of every instance at `now`; each distinct maintenance window is checked once (a calendar
    /// computation per instance costs a tenth of the page's time at 10,000 instances).
    public static func of(_ instances: [ReportInstance], now: Date) -> [AttentionFlags] {
        var open: [MaintenanceWindow: Bool] = [:]
        return instances.map { instance in
            AttentionFlags(instance, now: now) { window in
                if let known = open[window] { return known }
                let isOpen = window.contains(now)
                open[window] = isOpen
                return isOpen
            }
        }
    }

    /// The flags of `instance` at `now`.
    public init(_ instance: ReportInstance, now: Date) {
        self.init(instance, now: now) { $0.contains(now) }
    }

    private init(_ instance: ReportInstance, now: Date, isOpen: (MaintenanceWindow) -> Bool) {
        var flags: AttentionFlags = []
        if let result = instance.lastOperation?.result, result == .failed || result == .interrupted {
            flags.insert(.failed)
        }
        if instance.lock != nil { flags.insert(.locked) }
        if instance.spec == nil { flags.insert(.orphaned) }
        if instance.recorded == nil { flags.insert(.notApplied) }
        if instance.pendingChanges == true {
            flags.insert(.pending)
            // Only instances with pending changes pay for the calendar arithmetic of the window check.
            if let window = instance.spec?.maintenanceWindow, !isOpen(window) {
                flags.insert(.outsideWindowPending)
            }
        }
        self = flags
    }
}

/// The fleet-at-a-glance figures: counts by state and type, versions by channel.
public struct FleetGlance: Sendable, Equatable {
    /// Recorded state (or "not applied") → count, in a fixed order.
    public var byState: [(label: String, count: Int)]
    /// Instance type (or "no file") → count.
    public var byType: [(label: String, count: Int)]
    /// Per channel, sorted by name: how many instances want and how many run each version.
    public var channels: [ChannelVersions]

    public init(_ instances: [ReportInstance]) {
        var states: [String: Int] = [:]
        var types: [String: Int] = [:]
        var channels: [String: ChannelVersions] = [:]
        for instance in instances {
            states[instance.recorded?.state.rawValue ?? "not applied", default: 0] += 1
            types[instance.spec?.type.rawValue ?? "no file", default: 0] += 1
            guard let spec = instance.spec else { continue }
            var channel = channels[spec.channel] ?? ChannelVersions(channel: spec.channel)
            channel.desired[spec.version.description, default: 0] += 1
            channel.running[instance.recorded?.runningVersion?.description ?? ChannelVersions.none, default: 0] += 1
            channel.total += 1
            if instance.recorded?.runningVersion == spec.version { channel.upToDate += 1 }
            channels[spec.channel] = channel
        }
        let stateOrder = InstanceState.allCases.map(\.rawValue) + ["not applied"]
        byState = stateOrder.compactMap { label in states[label].map { (label, $0) } }
        let typeOrder = InstanceType.allCases.map(\.rawValue) + ["no file"]
        byType = typeOrder.compactMap { label in types[label].map { (label, $0) } }
        self.channels = channels.values.sorted { $0.channel < $1.channel }
    }

    public static func == (a: FleetGlance, b: FleetGlance) -> Bool {
        a.byState.map(\.label) == b.byState.map(\.label) && a.byState.map(\.count) == b.byState.map(\.count)
            && a.byType.map(\.label) == b.byType.map(\.label) && a.byType.map(\.count) == b.byType.map(\.count)
            && a.channels == b.channels
    }
}

/// Desired and running versions of one channel's instances.
public struct ChannelVersions: Sendable, Equatable {
    /// The label for instances that run nothing yet.
    public static let none = "none"

    public var channel: String
    public var total = 0
    /// Instances that run the version their file asks for.
    public var upToDate = 0
    public var desired: [String: Int] = [:]
    public var running: [String: Int] = [:]

    public init(channel: String) { self.channel = channel }

    /// Every version named, oldest first, with "none" last.
    public var versions: [String] {
        Set(desired.keys).union(running.keys).sorted { a, b in
            if a == Self.none || b == Self.none { return b == Self.none && a != Self.none }
            guard let va = Version(a), let vb = Version(b) else { return a < b }
            return va < vb
        }
    }
}
