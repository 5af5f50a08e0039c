import Foundation
import FleetModel
import ProviderAPI

/// Security rules: one `DescribeSecurityGroups` per region filtered by the fleet tag (1,000 per page) gives every
/// instance's application group `P` and database group `P-db` with their inbound rules.
struct SecurityRulesReader: InventoryReader {
    var resourceTypes: [String] { [] }
    var kinds: [ResourceKind] { [.securityRules] }

    func read(_ scan: RegionScan) async throws -> InventoryRead {
        var groups: [String: (app: XMLNode?, database: XMLNode?, tags: [String: String])] = [:]
        var token: String?
        repeat {
            var params = QueryParams.filters([("tag:\(ResourceTags.fleetKey)", scan.fleet)])
            params["MaxResults"] = "1000"
            if let token { params["NextToken"] = token }
            let answer = try await scan.api.query(.ec2, "DescribeSecurityGroups", params)
            for group in answer.items("securityGroupInfo") {
                let tags = TagFormat.parse(xml: group.child("tagSet"))
                guard scan.owned(tags), let instance = tags[ResourceTags.instanceKey] else { continue }
                let names = ResourceNames(fleet: scan.fleet, instance: instance)
                switch group.value("groupName") {
                case names.securityGroup: groups[instance, default: (nil, nil, tags)].app = group
                case names.databaseSecurityGroup: groups[instance, default: (nil, nil, tags)].database = group
                default: continue
                }
            }
            token = answer.descendants("nextToken").first?.text.nilIfEmpty
        } while token != nil
        var read = InventoryRead()
        for (instance, found) in groups.sorted(by: { $0.key < $1.key }) {
            // Without the application's group the rules have nothing to hang on: missing, and apply makes them again.
            guard let app = found.app, let appId = app.value("groupId") else { continue }
            read.resources.append(
                Self.observed(
                    app: app, appId: appId, database: found.database, region: scan.region, tags: found.tags,
                    names: ResourceNames(fleet: scan.fleet, instance: instance)))
        }
        return read
    }

    /// The rules as the plan's attributes: a `tcp <app port>` rule from a group or IPv4 CIDR is an ingress source;
    /// any other inbound rule of the application's group is listed in `ingress` as `<protocol> <ports> from <source>`,
    /// so it differs from every planned value and apply revokes it. The database group's rules are a deviation.
    static func observed(
        app: XMLNode, appId: String, database: XMLNode?, region: String, tags: [String: String], names: ResourceNames
    ) -> ObservedResource {
        let appPort = SecurityRulesAttributes.applicationPort
        let ingress = SecurityGroupRules.rules(app).map { rule -> String in
            if rule == .tcp(appPort, from: rule.source) {
                switch rule.source {
                case .group(let id): return id
                case .cidr(let cidr): return cidr
                default: break
                }
            }
            return describe(rule)
        }
        var deviations: [SettingDeviation] = []
        let wanted = SecurityGroupRules.Rule.tcp(SecurityRulesAttributes.postgresPort, from: .group(appId))
        if let database {
            let rules = SecurityGroupRules.rules(database)
            if rules != [wanted] {
                deviations.append(
                    SettingDeviation(
                        attribute: "databaseIngress", expected: describe(wanted),
                        observed: rules.isEmpty ? "none" : rules.map(describe).sorted().joined(separator: ", ")))
            }
        } else {
            deviations.append(
                SettingDeviation(attribute: "databaseGroup", expected: names.databaseSecurityGroup, observed: "none"))
        }
        return ObservedResource(
            kind: .securityRules, cloudId: database?.value("groupId") ?? appId, region: region, tags: tags,
            attributes: .securityRules(SecurityRulesAttributes(region: region, ingress: ingress)),
            deviations: deviations)
    }

    /// `tcp 22 from 0.0.0.0/0`, `-1 all from sg-…`.
    static func describe(_ rule: SecurityGroupRules.Rule) -> String {
        let ports =
            switch (rule.fromPort, rule.toPort) {
            case (let from?, let to?) where from == to: "\(from)"
            case (let from?, let to?): "\(from)-\(to)"
            default: "all"
            }
        let source =
            switch rule.source {
            case .group(let id): id
            case .cidr(let cidr), .cidr6(let cidr): cidr
            case .prefixList(let id): id
            }
        return "\(rule.ipProtocol) \(ports) from \(source)"
    }
}

