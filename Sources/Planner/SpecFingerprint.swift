import FleetModel

/// Canonical text of an instance file plus the fleet settings it uses; its hash detects stale saved plans.
struct SpecFingerprint {
    private var text = ""

    /// Spec fields, its tier, image, DNS, fleet name, its channel's waves and the releases up to its version.
    static func of(_ spec: InstanceSpec, fleet: Fleet) -> String {
        var f = SpecFingerprint()
        f.add("fleet", fleet.name); f.add("image", fleet.image); f.add("dns.zone", fleet.dns.zone); f.add("dns.target", fleet.dns.target)
        f.add("name", spec.name); f.add("customer", spec.customer); f.add("type", spec.type.rawValue)
        f.add("version", spec.version.description); f.add("size", spec.size); f.add("region", spec.region)
        f.add("domain", spec.domain); f.add("channel", spec.channel); f.add("state", spec.state.rawValue)
        let window = spec.maintenanceWindow
        f.add("window", "\(window.day.rawValue) \(window.start) \(window.duration) \(window.timeZone)")
        f.add("protected", String(spec.protected)); f.add("trial", spec.trial?.expires ?? "")
        for key in spec.features.keys.sorted() { f.add("feature.\(key)", String(spec.features[key]!)) }
        for key in spec.labels.keys.sorted() { f.add("label.\(key)", spec.labels[key]!) }
        if let tier = fleet.tiers[spec.size] {
            f.add("tier", "\(tier.databaseClass) \(tier.storageGB) \(tier.cpu) \(tier.memory) \(tier.replicas)")
        }
        for wave in fleet.channels[spec.channel]?.waves ?? [] {
            f.add("wave", "\(wave.name) \(wave.types?.map(\.rawValue).joined(separator: ",") ?? "*") \(wave.percent ?? 100)")
        }
        // Every upgrade path that ends at the spec's version only uses releases up to it.
        for release in fleet.releases.releases where release.version <= spec.version {
            f.add("release", "\(release.version) \(release.jumpFrom?.description ?? "")")
        }
        return ContentHash.sha256Hex(f.text)
    }

    /// Length-prefixed so no value can imitate another field.
    private mutating func add(_ key: String, _ value: String) {
        text += key; text += "="; text += String(value.utf8.count); text += ":"; text += value; text += "\n"
    }
}
