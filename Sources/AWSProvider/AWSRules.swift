import FleetModel
import ProviderAPI

/// AWS's limits on fleet and instance values: region syntax, RDS instance classes and storage, Fargate CPU sizes,
/// and the lengths of names derived from fleet and instance names.
public struct AWSRules: CloudRules {
    /// Fargate task CPU units.
    static let cpuUnits = [256, 512, 1024, 2048, 4096]
    /// RDS PostgreSQL allocated storage in GiB.
    static let storageGB = 20...65536
    /// Longest fleet name: `cloudctl-` + 30 + `-archive-` + the longest region name (14) stays within S3's 63.
    static let maxFleetNameLength = 30

    public init() {}

    public func problem(with field: CloudField) -> CloudRuleProblem? {
        switch field {
        case .fleetName(let name):
            guard name.count > Self.maxFleetNameLength else { return nil }
            // `cloudctl-<fleet>-archive-<region>` is an S3 bucket name (at most 63 characters) for every AWS region.
            return CloudRuleProblem(
                summary: "fleet name \(Diagnostic.quoted(name)) is too long",
                detail: "a fleet name is at most \(Self.maxFleetNameLength) characters (it has "
                    + "\(name.count)) so the per-region archive bucket "
                    + "cloudctl-<fleet>-archive-<region> fits S3's 63-character limit; "
                    + "choose a shorter name")
        case .instanceName(let name, let fleet):
            guard let problem = DerivedNameRules.problem(instance: name, fleet: fleet) else { return nil }
            return CloudRuleProblem(
                summary: "instance name \(Diagnostic.quoted(name)) cannot name its cloud resources",
                detail: problem)
        case .region(let region):
            guard !Self.isRegion(region) else { return nil }
            return CloudRuleProblem(
                summary: "invalid region \(Diagnostic.quoted(region))",
                detail: "expected an AWS region such as us-east-1 or eu-west-1")
        case .databaseClass(let databaseClass):
            guard !Self.isDatabaseClass(databaseClass) else { return nil }
            return CloudRuleProblem(
                summary: "invalid database class \(Diagnostic.quoted(databaseClass))",
                detail: "expected an RDS instance class such as db.t3.micro")
        case .storageGB(let storage):
            guard !Self.storageGB.contains(storage) else { return nil }
            return CloudRuleProblem(
                summary: "invalid storageGB \(storage)",
                detail: "expected \(Self.storageGB.lowerBound) to \(Self.storageGB.upperBound) GiB")
        case .cpu(let cpu):
            guard !Self.cpuUnits.contains(cpu) else { return nil }
            return CloudRuleProblem(
                summary: "invalid cpu \(cpu)",
                detail: "expected one of the Fargate CPU sizes: "
                    + Self.cpuUnits.map(String.init).joined(separator: ", "))
        case .labelKey(let key):
            return labelProblem(key, noun: "label key", limit: Self.maxTagKeyLength)
        case .labelValue(let value):
            return labelProblem(value, noun: "label value", limit: Self.maxTagValueLength)
        case .labelCount(let count):
            let most = Self.maxTagsPerResource - ResourceTags.ownTagsAtMost
            guard count > most else { return nil }
            return CloudRuleProblem(
                summary: "too many labels (\(count))",
                detail: "an AWS resource takes at most \(Self.maxTagsPerResource) tags and cloudctl puts up to "
                    + "\(ResourceTags.ownTagsAtMost) of its own on each, so an instance has at most \(most) labels; "
                    + "remove \(count - most)")
        }
    }

    /// Tags per resource every service involved accepts (EC2, RDS, S3, KMS, Secrets Manager, Logs, ECS, IAM).
    static let maxTagsPerResource = 50

    /// Tag key and value lengths AWS accepts (in characters).
    static let maxTagKeyLength = 128
    static let maxTagValueLength = 256

    /// Why AWS would refuse `text` as a tag key or value: too long, a character outside its tag alphabet, or the
    /// `aws:` prefix AWS keeps for itself.
    private func labelProblem(_ text: String, noun: String, limit: Int) -> CloudRuleProblem? {
        let isKey = noun == "label key"
        if isKey, text.isEmpty {
            return CloudRuleProblem(summary: "empty label key", detail: "an AWS tag key has at least one character")
        }
        if text.count > limit {
            return CloudRuleProblem(
                summary: "\(noun) is too long",
                detail: "an AWS tag \(isKey ? "key" : "value") is at most \(limit) characters (it has \(text.count))")
        }
        if let bad = text.unicodeScalars.first(where: { !Self.isTagScalar($0) }) {
            return CloudRuleProblem(
                summary: "\(noun) \(Diagnostic.quoted(text)) has a character AWS tags do not allow",
                detail: "\(Diagnostic.quoted(String(bad))) is not allowed: AWS tags take letters, digits, spaces and "
                    + "_ . : / = + - @")
        }
        if isKey, text.lowercased().hasPrefix("aws:") {
            return CloudRuleProblem(
                summary: "label key \(Diagnostic.quoted(text)) uses the reserved prefix \"aws:\"",
                detail: "AWS keeps tag keys starting with aws: for itself; choose another key")
        }
        return nil
    }

    /// A character of AWS's tag alphabet: `[\p{L}\p{Z}\p{N}_.:/=+\-@]`.
    private static func isTagScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: break
        }
        return "_.:/=+-@".unicodeScalars.contains(scalar)
    }

    /// An AWS region such as `us-east-1` or `us-gov-west-1`: letters-only parts, then a number.
    static func isRegion(_ text: String) -> Bool {
        let parts = text.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0].count == 2, let number = parts.last, !number.isEmpty, number.count <= 2,
            number.allSatisfy(isDigit)
        else { return false }
        return parts.dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy(isLowercaseLetter) }
    }

    /// An RDS instance class such as `db.t3.micro`.
    static func isDatabaseClass(_ text: String) -> Bool {
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return parts.count == 3 && Array(parts[0]) == Array("db".utf8)
            && parts.dropFirst().allSatisfy { !$0.isEmpty && $0.allSatisfy { isLowercaseLetter($0) || isDigit($0) } }
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    private static func isLowercaseLetter(_ b: UInt8) -> Bool { b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") }
}