/// Log groups: their tags come with the tag inventory; `DescribeLogGroups` by the fleet's name prefix (50 per page)
/// confirms them and gives the retention. A group a teardown kept (`cloudctl:retain-until`) is not drift.
struct LogGroupReader: InventoryReader {
    /// The service name: AWS and moto both accept it, and log groups are the only tagged `logs` resources cloudctl
    /// makes.
    var resourceTypes: [String] { ["logs"] }
    var kinds: [ResourceKind] { [.logGroup] }

    func read(_ scan: RegionScan) async throws -> InventoryRead {
        // A log group's ARN may end in `:*` (its streams); the name is what precedes it.
        let tagged = Dictionary(
            scan.tagged("logs:log-group").map { entry in
                (entry.resourceId.hasSuffix(":*") ? String(entry.resourceId.dropLast(2)) : entry.resourceId, entry)
            }
        ) { first, _ in first }
        var read = InventoryRead()
        var confirmed: Set<String> = []
        var token: String?
        repeat {
            var body: [String: JSONValue] = ["logGroupNamePrefix": .string("/cloudctl/\(scan.fleet)/"), "limit": 50]
            if let token { body["nextToken"] = .string(token) }
            let page = try await scan.api.json(.logs, "DescribeLogGroups", .object(body))
            for group in page["logGroups"]?.array ?? [] {
                guard let name = group["logGroupName"]?.string, let entry = tagged[name], scan.owned(entry.tags)
                else { continue }
                confirmed.insert(name)
                guard entry.tags[ArchiveTags.retainUntilKey] == nil else { continue }
                // No retention means events never expire: 0, which no plan asks for.
                let retention = group["retentionInDays"]?.int ?? 0
                read.resources.append(
                    ObservedResource(
                        kind: .logGroup, cloudId: name, region: scan.region, tags: entry.tags,
                        attributes: .logGroup(LogGroupAttributes(region: scan.region, retentionDays: retention))))
            }
            token = page["nextToken"]?.string?.nilIfEmpty
        } while token != nil
        read.ghosts = tagged.keys.filter { !confirmed.contains($0) }.count
        return read
    }
}

/// IAM roles, read once (IAM is global): `ListRoles` under the fleet's path (1,000 per page, trust documents
/// included), then `GetRolePolicy` per role for the inline policy, which IAM lists nowhere in bulk. `ListRoles`
/// returns no tags: a role named like a known instance's is that instance's; others cost a `ListRoleTags`.
///
/// Roles have no attributes to compare (grants become a document naming the instance's own ARNs): the documents are
/// compared instead, parsed and canonical, with the ones cloudctl would write from the ARNs this scan observed.
struct RoleReader {
    let api: StepCalls
    let fleet: String
    /// Known instances and their regions.
    let instances: [String: String]

