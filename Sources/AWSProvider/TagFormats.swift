import FleetModel

/// How each AWS API spells a tag list, both ways.
enum TagFormat {
    /// ECS (`key`/`value`), KMS (`TagKey`/`TagValue`), Secrets Manager (`Key`/`Value`).
    case ecs, kms, secretsManager

    private var names: (key: String, value: String) {
        switch self {
        case .ecs: ("key", "value")
        case .kms: ("TagKey", "TagValue")
        case .secretsManager: ("Key", "Value")
        }
    }

    func json(_ tags: [String: String]) -> JSONValue {
        .array(tags.keys.sorted().map { .object([names.key: .string($0), names.value: .string(tags[$0]!)]) })
    }

    func parse(_ list: JSONValue?) -> [String: String] {
        var tags: [String: String] = [:]
        for item in list?.array ?? [] {
            if let k = item[names.key]?.string { tags[k] = item[names.value]?.string ?? "" }
        }
        return tags
    }

    /// Tags of an XML answer: EC2 `tagSet/item/key,value`, RDS `TagList/Tag/Key,Value`, S3 `TagSet/Tag/Key,Value`.
    static func parse(xml list: XMLNode?) -> [String: String] {
        var tags: [String: String] = [:]
        for item in list?.children ?? [] {
            if let k = (item.child("key") ?? item.child("Key"))?.text {
                tags[k] = (item.child("value") ?? item.child("Value"))?.text ?? ""
            }
        }
        return tags
    }
}

/// Flattened list parameters of the Query protocol.
enum QueryParams {
    /// RDS lists name their element: `SubnetIds.SubnetIdentifier.1`, `SubnetIds.SubnetIdentifier.2`.
    static func list(_ name: String, element: String, _ values: [String]) -> [String: String] {
        var params: [String: String] = [:]
        for (i, v) in values.enumerated() { params["\(name).\(element).\(i + 1)"] = v }
        return params
    }

    /// EC2 `Filter.N.Name` / `Filter.N.Value.1`.
    static func filters(_ filters: [(String, String)]) -> [String: String] {
        var params: [String: String] = [:]
        for (i, (name, value)) in filters.enumerated() {
            params["Filter.\(i + 1).Name"] = name
            params["Filter.\(i + 1).Value.1"] = value
        }
        return params
    }

    /// EC2 filters that find exactly this instance's resources.
    static func ownedBy(_ names: ResourceNames) -> [(String, String)] {
        [("tag:\(ResourceTags.instanceKey)", names.instance), ("tag:\(ResourceTags.fleetKey)", names.fleet)]
    }

    /// EC2 `TagSpecification.1` for a resource type, so the resource is tagged atomically with its creation.
    static func tagSpecification(_ resourceType: String, _ tags: [String: String]) -> [String: String] {
        var params = ["TagSpecification.1.ResourceType": resourceType]
        for (i, k) in tags.keys.sorted().enumerated() {
            params["TagSpecification.1.Tag.\(i + 1).Key"] = k
            params["TagSpecification.1.Tag.\(i + 1).Value"] = tags[k]!
        }
        return params
    }

    /// RDS `Tags.Tag.N.Key` / `.Value`.
    static func rdsTags(_ tags: [String: String]) -> [String: String] {
        var params: [String: String] = [:]
        for (i, k) in tags.keys.sorted().enumerated() {
            params["Tags.Tag.\(i + 1).Key"] = k
            params["Tags.Tag.\(i + 1).Value"] = tags[k]!
        }
        return params
    }
}

extension Dictionary where Key == String, Value == String {
    /// Merges parameter groups; later groups win.
    func adding(_ other: [String: String]) -> [String: String] { merging(other) { _, new in new } }
}

extension XMLNode {
    /// The items of the first `<setName>` anywhere below (EC2 `vpcSet`, RDS `DBInstances` …).
    func items(_ setName: String) -> [XMLNode] { descendants(setName).first?.children ?? [] }
    /// Text of a direct child, or nil.
    func value(_ name: String) -> String? { child(name)?.text }
}
