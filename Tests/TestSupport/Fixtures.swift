import Foundation
import FleetModel

/// Small in-memory fleets and specs for tests in every module.
public enum Fixtures {
    public static let window = MaintenanceWindow(day: .sun, start: "02:00", duration: "4h", timeZone: "UTC")

    public static func fleet(name: String = "test") -> Fleet {
        Fleet(
            name: name,
            dns: DNSSettings(zone: "cloud.example.com", target: "ingress.cloud.example.com"),
            image: "registry.example.com/app",
            tiers: [
                "small": Tier(databaseClass: "db.t3.micro", storageGB: 20, cpu: 256, memory: 512, replicas: 1),
                "medium": Tier(databaseClass: "db.t3.medium", storageGB: 50, cpu: 512, memory: 1024, replicas: 2),
                "large": Tier(databaseClass: "db.m5.large", storageGB: 200, cpu: 1024, memory: 2048, replicas: 3),
            ],
            releases: ReleaseCatalog([
                Release(version: Version(4, 8, 0)), Release(version: Version(4, 8, 2)),
                Release(version: Version(4, 9, 0)), Release(version: Version(4, 9, 1)),
                Release(version: Version(5, 0, 0)), Release(version: Version(5, 1, 0)),
                Release(version: Version(5, 2, 0)), Release(version: Version(5, 2, 3)),
                Release(version: Version(5, 3, 0), jumpFrom: Version(5, 1, 0)),
            ]),
            channels: [
                "internal": Channel(waves: [Wave(name: "all")]),
                "canary": Channel(waves: [Wave(name: "all")]),
                "stable": Channel(waves: [
                    Wave(name: "internal", types: [.internal]), Wave(name: "early", percent: 20), Wave(name: "rest"),
                ]),
                "pause": Channel(paused: true),
            ])
    }

    public static func spec(
        _ name: String = "acme", version: Version = Version(5, 2, 3), size: String = "small",
        state: InstanceState = .active, type: InstanceType = .production, protected: Bool = false,
        domain: String? = nil, channel: String = "stable", region: String = "us-east-1"
    ) -> InstanceSpec {
        InstanceSpec(
            name: name, customer: name.capitalized + " Inc.", type: type, version: version, size: size, region: region,
            domain: domain ?? "\(name).cloud.example.com", channel: channel, state: state,
            maintenanceWindow: window, protected: protected,
            trial: type == .trial ? TrialSettings(expires: "2027-01-31") : nil)
    }
}
