import FleetModel
import Planner

/// One wave of one channel, as a rollout sees it.
public struct RolloutWave: Hashable, Sendable {
    public var channel: String
    /// Position in the channel's waves (what the planner and executor call the instance's wave).
    public var index: Int
    public var wave: Wave
    /// How messages name it: the wave's name, or `channel/wave` when another channel has a wave of that name.
    public var label: String

    public init(channel: String, index: Int, wave: Wave, label: String) {
        self.channel = channel
        self.index = index
        self.wave = wave
        self.label = label
    }
}

/// Why a release does not reach an instance.
public enum RolloutSkip: Hashable, Sendable, CustomStringConvertible {
    /// Its channel is paused: never bulk-upgraded.
    case pausedChannel(String)
    /// It is being torn down (`state: deleted`).
    case deleted
    /// Its file already names this version or a newer one.
    case alreadyAt(Version)
    /// Its channel has no wave that takes it (no waves, or none matching its type and share).
    case channelNotTaking(String)

    public var description: String {
        switch self {
        case .pausedChannel(let channel): "channel \(channel) is paused"
        case .deleted: "state is deleted"
        case .alreadyAt(let version): "already at \(version)"
        case .channelNotTaking(let channel): "channel \(channel) has no wave that takes it"
        }
    }
}

/// An instance a release reaches: where its file stands and the hops to the release.
public struct RolloutMember: Hashable, Sendable {
    public var name: String
    /// The version its file names now.
    public var from: Version
    /// Versions it passes through; empty when it is already at (or beyond) the release.
    public var hops: [Version]

    public init(name: String, from: Version, hops: [Version]) {
        self.name = name
        self.from = from
        self.hops = hops
    }
}

/// The instances of one wave: those still to be moved to the release and those already there.
public struct RolloutWavePlan: Hashable, Sendable {
    public var wave: RolloutWave
    /// Files that `rollout advance` would change, by name.
    public var upgrades: [RolloutMember]
    /// Files that already name the release or a newer one; they still count for the wave's gates.
    public var arrived: [RolloutMember]

    /// Every instance of the wave, by name.
    public var members: [RolloutMember] { (upgrades + arrived).sorted { $0.name < $1.name } }
}

/// An instance the release cannot reach: no upgrade path from its version.
public struct RolloutUnreachable: Hashable, Sendable {
    public var name: String
    public var from: Version
    public var problem: UpgradePathError
}

/// Which instances a release reaches, in which wave, with which hops (values in, values out).
public struct RolloutPlan: Hashable, Sendable {
    public var version: Version
    /// Waves in rollout order: by position in their channel, then channel name.
    public var waves: [RolloutWavePlan]
    /// Instances the release does not reach, with why; sorted by name. Those already there are in their wave too.
    public var skipped: [(name: String, reason: RolloutSkip)]
    public var unreachable: [RolloutUnreachable]

    public static func == (a: RolloutPlan, b: RolloutPlan) -> Bool {
        a.version == b.version && a.waves == b.waves && a.unreachable == b.unreachable
            && a.skipped.map(\.name) == b.skipped.map(\.name) && a.skipped.map(\.reason) == b.skipped.map(\.reason)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(version)
        hasher.combine(waves)
    }

    /// The rollout of `version` over `specs` (a paused channel, a deleted instance or a file already at or beyond
    /// the version is skipped; a file the catalog has no path from is unreachable).
    public static func make(version: Version, fleet: Fleet, specs: [InstanceSpec]) -> RolloutPlan {
        var plans: [String: [Int: RolloutWavePlan]] = [:]
        var skipped: [(String, RolloutSkip)] = []
        var unreachable: [RolloutUnreachable] = []
        let labels = waveLabels(fleet)
        for spec in specs.sorted(by: { $0.name < $1.name }) {
            guard let channel = fleet.channels[spec.channel] else {
                skipped.append((spec.name, .channelNotTaking(spec.channel)))
                continue
            }
            if channel.paused {
                skipped.append((spec.name, .pausedChannel(spec.channel)))
                continue
            }
            if spec.state == .deleted {
                skipped.append((spec.name, .deleted))
                continue
            }
            let index = WaveAssignment.wave(of: spec, in: fleet)
            guard index < channel.waves.count else {
                skipped.append((spec.name, .channelNotTaking(spec.channel)))
                continue
            }
            let wave = channel.waves[index]
            let arrived = spec.version >= version
            let member: RolloutMember
            if arrived {
                skipped.append((spec.name, .alreadyAt(spec.version)))
                member = RolloutMember(name: spec.name, from: spec.version, hops: [])
            } else {
                do {
                    let hops = try UpgradePath.hops(from: spec.version, to: version, catalog: fleet.releases)
                    member = RolloutMember(name: spec.name, from: spec.version, hops: hops)
                } catch {
                    unreachable.append(RolloutUnreachable(name: spec.name, from: spec.version, problem: error))
                    continue
                }
            }
            // Appended in place: taking the wave's plan out of the dictionary and storing it back copied all its
            // members on every append (quadratic; about a second per release at 10,000 instances).
            let empty = {
                RolloutWavePlan(
                    wave: RolloutWave(
                        channel: spec.channel, index: index, wave: wave,
                        label: labels[WaveKey(channel: spec.channel, wave: wave.name)] ?? wave.name),
                    upgrades: [], arrived: [])
            }
            if arrived {
                plans[spec.channel, default: [:]][index, default: empty()].arrived.append(member)
            } else {
                plans[spec.channel, default: [:]][index, default: empty()].upgrades.append(member)
            }
        }
        // Every wave of every open channel is listed, even an empty one: its gates still hold the next wave.
        var waves: [RolloutWavePlan] = []
        for (name, channel) in fleet.channels where !channel.paused {
            for (index, wave) in channel.waves.enumerated() {
                waves.append(
                    plans[name]?[index]
                        ?? RolloutWavePlan(
                            wave: RolloutWave(
                                channel: name, index: index, wave: wave,
                                label: labels[WaveKey(channel: name, wave: wave.name)] ?? wave.name),
                            upgrades: [], arrived: []))
            }
        }
        // Only channels with instances in this rollout take part.
        let active = Set(plans.keys)
        waves = waves.filter { active.contains($0.wave.channel) }.sorted {
            ($0.wave.index, $0.wave.channel) < ($1.wave.index, $1.wave.channel)
        }
        return RolloutPlan(
            version: version, waves: waves, skipped: skipped.map { (name: $0.0, reason: $0.1) },
            unreachable: unreachable)
    }

    /// The plan of the wave called `label` (its label, or `channel/wave`).
    public func wave(named label: String) -> RolloutWavePlan? {
        waves.first { $0.wave.label == label || "\($0.wave.channel)/\($0.wave.wave.name)" == label }
    }

    struct WaveKey: Hashable {
        var channel: String
        var wave: String
    }

    /// A wave's bare name where it is unique among the open channels, else `channel/wave`.
    static func waveLabels(_ fleet: Fleet) -> [WaveKey: String] {
        let open = fleet.channels.filter { !$0.value.paused }
        var counts: [String: Int] = [:]
        for channel in open.values {
            for wave in channel.waves { counts[wave.name, default: 0] += 1 }
        }
        var labels: [WaveKey: String] = [:]
        for (name, channel) in open {
            for wave in channel.waves {
                labels[WaveKey(channel: name, wave: wave.name)] =
                    counts[wave.name] == 1 ? wave.name : "\(name)/\(wave.name)"
            }
        }
        return labels
    }
}
