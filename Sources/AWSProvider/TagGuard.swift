import FleetModel
import ProviderAPI

/// The shared "is this resource ours?" check, for everything the provider creates, adopts, changes or deletes.
/// A resource tagged for another instance or fleet is never touched; one without cloudctl tags is not adopted silently:
/// whoever knows it is this instance's tags it by hand, and that is the adoption.
public struct TagGuard: Sendable {
    public let instance: String
    public let fleet: String

    public init(instance: String, fleet: String) {
        self.instance = instance
        self.fleet = fleet
    }

    /// Throws `.foreignResource` unless `tags` name this instance and fleet.
    public func check(_ tags: [String: String], resource: String, operation: String) throws {
        let owner = tags[ResourceTags.instanceKey]
        let ownerFleet = tags[ResourceTags.fleetKey]
        if owner == instance && ownerFleet == fleet { return }
        throw Self.foreign(
            resource, operation: operation, found: Self.owner(owner, ownerFleet),
            expected: [ResourceTags.instanceKey: instance, ResourceTags.fleetKey: fleet])
    }

    /// Throws `.foreignResource` unless `tags` name this fleet and no instance: for fleet-wide resources
    /// (the archive bucket and key of a region), shared by every instance's teardown.
    public func checkFleet(_ tags: [String: String], resource: String, operation: String) throws {
        let owner = tags[ResourceTags.instanceKey]
        let ownerFleet = tags[ResourceTags.fleetKey]
        if owner == nil && ownerFleet == fleet { return }
        throw Self.foreign(
            resource, operation: operation, found: Self.owner(owner, ownerFleet),
            expected: [ResourceTags.fleetKey: fleet])
    }

    /// Whether a resource found with `tags` under exactly the name derived for this step may be adopted (tagged,
    /// then used) instead of refused: only one with no tags at all, and only when this step's previous attempt started
    /// and never finished, since that attempt may have died between a create that cannot tag and its tagging call.
    /// A resource with any tags, or an untagged one met without such an attempt, is someone else's.
    public static func mayAdopt(_ tags: [String: String], previousAttempt: PreviousAttempt) -> Bool {
        tags.isEmpty && previousAttempt == .unfinished
    }

    private static func owner(_ instance: String?, _ fleet: String?) -> String? {
        switch (instance, fleet) {
        case (nil, nil): nil
        case let (instance?, fleet): "instance '\(instance)'" + (fleet.map { " of fleet '\($0)'" } ?? "")
        case let (nil, fleet?): "fleet '\(fleet)'"
        }
    }

    /// The refusal. `found` nil means the resource has no cloudctl tags: say how to adopt it.
    static func foreign(
        _ resource: String, operation: String, found: String?,
        expected: [String: String]
    ) -> CloudError {
        let wanted = expected.keys.sorted().map { "\($0)=\(expected[$0]!)" }.joined(separator: " and ")
        let message: String
        if let found {
            message =
                "\(resource) exists but is tagged for \(found), not \(wanted); it was left untouched. "
                + "Rename or remove it by hand, or choose another name."
        } else {
            message =
                "\(resource) exists without cloudctl tags, so cloudctl does not adopt it; it was left untouched. "
                + "If it belongs here, tag it \(wanted) by hand and run apply again; otherwise rename or remove it."
        }
        return CloudError(
            kind: .foreignResource, operation: operation, code: CloudError.Kind.foreignResource.rawValue,
            message: message)
    }
}
