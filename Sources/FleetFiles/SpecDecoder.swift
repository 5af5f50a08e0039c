import FleetModel
import ProviderAPI
import Foundation

/// One instance file after decoding: the spec when it had no problem, and what cross-file checks need.
struct DecodedSpecFile {
    var path: String
    var spec: InstanceSpec?
    /// The domain as written, with its location, for the fleet-wide uniqueness check.
    var domain: (value: String, location: SourceLocation)?
    var diagnostics: [Diagnostic]
    /// SHA-256 of the file's bytes (`FleetFilesDigest`); nil when it was not read.
    var content: [UInt8]?

    init(
        path: String, spec: InstanceSpec? = nil, domain: (value: String, location: SourceLocation)? = nil,
        diagnostics: [Diagnostic] = []
    ) {
        self.path = path
        self.spec = spec
        self.domain = domain
        self.diagnostics = diagnostics
    }
}

/// Decodes and validates `Instances/<name>.json` against the fleet. One decoder serves one thread.
struct SpecDecoder {
    /// Length limits: a display name, and label keys and values as long as AWS allows for tags.
    static let maxCustomerLength = 200
    static let maxLabelKeyLength = 128
    static let maxLabelValueLength = 256
    /// The longest DNS name.
    static let maxDomainLength = 253
    /// Label keys cloudctl keeps for its own tags.
    static let reservedLabelPrefix = "cloudctl:"

    static let keys = [
        "name", "customer", "type", "version", "size", "region", "domain", "channel", "state",
        "maintenanceWindow", "protected", "trial", "features", "labels",
    ]

    let fleet: FleetReferences
    let rules: any CloudRules
    /// Whether each time zone name is known; `TimeZone(identifier:)` is too slow to ask per file.
    private var knownTimeZones: [String: Bool] = [:]
    /// The previous file's maps: neighbouring files mostly repeat them, and sharing one copy saves ~200 bytes per spec.
    private var lastFeatures: [String: Bool] = [:]
    private var lastLabels: [String: String] = [:]

    init(fleet: FleetReferences, rules: any CloudRules) {
        self.fleet = fleet
        self.rules = rules
    }

    /// `fileName` is the name without `.json`, which must equal the `name` inside.
    mutating func decode(_ file: DecodingFile, fileName: String) -> DecodedSpecFile {
        var result = DecodedSpecFile(path: file.path)
        if let root = file.parse(), let reader = ObjectReader(root, path: "", file: file) {
            let spec = decode(reader, fileName: fileName)
            result.spec = file.hasErrors ? nil : spec
            // Read without diagnostics: decoding above already reported whatever is wrong with the domain.
            if let node = reader.member("domain"), case .string(let domain) = node.value,
                domain.firstTerminalControl == nil
            {
                result.domain = (domain, file.location(offset: node.offset, field: "domain"))
            }
        }
        result.diagnostics = file.diagnostics
        return result
    }

