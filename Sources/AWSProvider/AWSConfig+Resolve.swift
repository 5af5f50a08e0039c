import Foundation

extension AWSConfig {
    /// Resolves region, endpoint and credentials the way the AWS CLI does: `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`
    /// (`AWS_SESSION_TOKEN`), else profile `AWS_PROFILE` (then `AWS_DEFAULT_PROFILE`, default `default`) in
    /// `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials` (then the config file); region from `AWS_REGION`,
    /// `AWS_DEFAULT_REGION`, else the profile in `AWS_CONFIG_FILE` or `~/.aws/config`; `AWS_ENDPOINT_URL` sends every
    /// service to one endpoint. `~` is `$HOME` when set (as in the AWS CLI), else `homeDirectory`.
    public static func resolve(environment: [String: String], homeDirectory: String?) throws -> AWSConfig {
        let env = environment.filter { !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }
        let homeDirectory = env["HOME"] ?? homeDirectory
        let profile = env["AWS_PROFILE"] ?? env["AWS_DEFAULT_PROFILE"] ?? "default"
        let expand = { (path: String) -> String? in
            guard path.hasPrefix("~/") else { return path }
            return homeDirectory.map { $0 + path.dropFirst() }
        }
        let credentialsPath =
            env["AWS_SHARED_CREDENTIALS_FILE"].flatMap(expand) ?? homeDirectory.map { $0 + "/.aws/credentials" }
        let configPath = env["AWS_CONFIG_FILE"].flatMap(expand) ?? homeDirectory.map { $0 + "/.aws/config" }
        let configFile = try configPath.map(INIFile.read) ?? [:]
        let configProfile = configFile["profile \(profile)"] ?? (profile == "default" ? configFile["default"] : nil)

        let credentials: AWSCredentials
        switch (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) {
        case let (id?, secret?):
            credentials = AWSCredentials(
                accessKeyId: id, secretAccessKey: secret, sessionToken: env["AWS_SESSION_TOKEN"])
        case (_?, nil), (nil, _?):
            throw AWSConfigError.partialEnvironmentCredentials
        case (nil, nil):
            // A credentials-file section without keys (e.g. only a comment) does not hide keys in the config file.
            let section = [try credentialsPath.map(INIFile.read)?[profile], configProfile]
                .compactMap { $0 }.first { $0["aws_access_key_id"] != nil || $0["aws_secret_access_key"] != nil }
            guard let id = section?["aws_access_key_id"], let secret = section?["aws_secret_access_key"] else {
                throw AWSConfigError.noCredentials(profile: profile, searched: credentialsPath)
            }
            credentials = AWSCredentials(
                accessKeyId: id, secretAccessKey: secret, sessionToken: section?["aws_session_token"])
        }

        guard let region = env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? configProfile?["region"] else {
            throw AWSConfigError.noRegion(profile: profile, searched: configPath)
        }
        var endpoint: URL?
        if let raw = env["AWS_ENDPOINT_URL"] {
            guard let url = URL(string: raw), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw AWSConfigError.badEndpoint(raw)
            }
            endpoint = url
        }
        return AWSConfig(
            region: region, endpoint: endpoint, credentials: credentials,
            requestTimeout: try timeout("CLOUDCTL_REQUEST_TIMEOUT", env, default: defaultRequestTimeout),
            stepTimeout: try timeout("CLOUDCTL_STEP_TIMEOUT", env, default: defaultStepTimeout))
    }

    /// A positive duration such as `30`, `30s`, `500ms`, `45m` or `1h` (a bare number is seconds).
    static func timeout(_ variable: String, _ env: [String: String], default fallback: Duration) throws -> Duration {
        guard let raw = env[variable]?.trimmingCharacters(in: .whitespaces) else { return fallback }
        let units: [(suffix: String, milliseconds: Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        let unit = units.first { raw.hasSuffix($0.suffix) && Int64(raw.dropLast($0.suffix.count)) != nil }
        let number = Int64(unit.map { String(raw.dropLast($0.suffix.count)) } ?? raw)
        guard let number, number > 0, number < 1_000_000 else {
            throw AWSConfigError.badTimeout(variable: variable, value: raw)
        }
        return .milliseconds(number * (unit?.milliseconds ?? 1000))
    }
}

extension AWSConfig: CustomStringConvertible {
    public var description: String {
        "AWSConfig(region: \(region), endpoint: \(endpoint?.absoluteString ?? "per-service AWS endpoints"), "
            + "credentials: \(credentials))"
    }
}

/// Why AWS settings could not be resolved; every message says what to set. Never carries a secret.
public enum AWSConfigError: Error, Equatable, CustomStringConvertible {
    case noCredentials(profile: String, searched: String?)
    case partialEnvironmentCredentials
    case noRegion(profile: String, searched: String?)
    case badEndpoint(String)
    case unreadableFile(String)
    case badTimeout(variable: String, value: String)

    public var description: String {
        switch self {
        case .noCredentials(let profile, let searched):
            return "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add aws_access_key_id and "
                + "aws_secret_access_key to profile [\(profile)] in \(searched ?? "~/.aws/credentials") "
                + "(choose the profile with AWS_PROFILE)"
        case .partialEnvironmentCredentials:
            return
                "only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set: set both, or neither to use a profile"
        case .noRegion(let profile, let searched):
            return "no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), or add region to profile \(profile) in "
                + (searched ?? "~/.aws/config")
        case .badEndpoint(let raw):
            return "AWS_ENDPOINT_URL '\(raw)' is not an http(s) URL: set it like http://127.0.0.1:5000 or unset it"
        case .unreadableFile(let path):
            return
                "cannot read \(path): fix its permissions or point AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE "
                + "elsewhere"
        case .badTimeout(let variable, let value):
            return "\(variable) '\(value)' is not a duration: "
                + "set a positive number with a unit, e.g. 30s, 500ms, 45m or 1h"
        }
    }
}

/// The AWS CLI's INI files: `[section]` headers, `key = value` lines, `#`/`;` comments.
enum INIFile {
    /// Sections by name; a missing file reads as empty.
    static func read(_ path: String) throws -> [String: [String: String]] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw AWSConfigError.unreadableFile(path)
        }
        return parse(text)
    }

    static func parse(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let name = SigV4Signer.collapseSpaces(String(line.dropFirst().dropLast()))
                current = name
                sections[name, default: [:]] = sections[name] ?? [:]
            } else if let current, let eq = line.firstIndex(of: "=") {
                let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
                sections[current]?[key] = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return sections
    }
}
