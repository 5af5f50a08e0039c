import FleetModel
import ProviderAPI

/// The shared "is this resource ours?" check: a resource tagged for another instance or fleet is never touched.
public struct TagGuard: Sendable {
    public let instance: String
    public let fleet: String

    public init(instance: String, fleet: String) { self.instance = instance; self.fleet = fleet }

    /// Throws `.foreignResource` unless `tags` name this instance and fleet.
    /// `adoptUntagged` accepts a resource with no tags at all: for S3, whose bucket is created before it can be tagged
    /// (the caller tags it at once). A resource with any other tags is someone else's.
    public func check(_ tags: [String: String], resource: String, operation: String, adoptUntagged: Bool = false) throws {
        let owner = tags[ResourceTags.instanceKey], ownerFleet = tags[ResourceTags.fleetKey]
        if owner == instance && ownerFleet == fleet { return }
        if adoptUntagged && tags.isEmpty { return }
        let found = owner.map { "instance '\($0)'" + (ownerFleet.map { " of fleet '\($0)'" } ?? "") } ?? "no cloudctl owner"
        throw CloudError(kind: .foreignResource, operation: operation, code: "ForeignResource",
                         message: "\(resource) exists but is tagged for \(found), not instance '\(instance)' of fleet '\(fleet)'; it was left untouched. Rename or remove it by hand.")
    }
}