    private mutating func decode(_ reader: ObjectReader, fileName: String) -> InstanceSpec? {
        let file = reader.file
        reader.rejectUnknownKeys(allowed: Self.keys)
        let name = reader.string("name", example: "\"\(fileName)\"")
        if let name {
            if !FieldSyntax.isName(name.value) {
                file.error(
                    "invalid instance name \(Diagnostic.quoted(name.value))",
                    detail: "a name is 3–40 characters: a lowercase letter, then lowercase letters, digits or '-'",
                    at: name)
            } else if let problem = rules.problem(with: .instanceName(name.value, fleet: fleet.fleetName)) {
                file.error(problem.summary, detail: problem.detail, at: name)
            } else if name.value != fileName {
                let quotedFile = Diagnostic.quoted(fileName + ".json")
                file.error(
                    "name \"\(name.value)\" does not match the file name \(quotedFile)",
                    detail: "rename the file to \(name.value).json or set \"name\": "
                        + Diagnostic.quoted(fileName),
                    at: name)
            }
        }
        let customer = reader.string("customer", example: "\"Acme Inc.\"")
        if let customer, customer.value.allSatisfy(\.isWhitespace) {
            file.error(
                "customer is empty", detail: "write the customer's display name, e.g. \"Acme Inc.\"", at: customer)
        } else if let customer {
            checkLength(customer, limit: Self.maxCustomerLength, noun: "customer", file: file)
        }
        let type = reader.enumeration("type", as: InstanceType.self, noun: "instance type")
        let version = decodeVersion(reader)
        let size = reader.string("size", example: "\"small\"")
        if let size { checkReference(size, in: fleet.tiers, noun: "size", section: "tiers", file: file) }
        let region = reader.string("region", example: "\"us-east-1\"")
        if let region { file.check(region, .region(region.value), rules: rules) }
        let domain = reader.string("domain", example: "\"\(fileName).\(fleet.zone ?? "example.com")\"")
        if let domain { checkDomain(domain, file: file) }
        let channel = reader.string("channel", example: "\"stable\"")
        if let channel { checkReference(channel, in: fleet.channels, noun: "channel", section: "channels", file: file) }
        let state = reader.enumeration("state", as: InstanceState.self, noun: "state")
        let window = decodeWindow(reader)
        let protected = reader.member("protected").flatMap { file.bool($0, path: "protected") } ?? false
        let trial = decodeTrial(reader, type: type)
        let featureMap = decodeMap(reader, "features", keyLimit: Self.maxLabelKeyLength, keyNoun: "feature name") {
            file.bool($0, path: $1)
        }
        checkFeatureVariables(reader, featureMap)
        let labelMap = decodeMap(reader, "labels", keyLimit: Self.maxLabelKeyLength, keyNoun: "label key") {
            node, path in
            file.string(node, path: path).flatMap { value in
                let field = Field(value: value, offset: node.offset, path: path)
                let fits = checkLength(field, limit: Self.maxLabelValueLength, noun: "label value", file: file)
                return fits ? value : nil
            }
        }
        checkLabels(reader, labelMap)
        let features = Self.shared(featureMap, previous: &lastFeatures)
        let labels = Self.shared(labelMap, previous: &lastLabels)

        guard let name, let customer, let type, let version, let size, let region, let domain, let channel, let state,
            let window
        else { return nil }
        return InstanceSpec(
            name: name.value, customer: customer.value, type: type, version: version, size: size.value,
            region: region.value, domain: domain.value, channel: channel.value, state: state,
            maintenanceWindow: window, protected: protected, trial: trial, features: features, labels: labels)
    }

    private func decodeVersion(_ reader: ObjectReader) -> Version? {
        guard let text = reader.string("version", example: "\"5.2.3\"") else { return nil }
        guard let version = Version(text.value) else {
            reader.file.error(
                "invalid version \(Diagnostic.quoted(text.value))",
                detail: "expected major.minor.patch, e.g. 5.2.3", at: text)
            return nil
        }
        if let versions = fleet.versions, !versions.contains(version) {
            let known = versions.sorted().map(\.description)
            reader.file.error(
                "version \"\(text.value)\" is not in the release catalog",
                detail: "releases in Instances/_fleet.json: \(known.joined(separator: ", "))", at: text)
        }
        return version
    }

    private func checkReference(
        _ text: Field<String>, in names: [String]?, noun: String, section: String, file: DecodingFile
    ) {
        guard let names, !names.contains(text.value) else { return }
        var detail = "\(section) in Instances/_fleet.json: \(names.joined(separator: ", "))"
        if let close = Suggestion.closest(to: text.value, in: names) { detail += "; did you mean \"\(close)\"?" }
        file.error("unknown \(noun) \(Diagnostic.quoted(text.value))", detail: detail, at: text)
    }

