import FleetModel

/// Why no upgrade path exists between two versions.
public enum UpgradePathError: Error, Hashable, Sendable, CustomStringConvertible {
    case downgrade(from: Version, to: Version)
    case sourceNotInCatalog(Version)
    case targetNotInCatalog(Version)

    public var description: String {
        switch self {
        case let .downgrade(from, to):
            "cannot downgrade from \(from) to \(to): upgrades only move forward (migrations are not reversible)"
        case let .sourceNotInCatalog(v):
            "running version \(v) is not in the release catalog, so no upgrade path can start from it; "
                + "add it back to the catalog"
        case let .targetNotInCatalog(v):
            "version \(v) is not in the release catalog; pick a released version"
        }
    }
}

/// The versions an instance passes through on its way to a target: one minor line at a time, or a catalog-allowed jump.
public enum UpgradePath {
    /// The hops after `from`, ending exactly on `to`; empty when they are equal.
    ///
    /// Each hop goes to the newest patch of the next minor line present in the catalog (the last hop to `to` itself),
    /// unless a release whose `jumpFrom` admits the current version gets further without passing the target.
    public static func hops(from: Version, to: Version, catalog: ReleaseCatalog) throws(UpgradePathError) -> [Version] {
        guard catalog.contains(from) else { throw .sourceNotInCatalog(from) }
        guard catalog.contains(to) else { throw .targetNotInCatalog(to) }
        if to < from { throw .downgrade(from: from, to: to) }
        let versions = catalog.releases.map(\.version)
        var path: [Version] = []
        var current = from
        while current != to {
            let next = max(
                nextLineStep(from: current, to: to, versions: versions),
                furthestJump(from: current, to: to, catalog: catalog) ?? current)
            path.append(next)
            current = next
        }
        return path
    }

    /// The newest patch of the next minor line (or `to` once in the target's line).
    private static func nextLineStep(from current: Version, to target: Version, versions: [Version]) -> Version {
        if current.line == target.line { return target }
        // `versions` is sorted, so the first version past the current line opens the next line present.
        guard let nextLine = versions.first(where: { $0.line > current.line })?.line, nextLine < target.line else {
            return target
        }
        return versions.last { $0.line == nextLine }!
    }

    /// The newest release reachable from `current` in one jump, not past `target`.
    private static func furthestJump(from current: Version, to target: Version, catalog: ReleaseCatalog) -> Version? {
        catalog.releases.last { release in
            guard let jumpFrom = release.jumpFrom else { return false }
            return jumpFrom <= current && current < release.version && release.version <= target
        }?.version
    }
}
