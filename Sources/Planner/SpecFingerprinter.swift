import FleetModel

/// Hashes an instance file plus the fleet settings it uses; a saved plan is stale when the hash changes.
struct SpecFingerprinter {
    let fleet: Fleet
    /// Fleet settings text per (size, channel, version), shared by most instances of a plan.
    private var settings: [SettingsKey: [UInt8]] = [:]

    private struct SettingsKey: Hashable {
        var size: String
        var channel: String
        var version: Version
    }

    init(fleet: Fleet) { self.fleet = fleet }

    /// SHA-256 over every spec field, then its tier, image, DNS, fleet name, channel waves and the releases up to its
    /// version.
    mutating func fingerprint(_ spec: InstanceSpec) -> String {
        var text = CanonicalText()
        text.add("name", spec.name)
        text.add("customer", spec.customer)
        text.add("type", spec.type.rawValue)
        text.add("version", spec.version.description)
        text.add("size", spec.size)
        text.add("region", spec.region)
        text.add("domain", spec.domain)
        text.add("channel", spec.channel)
        text.add("state", spec.state.rawValue)
        let window = spec.maintenanceWindow
        text.add("window", "\(window.day.rawValue) \(window.start) \(window.duration) \(window.timeZone)")
        text.add("protected", spec.protected ? "true" : "false")
        text.add("trial", spec.trial?.expires ?? "")
        for key in spec.features.keys.sorted() { text.add("feature.\(key)", spec.features[key]! ? "true" : "false") }
        for key in spec.labels.keys.sorted() { text.add("label.\(key)", spec.labels[key]!) }
        let key = SettingsKey(size: spec.size, channel: spec.channel, version: spec.version)
        if settings[key] == nil { settings[key] = settingsText(key) }
        text.bytes += settings[key]!
        return ContentHash.hex(ContentHash.sha256(text.bytes))
    }

    private func settingsText(_ key: SettingsKey) -> [UInt8] {
        var text = CanonicalText()
        text.add("fleet", fleet.name)
        text.add("image", fleet.image)
        text.add("dns.zone", fleet.dns.zone)
        text.add("dns.target", fleet.dns.target)
        text.add("retention", String(fleet.retention.days))
        text.add("logRetention", String(fleet.logRetention.days))
        for source in fleet.ingress { text.add("ingress", source.description) }
        // Every tier, not only the spec's: a resize names the tier the record matches, and `before` comes from it.
        for (name, tier) in fleet.tiers.sorted(by: { $0.key < $1.key }) {
            let own = name == key.size ? "*" : ""
            text.add(
                "tier",
                "\(own)\(name) \(tier.databaseClass) \(tier.storageGB) \(tier.cpu) \(tier.memory) \(tier.replicas) "
                    + "\(tier.backupRetentionDays)")
        }
        for wave in fleet.channels[key.channel]?.waves ?? [] {
            text.add(
                "wave",
                "\(wave.name) \(wave.types?.map(\.rawValue).joined(separator: ",") ?? "*") \(wave.percent ?? 100)")
        }
        // Every upgrade path that ends at the spec's version only uses releases up to it.
        for release in fleet.releases.releases where release.version <= key.version {
            text.add("release", "\(release.version) \(release.jumpFrom?.description ?? "")")
        }
        return text.bytes
    }
}

/// `key=length:value` lines: length-prefixed so no value can imitate another field.
private struct CanonicalText {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(512) }

    mutating func add(_ key: String, _ value: String) {
        bytes += key.utf8
        bytes.append(UInt8(ascii: "="))
        bytes += String(value.utf8.count).utf8
        bytes.append(UInt8(ascii: ":"))
        bytes += value.utf8
        bytes.append(UInt8(ascii: "\n"))
    }
}