    private func checkDomain(_ domain: Field<String>, file: DecodingFile) {
        guard checkLength(domain, limit: Self.maxDomainLength, noun: "domain", file: file) else { return }
        guard FieldSyntax.isHostname(domain.value) else {
            file.error(
                "invalid domain \(Diagnostic.quoted(domain.value))",
                detail: "expected a lowercase DNS name: labels of a-z, 0-9 and '-', separated by dots", at: domain)
            return
        }
        if let zone = fleet.zone, !domain.value.hasSuffix("." + zone) {
            file.error(
                "domain \"\(domain.value)\" is outside the DNS zone \"\(zone)\"",
                detail: "use a name ending in .\(zone), e.g. \(file.path.fileStem).\(zone)", at: domain)
        }
    }

    private mutating func decodeWindow(_ parent: ObjectReader) -> MaintenanceWindow? {
        let example = #"{"day": "sun", "start": "02:00", "duration": "4h", "timeZone": "UTC"}"#
        guard let node = parent.required("maintenanceWindow", example: example),
            let reader = ObjectReader(node, path: "maintenanceWindow", file: parent.file)
        else { return nil }
        let file = reader.file
        reader.rejectUnknownKeys(allowed: ["day", "start", "duration", "timeZone"])
        let day = reader.enumeration("day", as: Weekday.self, noun: "day")
        let start = reader.string("start", example: "\"02:00\"")
        if let start, MaintenanceWindow.minutes(ofStart: start.value) == nil {
            file.error(
                "invalid start time \(Diagnostic.quoted(start.value))",
                detail: "expected HH:MM on a 24-hour clock, e.g. 02:00", at: start)
        }
        let duration = reader.string("duration", example: "\"4h\"")
        if let duration, MaintenanceWindow.minutes(ofDuration: duration.value) == nil {
            file.error(
                "invalid duration \(Diagnostic.quoted(duration.value))",
                detail: "expected hours or minutes from 30m to 24h, e.g. \"90m\" or \"4h\"", at: duration)
        }
        let timeZone = reader.string("timeZone", example: "\"UTC\"")
        if let timeZone, !isKnownTimeZone(timeZone.value) {
            file.error(
                "unknown time zone \(Diagnostic.quoted(timeZone.value))",
                detail: "expected an IANA time zone name such as UTC or Europe/Berlin", at: timeZone)
        }
        guard let day, let start, let duration, let timeZone else { return nil }
        return MaintenanceWindow(day: day, start: start.value, duration: duration.value, timeZone: timeZone.value)
    }

    private mutating func isKnownTimeZone(_ name: String) -> Bool {
        if let known = knownTimeZones[name] { return known }
        let known = TimeZone(identifier: name) != nil
        knownTimeZones[name] = known
        return known
    }

    private func decodeTrial(_ parent: ObjectReader, type: InstanceType?) -> TrialSettings? {
        let file = parent.file
        guard let node = parent.member("trial") else {
            if type == .trial {
                file.error(
                    "missing required key \"trial\"",
                    detail: "trial instances need \"trial\": {\"expires\": \"YYYY-MM-DD\"}", offset: parent.offset,
                    field: "trial")
            }
            return nil
        }
        if let type, type != .trial {
            let key = parent.members.first { $0.key == "trial" }!
            file.error(
                "\"trial\" is only allowed for trial instances", detail: "remove \"trial\" or set \"type\": \"trial\"",
                offset: key.keyOffset, field: "trial")
        }
        guard let reader = ObjectReader(node, path: "trial", file: file) else { return nil }
        reader.rejectUnknownKeys(allowed: ["expires"])
        guard let expires = reader.string("expires", example: "\"2027-01-31\"") else { return nil }
        guard FieldSyntax.isDate(expires.value) else {
            file.error(
                "invalid date \(Diagnostic.quoted(expires.value))",
                detail: "expected a calendar date YYYY-MM-DD, e.g. 2027-01-31", at: expires)
            return nil
        }
        return TrialSettings(expires: expires.value)
    }

    /// `map`, or `previous` when equal (so both specs share its storage); `map` becomes the next `previous`.
    private static func shared<T: Equatable>(_ map: [String: T], previous: inout [String: T]) -> [String: T] {
        if map == previous { return previous }
        previous = map
        return map
    }

