import FleetModel

/// Which rollout wave of its channel an instance belongs to; stable across runs and machines.
public enum WaveAssignment {
    /// Index of the first wave of the channel that takes the instance: its `types` include the instance's type and
    /// its `percent` selects the name. 0 when the channel has no waves; `waves.count` when no wave takes it.
    public static func wave(of spec: InstanceSpec, in fleet: Fleet) -> Int {
        wave(name: spec.name, type: spec.type, channel: spec.channel, in: fleet)
    }

    /// `wave(of:in:)` for an instance known by its heading (a saved plan shown without decoding instance files).
    public static func wave(of heading: InstanceHeading, in fleet: Fleet) -> Int {
        wave(name: heading.name, type: heading.type, channel: heading.channel, in: fleet)
    }

    private static func wave(name: String, type: InstanceType, channel: String, in fleet: Fleet) -> Int {
        guard let waves = fleet.channels[channel]?.waves, !waves.isEmpty else { return 0 }
        for (index, wave) in waves.enumerated() {
            if let types = wave.types, !types.contains(type) { continue }
            if let percent = wave.percent, bucket(name, wave: wave.name) >= percent { continue }
            return index
        }
        return waves.count
    }

    /// 0…99 from SHA-256 of the wave and instance names; salting with the wave makes a later wave's percent a share
    /// of the instances the earlier waves left, as `Wave.percent` promises.
    static func bucket(_ name: String, wave: String) -> Int {
        let digest = ContentHash.sha256(Array("\(wave)/\(name)".utf8))
        let value = digest.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return Int(value % 100)
    }
}
