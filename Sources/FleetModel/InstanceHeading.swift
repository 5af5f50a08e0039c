/// What a plan shows above an instance's steps, and what puts it in a rollout wave: read from the instance file
/// alone, so a saved plan can be shown without decoding (and validating) every file again.
public struct InstanceHeading: Hashable, Sendable {
    public var name: String
    public var type: InstanceType
    public var region: String
    public var channel: String

    public init(name: String, type: InstanceType, region: String, channel: String) {
        self.name = name
        self.type = type
        self.region = region
        self.channel = channel
    }
}

extension InstanceSpec {
    public var heading: InstanceHeading { InstanceHeading(name: name, type: type, region: region, channel: channel) }
}