    /// An optional free-form map whose values `decodeValue` checks; empty when absent. Keys are strings from the
    /// file too, so they get the same control-character and length checks.
    private func decodeMap<T>(
        _ parent: ObjectReader, _ key: String, keyLimit: Int, keyNoun: String,
        _ decodeValue: (JSONNode, String) -> T?
    ) -> [String: T] {
        let file = parent.file
        guard let node = parent.member(key), let members = file.object(node, path: key) else { return [:] }
        var map: [String: T] = [:]
        for member in members {
            let path = key + "." + ObjectReader.pathComponent(member.key)
            if let control = member.key.firstTerminalControl {
                file.rejectControl(control, offset: member.keyOffset, path: key)
                continue
            }
            let name = Field(value: member.key, offset: member.keyOffset, path: path)
            guard checkLength(name, limit: keyLimit, noun: keyNoun, file: file) else { continue }
            map[member.key] = decodeValue(member.value, path)
        }
        return map
    }

    /// Labels become tags on every cloud resource: `cloudctl:` keys are cloudctl's own (ownership, the tag guard), and
    /// the cloud has its own limits on tag keys and values.
    private func checkLabels(_ reader: ObjectReader, _ labels: [String: String]) {
        guard let node = reader.member("labels"), case .object(let members) = node.value else { return }
        for member in members {
            guard let value = labels[member.key] else { continue }
            let path = "labels." + ObjectReader.pathComponent(member.key)
            let key = Field(value: member.key, offset: member.keyOffset, path: path)
            if member.key.lowercased().hasPrefix(Self.reservedLabelPrefix) {
                reader.file.error(
                    "label key \(Diagnostic.quoted(member.key)) uses the reserved prefix "
                        + "\"\(Self.reservedLabelPrefix)\"",
                    detail: "cloudctl tags every resource with \(Self.reservedLabelPrefix) keys to know what it owns; "
                        + "rename the label (for example without the prefix)",
                    at: key)
                continue
            }
            reader.file.check(key, .labelKey(member.key), rules: rules)
            let valueField = Field(value: value, offset: member.value.offset, path: path)
            reader.file.check(valueField, .labelValue(value), rules: rules)
        }
        reader.file.check(
            Field(value: members.count, offset: node.offset, path: "labels"), .labelCount(members.count), rules: rules)
    }

    /// Each feature becomes an environment variable of the application: its name must make one, and no two the same.
    private func checkFeatureVariables(_ reader: ObjectReader, _ features: [String: Bool]) {
        guard let node = reader.member("features"), case .object(let members) = node.value else { return }
        var seen: [String: String] = [:]
        for member in members where features[member.key] != nil {
            let field = Field(
                value: member.key, offset: member.keyOffset, path: "features." + ObjectReader.pathComponent(member.key))
            guard let variable = InstanceSpec.featureVariable(member.key) else {
                reader.file.error(
                    "invalid feature name \(Diagnostic.quoted(member.key))",
                    detail: "a feature reaches the application as the environment variable CLOUDCTL_FEATURE_<NAME>: "
                        + "use ASCII letters, digits, '-' or '_', starting with a letter",
                    at: field)
                continue
            }
            if let other = seen[variable] {
                reader.file.error(
                    "feature \(Diagnostic.quoted(member.key)) collides with \(Diagnostic.quoted(other))",
                    detail: "both become the environment variable \(variable); keep one of them", at: field)
            }
            seen[variable] = member.key
        }
    }

    /// False after a diagnostic when `text` is longer than `limit` characters.
    @discardableResult
    private func checkLength(_ text: Field<String>, limit: Int, noun: String, file: DecodingFile) -> Bool {
        let length = text.value.count
        guard length > limit else { return true }
        file.error(
            "\(noun) is too long",
            detail: "at most \(limit) characters are allowed (it has \(length)); shorten it",
            at: text)
        return false
    }
}

extension String {
    /// `acme` for `Instances/acme.json`.
    var fileStem: String {
        let name = split(separator: "/").last.map(String.init) ?? self
        return name.hasSuffix(".json") ? String(name.dropLast(5)) : name
    }
}