    func read(_ observed: CloudObservation) async throws -> [ObservedResource] {
        var known: [String: (instance: String, kind: ResourceKind)] = [:]
        for instance in instances.keys {
            let names = ResourceNames(fleet: fleet, instance: instance)
            known[names.executionRole] = (instance, .executionRole)
            known[names.taskRole] = (instance, .taskRole)
        }
        var roles: [(node: XMLNode, name: String)] = []
        var marker: String?
        repeat {
            var params = ["PathPrefix": ResourceNames(fleet: fleet, instance: "").rolePath, "MaxItems": "1000"]
            if let marker { params["Marker"] = marker }
            let page = try await api.query(.iam, "ListRoles", params)
            roles += page.items("Roles").compactMap { role in role.value("RoleName").map { (role, $0) } }
            let truncated = page.descendants("IsTruncated").first?.text == "true"
            marker = truncated ? page.descendants("Marker").first?.text.nilIfEmpty : nil
        } while marker != nil
        let api = api
        let fleet = fleet
        let owners = known
        let found = try await boundedMap(roles) { role -> ObservedResource? in
            var tags = TagFormat.parse(xml: role.node.child("Tags"))
            if tags.isEmpty, let owner = owners[role.name] {
                tags = ResourceTags.tags(instance: owner.instance, fleet: fleet)
            } else if tags.isEmpty {
                let answer = try await absent(on: "NoSuchEntity") {
                    try await api.query(.iam, "ListRoleTags", ["RoleName": role.name])
                }
                tags = answer.map { TagFormat.parse(xml: $0.descendants("Tags").first) } ?? [:]
            }
            guard tags[ResourceTags.fleetKey] == fleet, let instance = tags[ResourceTags.instanceKey] else {
                return nil
            }
            let names = ResourceNames(fleet: fleet, instance: instance)
            let kind: ResourceKind
            switch role.name {
            case names.executionRole: kind = .executionRole
            case names.taskRole: kind = .taskRole
            default: return nil
            }
            let policy = try await absent(on: "NoSuchEntity") {
                try await api.query(
                    .iam, "GetRolePolicy", ["RoleName": role.name, "PolicyName": RolePolicies.inlinePolicyName])
            }
            let arn = role.node.value("Arn") ?? ""
            let subjects = Self.subjects(arn: arn, names: names, region: instances[instance], observed)
            return ObservedResource(
                kind: kind, cloudId: arn, region: "", tags: tags,
                deviations: Self.deviations(
                    kind: kind, subjects: subjects, trust: role.node.value("AssumeRolePolicyDocument"),
                    policy: policy?.descendants("PolicyDocument").first?.text))
        }
        return found.compactMap { $0 }
    }

    /// What the role's documents would name, from the scan: nil when the instance's secret or key was not seen (then
    /// only the trust, which needs the account alone, is compared).
    static func subjects(arn: String, names: ResourceNames, region: String?, _ observed: CloudObservation)
        -> (account: PolicySubjects?, full: PolicySubjects?)
    {
        guard let parts = PolicySubjects.parts(ofArn: arn) else { return (nil, nil) }
        let resources = observed.resources(of: names.instance)
        let image = resources.first { $0.kind == .taskDefinition }?.attributes?.taskDefinition?.image ?? ""
        let secret = resources.first { $0.kind == .secret }?.cloudId
        let key = resources.first { $0.kind == .key }?.cloudId
        let partial = PolicySubjects(
            partition: parts.partition, region: region ?? "", account: parts.account, secretArn: secret ?? "",
            keyArn: key ?? "", logGroup: names.logGroup, bucket: names.bucket, image: image)
        guard let region, !region.isEmpty, secret != nil, key != nil else { return (partial, nil) }
        return (partial, partial)
    }

    /// A trust or policy document that differs from the one cloudctl writes, compared parsed and canonical.
    static func deviations(
        kind: ResourceKind, subjects: (account: PolicySubjects?, full: PolicySubjects?), trust: String?,
        policy: String?
    ) -> [SettingDeviation] {
        var deviations: [SettingDeviation] = []
        if let account = subjects.account, let trust {
            let expected = RolePolicies.text(RolePolicies.trust(account))
            let observed = canonical(trust)
            if observed != expected {
                deviations.append(SettingDeviation(attribute: "trustPolicy", expected: expected, observed: observed))
            }
        }
        if let full = subjects.full {
            let expected = RolePolicies.text(
                kind == .executionRole ? RolePolicies.execution(full) : RolePolicies.task(full))
            let observed = policy.map(canonical) ?? "none"
            if observed != expected {
                deviations.append(SettingDeviation(attribute: "policy", expected: expected, observed: observed))
            }
        }
        return deviations
    }

    /// The document as compact, key-sorted JSON; IAM returns documents URL-encoded. Text that does not parse is
    /// returned as it is (it differs from anything cloudctl writes).
    static func canonical(_ document: String) -> String {
        let decoded = document.removingPercentEncoding ?? document
        guard let parsed = try? JSONValue(parsing: Data(decoded.utf8)) else { return decoded }
        return RolePolicies.text(parsed)
    }
}
