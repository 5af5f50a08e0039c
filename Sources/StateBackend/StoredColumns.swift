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

/// A resource's applied labels as stored: a JSON object of strings, keys sorted; NULL or unreadable text reads as none
/// (the next plan then puts the file's labels on again, which is harmless).
public enum LabelsColumn {
    /// NULL for none, so rows of instances without labels stay as they were.
    public static func text(_ labels: [String: String]) -> String? {
        guard !labels.isEmpty else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(labels)).map { String(decoding: $0, as: UTF8.self) }
    }

    public static func labels(_ text: String?) -> [String: String] {
        guard let text else { return [:] }
        return (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }
}

/// A rollout decision's instance names as stored: a JSON array of strings; unreadable text reads as none.
public enum InstanceNamesColumn {
    public static func text(_ names: [String]) -> String {
        (try? JSONEncoder().encode(names)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    public static func names(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
