import FleetModel
import ProviderAPI

/// What instance files are checked against; each part is nil when the fleet file could not provide it,
/// so a broken fleet file still lets every instance file be checked for everything else.
struct FleetReferences: Sendable {
    var tiers: [String]?
    var versions: Set<Version>?
    var channels: [String]?
    var zone: String?
    var fleetName: String?
}

/// Decodes and validates `Instances/_fleet.json`; `rules` adds the cloud's limits (name length, machine sizes).
struct FleetDecoder {
    let rules: any CloudRules

    func decode(_ file: DecodingFile) -> (fleet: Fleet?, references: FleetReferences) {
        guard let root = file.parse(), let reader = ObjectReader(root, path: "", file: file) else {
            return (nil, FleetReferences())
        }
        reader.rejectUnknownKeys(allowed: [
            "name", "dns", "image", "tiers", "releases", "channels", "retention", "ingress", "logRetention",
            "health",
        ])
        let name = reader.string("name", example: "\"demo\"")
        if let name, !FieldSyntax.isName(name.value) {
            file.error(
                "invalid fleet name \(Diagnostic.quoted(name.value))",
                detail: "a name is 3–40 characters: a lowercase letter, then lowercase letters, digits or '-'",
                at: name)
        } else if let name {
            file.check(name, .fleetName(name.value), rules: rules)
        }
        let dns = decodeDNS(reader)
        let image = reader.string("image", example: "\"registry.example.com/acme/app\"")
        if let image, !FieldSyntax.isImageRepository(image.value) {
            file.error(
                "invalid image repository \(Diagnostic.quoted(image.value))",
                detail:
                    "expected a lowercase repository without tag or digest, e.g. registry.example.com/acme/app; "
                    + "the release version is the tag",
                at: image)
        }
        let tiers = decodeMap(
            reader, "tiers",
            example:
                #"{"small": {"databaseClass": "db.t3.micro", "storageGB": 20, "cpu": 256, "memory": 512, "#
                + #""replicas": 1}}"#,
            decodeTier)
        let releases = decodeReleases(reader)
        let channels = decodeMap(
            reader, "channels", example: #"{"stable": {"waves": [{"name": "all"}]}}"#, decodeChannel)
        let retentionField = reader.optionalString("retention")
        let retention = retentionField.map { RetentionPeriod(parsing: $0.value) } ?? RetentionPeriod.standard
        if let retentionField, retention == nil {
            let days = RetentionPeriod.allowedDays
            file.error(
                "invalid retention \"\(retentionField.value)\"",
                detail: "expected whole days from \(days.lowerBound)d to \(days.upperBound)d, e.g. \"90d\": "
                    + "how long a torn-down instance's final snapshot and archived files stay restorable",
                at: retentionField)
        }
        let health = reader.member("health").map { decodeHealth($0, path: reader.path("health"), file: file) }
        let ingress = decodeIngress(reader)
        let logRetentionField = reader.optionalString("logRetention")
        let logRetention = logRetentionField.map { LogRetention(parsing: $0.value) } ?? LogRetention.standard
        if let logRetentionField, logRetention == nil {
            file.error(
                "invalid logRetention \(Diagnostic.quoted(logRetentionField.value))",
                detail: "expected one of the periods CloudWatch Logs keeps events for, in days: "
                    + LogRetention.allowedDays.map { "\($0)d" }.joined(separator: ", ") + " (e.g. \"30d\")",
                at: logRetentionField)
        }

        var references = FleetReferences(
            tiers: tiers?.names, versions: releases.map { Set($0.map(\.version)) },
            channels: channels?.names, zone: dns?.zone)
        // Only a well-formed name: instance diagnostics quote it when they check derived-name lengths.
        references.fleetName = name.map(\.value).flatMap { FieldSyntax.isName($0) ? $0 : nil }
        // Only a fleet file without a single problem becomes a `Fleet`; broken parts still feed `references`.
        guard !file.hasErrors, let name, let dns, let image, let tiers, let releases, let channels, let retention,
            let ingress, let logRetention
        else {
            return (nil, references)
        }
        return (
            Fleet(
                name: name.value, dns: dns, image: image.value, tiers: tiers.entries,
                releases: ReleaseCatalog(releases),
                channels: channels.entries, retention: retention, health: health ?? nil, ingress: ingress,
                logRetention: logRetention),
            references
        )
    }

    /// `ingress`: security group ids and IPv4 CIDRs the application accepts traffic from; absent means none.
    private func decodeIngress(_ parent: ObjectReader) -> [IngressSource]? {
        let file = parent.file
        guard let node = parent.member("ingress") else { return [] }
        let path = parent.path("ingress")
        guard let elements = file.array(node, path: path) else { return nil }
        var sources: [IngressSource] = []
        var valid = true
        for (index, element) in elements.enumerated() {
            guard let text = file.string(element, path: path + "[\(index)]") else {
                valid = false
                continue
            }
            let field = Field(value: text, offset: element.offset, path: path + "[\(index)]")
            guard let source = IngressSource(parsing: text) else {
                valid = false
                let open = text.hasSuffix("/0") || text == "0.0.0.0"
                file.error(
                    "invalid ingress \(Diagnostic.quoted(text))",
                    detail: (open ? "nothing may be open to the whole internet; " : "")
                        + "expected a security group id (sg- and 8 or 17 lowercase hex digits) or an IPv4 CIDR "
                        + "with a prefix of /\(IngressSource.prefixes.lowerBound) to "
                        + "/\(IngressSource.prefixes.upperBound)"
                        + " and no host bits set, e.g. \"sg-0123456789abcdef0\" or \"10.20.0.0/16\"",
                    at: field)
                continue
            }
            if sources.contains(source) {
                valid = false
                file.error(
                    "duplicate ingress \(Diagnostic.quoted(text))", detail: "list each source once", at: field)
                continue
            }
            sources.append(source)
        }
        return valid ? sources : nil
    }

    private func decodeDNS(_ parent: ObjectReader) -> DNSSettings? {
        guard
            let node = parent.required(
                "dns", example: #"{"zone": "demo.example.com", "target": "ingress.demo.example.com"}"#),
            let reader = ObjectReader(node, path: parent.path("dns"), file: parent.file)
        else { return nil }
        reader.rejectUnknownKeys(allowed: ["zone", "target"])
        let names = ["zone", "target"].map { key -> String? in
            guard let field = reader.string(key, example: "\"demo.example.com\"") else { return nil }
            guard FieldSyntax.isHostname(field.value) else {
                parent.file.error(
                    "invalid DNS name \(Diagnostic.quoted(field.value))",
                    detail: "expected a lowercase DNS name such as demo.example.com", at: field)
                return nil
            }
            return field.value
        }
        guard let zone = names[0], let target = names[1] else { return nil }
        return DNSSettings(zone: zone, target: target)
    }

    /// A non-empty object of named entries: every name (even of a broken entry, so instance files
    /// can still refer to it) and the entries that decoded; nil when the object itself is unusable.
    private func decodeMap<T>(
        _ parent: ObjectReader, _ key: String, example: String,
        _ decodeEntry: (ObjectReader) -> T?
    ) -> (names: [String], entries: [String: T])? {
        guard let node = parent.required(key, example: example),
            let reader = ObjectReader(node, path: parent.path(key), file: parent.file)
        else { return nil }
        if reader.members.isEmpty {
            parent.file.error(
                "\(key) is empty", detail: "define at least one entry, e.g. \(example)", offset: node.offset,
                field: reader.path)
            return nil
        }
        var entries: [String: T] = [:]
        for member in reader.members {
            let path = reader.path(member.key)
            if let control = member.key.firstTerminalControl {
                parent.file.rejectControl(control, offset: member.keyOffset, path: reader.path)
                continue
            }
            if !FieldSyntax.isKeyName(member.key) {
                parent.file.error(
                    "invalid name \(Diagnostic.quoted(member.key))",
                    detail: "names are 1–32 characters: a lowercase letter, then lowercase letters, "
                        + "digits or '-'",
                    offset: member.keyOffset, field: path)
            }
            entries[member.key] = ObjectReader(member.value, path: path, file: parent.file).flatMap(decodeEntry)
        }
        // Names with control characters are left out: instance diagnostics list the names.
        let names = reader.members.map(\.key).filter { $0.firstTerminalControl == nil }
        return (names.sorted(), entries)
    }

    private func decodeTier(_ reader: ObjectReader) -> Tier? {
        let file = reader.file
        reader.rejectUnknownKeys(allowed: [
            "databaseClass", "storageGB", "cpu", "memory", "replicas", "backupRetentionDays",
        ])
        let databaseClass = reader.string("databaseClass", example: "\"db.t3.micro\"")
        if let databaseClass { file.check(databaseClass, .databaseClass(databaseClass.value), rules: rules) }
        let storage = reader.int("storageGB", example: "20")
        if let storage { file.check(storage, .storageGB(storage.value), rules: rules) }
        let cpu = reader.int("cpu", example: "256")
        if let cpu { file.check(cpu, .cpu(cpu.value), rules: rules) }
        let memory = reader.int("memory", example: "512")
        if let memory, memory.value <= 0 {
            file.error(
                "invalid memory \(memory.value)", detail: "expected a positive number of MiB, e.g. 512", at: memory)
        }
        let replicas = reader.int("replicas", example: "1")
        if let replicas, replicas.value < 1 {
            file.error("invalid replicas \(replicas.value)", detail: "expected at least 1 running task", at: replicas)
        }
        let backupPath = reader.path("backupRetentionDays")
        let backups = reader.member("backupRetentionDays").flatMap { node in
            file.int(node, path: backupPath).map { Field(value: $0, offset: node.offset, path: backupPath) }
        }
        if let backups, !Tier.allowedBackupDays.contains(backups.value) {
            file.error(
                "invalid backupRetentionDays \(backups.value)",
                detail: "expected \(Tier.allowedBackupDays.lowerBound) to \(Tier.allowedBackupDays.upperBound) days of "
                    + "automated database backups (RDS keeps at most 35; 0 would turn backups off)",
                at: backups)
        }
        guard let databaseClass, let storage, let cpu, let memory, let replicas else { return nil }
        return Tier(
            databaseClass: databaseClass.value, storageGB: storage.value, cpu: cpu.value, memory: memory.value,
            replicas: replicas.value, backupRetentionDays: backups?.value ?? Tier.standardBackupDays)
    }

    private func decodeReleases(_ parent: ObjectReader) -> [Release]? {
        let file = parent.file
        guard let node = parent.required("releases", example: #"[{"version": "1.0.0"}]"#),
            let elements = file.array(node, path: "releases")
        else { return nil }
        if elements.isEmpty {
            file.error(
                "releases is empty", detail: "list at least one release, e.g. [{\"version\": \"1.0.0\"}]",
                offset: node.offset, field: "releases")
            return nil
        }
        var releases: [Release] = []
        var firstIndex: [Version: Int] = [:]
        for (index, element) in elements.enumerated() {
            guard let reader = ObjectReader(element, path: "releases[\(index)]", file: file) else { continue }
            reader.rejectUnknownKeys(allowed: ["version", "jumpFrom"])
            let version = reader.string("version", example: "\"1.0.0\"").flatMap { parseVersion($0, file: file) }
            let jumpFrom = reader.optionalString("jumpFrom").flatMap { parseVersion($0, file: file) }
            guard let version else { continue }
            if let first = firstIndex[version.value] {
                file.error(
                    "duplicate release \(Diagnostic.quoted(version.value.description))",
                    detail: "already listed at releases[\(first)]; list each version once", at: version)
                continue
            }
            firstIndex[version.value] = index
            if let jumpFrom, jumpFrom.value >= version.value {
                file.error(
                    "jumpFrom \"\(jumpFrom.value)\" is not older than its version \"\(version.value)\"",
                    detail:
                        "jumpFrom names the oldest version that may upgrade straight to \(version.value); "
                        + "it must be older",
                    at: jumpFrom)
            }
            releases.append(Release(version: version.value, jumpFrom: jumpFrom?.value))
        }
        return releases
    }

    private func decodeChannel(_ reader: ObjectReader) -> Channel? {
        let file = reader.file
        reader.rejectUnknownKeys(allowed: ["paused", "waves"])
        let paused = reader.member("paused").flatMap { file.bool($0, path: reader.path("paused")) } ?? false
        var waves: [Wave] = []
        let wavesPath = reader.path("waves")
        for (index, element) in (reader.member("waves").flatMap { file.array($0, path: wavesPath) } ?? []).enumerated()
        {
            guard let wave = ObjectReader(element, path: wavesPath + "[\(index)]", file: file).flatMap(decodeWave)
            else { continue }
            if waves.contains(where: { $0.name == wave.name }) {
                file.error(
                    "duplicate wave \(Diagnostic.quoted(wave.name))",
                    detail: "wave names within a channel must be unique",
                    offset: element.offset, field: wavesPath + "[\(index)].name")
            }
            waves.append(wave)
        }
        return Channel(paused: paused, waves: waves)
    }

    private func decodeWave(_ reader: ObjectReader) -> Wave? {
        let file = reader.file
        reader.rejectUnknownKeys(allowed: ["name", "types", "percent", "bake", "maxFailures", "approval"])
        let name = reader.string("name", example: "\"early\"")
        let typesPath = reader.path("types")
        let types = reader.member("types").flatMap { file.array($0, path: typesPath) }?.enumerated().compactMap {
            index, element in
            file.string(element, path: typesPath + "[\(index)]").flatMap {
                file.enumeration(
                    Field(value: $0, offset: element.offset, path: typesPath + "[\(index)]"), as: InstanceType.self,
                    noun: "instance type")
            }
        }
        let percent = reader.member("percent").flatMap { node in
            file.int(node, path: reader.path("percent")).map {
                Field(value: $0, offset: node.offset, path: reader.path("percent"))
            }
        }
        if let percent, !(1...100).contains(percent.value) {
            file.error(
                "invalid percent \(percent.value)",
                detail: "expected 1 to 100, the share of the channel's remaining instances", at: percent)
        }
        let bake = reader.optionalString("bake").flatMap { field -> GateDuration? in
            if let value = GateDuration(parsing: field.value, allowZero: true) { return value }
            file.error(
                "invalid bake \(Diagnostic.quoted(field.value))",
                detail: "expected a whole number with a unit (ms, s, m, h, d) up to a year, e.g. \"48h\": how long "
                    + "the wave must stay healthy before the next one starts", at: field)
            return nil
        }
        let maxFailures = reader.member("maxFailures").flatMap {
            decodeFailureBudget($0, path: reader.path("maxFailures"), file: file)
        }
        let approval = reader.member("approval").flatMap { file.bool($0, path: reader.path("approval")) } ?? false
        return name.map {
            Wave(
                name: $0.value, types: types, percent: percent?.value, bake: bake, maxFailures: maxFailures,
                approval: approval)
        }
    }

    /// `maxFailures`: a count (`1`) or a percent of the wave (`"10%"`).
    private func decodeFailureBudget(_ node: JSONNode, path: String, file: DecodingFile) -> FailureBudget? {
        let detail = "expected a count of instances such as 1, or a percent of the wave such as \"10%\""
        switch node.value {
        case .integer(let count) where count >= 0:
            return .count(count)
        case .string(let text) where text.hasSuffix("%"):
            let digits = text.dropLast()
            if !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                let percent = Int(digits), (0...100).contains(percent)
            {
                return .percent(percent)
            }
        default:
            break
        }
        file.error("invalid maxFailures: \(node.quoted)", detail: detail, offset: node.offset, field: path)
        return nil
    }

    /// The `health` probe; nil (after diagnostics) when any part of it is wrong.
    private func decodeHealth(_ node: JSONNode, path: String, file: DecodingFile) -> HealthProbe? {
        guard let reader = ObjectReader(node, path: path, file: file) else { return nil }
        let before = file.diagnostics.count
        reader.rejectUnknownKeys(allowed: ["url", "expectStatus", "versionHeader", "timeout", "deadline"])
        let url = reader.string("url", example: "\"https://{domain}/healthz\"")
        if let url, !Self.isProbeURL(url.value) {
            file.error(
                "invalid health URL \(Diagnostic.quoted(url.value))",
                detail: "expected an http:// or https:// URL; it may use the placeholders {domain} and {name}, "
                    + "e.g. \"https://{domain}/healthz\"", at: url)
        }
        let status = reader.member("expectStatus").flatMap { node in
            file.int(node, path: reader.path("expectStatus")).map {
                Field(value: $0, offset: node.offset, path: reader.path("expectStatus"))
            }
        }
        if let status, !(100...599).contains(status.value) {
            file.error(
                "invalid expectStatus \(status.value)", detail: "expected an HTTP status, 100 to 599", at: status)
        }
        let header = reader.optionalString("versionHeader")
        if let header, !Self.isHeaderName(header.value) {
            file.error(
                "invalid versionHeader \(Diagnostic.quoted(header.value))",
                detail: "expected an HTTP header name such as X-App-Version", at: header)
        }
        var durationsValid = true
        func duration(_ key: String, default value: GateDuration) -> GateDuration {
            guard let field = reader.optionalString(key) else { return value }
            if let parsed = GateDuration(parsing: field.value) { return parsed }
            durationsValid = false
            file.error(
                "invalid \(key) \(Diagnostic.quoted(field.value))",
                detail: "expected a whole number with a unit (ms, s, m, h), more than zero, e.g. \"5s\"", at: field)
            return value
        }
        let timeout = duration("timeout", default: HealthProbe.defaultTimeout)
        let deadline = duration("deadline", default: HealthProbe.defaultDeadline)
        if durationsValid, timeout > deadline {
            file.error(
                "health timeout \(timeout) is longer than its deadline \(deadline)",
                detail: "timeout bounds one request, deadline the whole check; make the deadline the longer one",
                offset: node.offset, field: reader.path("timeout"))
        }
        guard file.diagnostics.count == before, let url else { return nil }
        return HealthProbe(
            url: url.value, expectStatus: status?.value ?? 200, versionHeader: header?.value, timeout: timeout,
            deadline: deadline)
    }

    /// An http(s) URL with a host, whose only braces are the known placeholders.
    static func isProbeURL(_ text: String) -> Bool {
        var rest = text
        for placeholder in HealthProbe.placeholders { rest = rest.replacingOccurrences(of: placeholder, with: "x") }
        guard !rest.contains("{"), !rest.contains("}"), !rest.contains(" ") else { return false }
        let scheme = rest.hasPrefix("https://") ? "https://" : rest.hasPrefix("http://") ? "http://" : nil
        guard let scheme else { return false }
        let host = rest.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" }
        return !host.isEmpty
    }

    /// RFC 9110 token characters.
    static func isHeaderName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.unicodeScalars.allSatisfy {
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
                        || "!#$%&'*+-.^_`|~".unicodeScalars.contains($0))
            }
    }

    private func parseVersion(_ text: Field<String>, file: DecodingFile) -> Field<Version>? {
        if let version = Version(text.value) { return text.map { _ in version } }
        file.error(
            "invalid version \(Diagnostic.quoted(text.value))",
            detail: "expected major.minor.patch, e.g. 5.2.3", at: text)
        return nil
    }
}
