import Foundation
import FleetModel

/// Resource attributes as stored (by every backend): JSON text in the plan format's shape, read back for the row's
/// resource kind.
public enum AttributesColumn {
    public static func text(_ attributes: ResourceAttributes) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(attributes.planJSON)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Nil when the text does not hold this kind's attributes: the hash alone still says whether they changed.
    public static func attributes(_ text: String, kind: ResourceKind) -> ResourceAttributes? {
        guard let json = try? JSONDecoder().decode(PlanJSON.self, from: Data(text.utf8)) else { return nil }
        return try? ResourceAttributes(planJSON: json, kind: kind)
    }
}

/// The network's ids as stored: JSON text. Unreadable text reads as none: steps then look the network up by its tags.
public enum NetworkColumn {
    public static func text(_ ids: NetworkIds) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(ids)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    public static func ids(_ text: String) -> NetworkIds? {
        try? JSONDecoder().decode(NetworkIds.self, from: Data(text.utf8))
    }
}
