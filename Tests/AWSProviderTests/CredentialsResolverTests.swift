import XCTest
@testable import AWSProvider

final class CredentialsResolverTests: XCTestCase {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    var home: String!

    override func setUpWithError() throws {
        home = NSTemporaryDirectory() + "cloudctl-creds-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: home + "/.aws", withIntermediateDirectories: true)
        try """
        # comment
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = \(Self.secret)

        [ops]
        aws_access_key_id=AKIDOPS
        aws_secret_access_key=\(Self.secret)
        aws_session_token = TOKENOPS
        """.write(toFile: home + "/.aws/credentials", atomically: true, encoding: .utf8)
        try """
        [default]
        region = eu-west-1
        [profile ops]
        region = ap-south-1
        [profile noregion]
        output = json
        [profile keysinconfig]
        region = us-west-2
        aws_access_key_id = AKIDCONFIG
        aws_secret_access_key = \(Self.secret)
        """.write(toFile: home + "/.aws/config", atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: home) }

    func testResolutionTable() throws {
        let cases:
            [(name: String, env: [String: String], keyId: String, token: String?, region: String, endpoint: String?)] =
                [
                    (
                        "env only",
                        [
                            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": Self.secret,
                            "AWS_SESSION_TOKEN": "T",
                            "AWS_REGION": "us-east-2", "AWS_ENDPOINT_URL": "http://127.0.0.1:5101",
                        ],
                        "AKIDENV", "T", "us-east-2", "http://127.0.0.1:5101"
                    ),
                    ("default profile files", [:], "AKIDDEFAULT", nil, "eu-west-1", nil),
                    ("named profile", ["AWS_PROFILE": "ops"], "AKIDOPS", "TOKENOPS", "ap-south-1", nil),
                    (
                        "AWS_DEFAULT_REGION beats config", ["AWS_PROFILE": "ops", "AWS_DEFAULT_REGION": "sa-east-1"],
                        "AKIDOPS", "TOKENOPS", "sa-east-1", nil
                    ),
                    (
                        "AWS_REGION beats AWS_DEFAULT_REGION",
                        ["AWS_REGION": "us-west-1", "AWS_DEFAULT_REGION": "sa-east-1"],
                        "AKIDDEFAULT", nil, "us-west-1", nil
                    ),
                    ("keys in config file", ["AWS_PROFILE": "keysinconfig"], "AKIDCONFIG", nil, "us-west-2", nil),
                    (
                        "env keys win over profile",
                        ["AWS_PROFILE": "ops", "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": Self.secret],
                        "AKIDENV", nil, "ap-south-1", nil
                    ),
                ]
        for c in cases {
            let config = try AWSConfig.resolve(environment: c.env, homeDirectory: home)
            XCTAssertEqual(config.credentials.accessKeyId, c.keyId, c.name)
            XCTAssertEqual(config.credentials.secretAccessKey, Self.secret, c.name)
            XCTAssertEqual(config.credentials.sessionToken, c.token, c.name)
            XCTAssertEqual(config.region, c.region, c.name)
            XCTAssertEqual(config.endpoint?.absoluteString, c.endpoint, c.name)
            XCTAssertFalse(String(describing: config).contains(Self.secret), c.name)
            XCTAssertFalse(String(reflecting: config).contains(Self.secret), c.name)
            var dumped = ""
            dump(config, to: &dumped)
            XCTAssertFalse(dumped.contains(Self.secret), "dump leaks the secret: \(c.name)")
            XCTAssertFalse(dumped.contains("TOKENOPS"), "dump leaks the session token: \(c.name)")
        }
    }

    func testExplicitFilePathsOverrideHome() throws {
        let env = [
            "AWS_SHARED_CREDENTIALS_FILE": home + "/.aws/credentials", "AWS_CONFIG_FILE": "~/.aws/config",
            "AWS_PROFILE": "ops",
        ]
        let config = try AWSConfig.resolve(environment: env, homeDirectory: home)
        XCTAssertEqual(config.credentials.accessKeyId, "AKIDOPS")
        XCTAssertEqual(config.region, "ap-south-1")
    }

    /// `$HOME`, `AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE` and `AWS_DEFAULT_PROFILE`, each against files that
    /// differ from those under `homeDirectory`, so a case only passes when that source was the one read.
    func testFileLocationsTable() throws {
        let elsewhere = NSTemporaryDirectory() + "cloudctl-creds-other-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: elsewhere + "/.aws", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        try """
        [default]
        aws_access_key_id = AKIDHOMEENV
        aws_secret_access_key = \(Self.secret)
        [ops]
        aws_access_key_id = AKIDOTHEROPS
        aws_secret_access_key = \(Self.secret)
        [keysinconfig]
        # no keys here: the config file's keys still count
        """.write(toFile: elsewhere + "/.aws/credentials", atomically: true, encoding: .utf8)
        try "[default]\nregion = ca-central-1\n[profile ops]\nregion = eu-north-1\n"
            .write(toFile: elsewhere + "/.aws/config", atomically: true, encoding: .utf8)
        let cases: [(name: String, env: [String: String], keyId: String, region: String)] = [
            ("$HOME beats the passed home", ["HOME": elsewhere], "AKIDHOMEENV", "ca-central-1"),
            (
                "AWS_SHARED_CREDENTIALS_FILE outside home",
                ["AWS_SHARED_CREDENTIALS_FILE": elsewhere + "/.aws/credentials"],
                "AKIDHOMEENV", "eu-west-1"
            ),
            (
                "AWS_CONFIG_FILE outside home", ["AWS_CONFIG_FILE": elsewhere + "/.aws/config", "AWS_PROFILE": "ops"],
                "AKIDOPS", "eu-north-1"
            ),
            (
                "both files elsewhere, named profile",
                [
                    "AWS_SHARED_CREDENTIALS_FILE": elsewhere + "/.aws/credentials",
                    "AWS_CONFIG_FILE": elsewhere + "/.aws/config", "AWS_PROFILE": "ops",
                ],
                "AKIDOTHEROPS", "eu-north-1"
            ),
            ("AWS_DEFAULT_PROFILE", ["AWS_DEFAULT_PROFILE": "ops"], "AKIDOPS", "ap-south-1"),
            (
                "AWS_PROFILE beats AWS_DEFAULT_PROFILE", ["AWS_PROFILE": "default", "AWS_DEFAULT_PROFILE": "ops"],
                "AKIDDEFAULT", "eu-west-1"
            ),
            (
                "keyless credentials section falls back to config keys",
                ["AWS_SHARED_CREDENTIALS_FILE": elsewhere + "/.aws/credentials", "AWS_PROFILE": "keysinconfig"],
                "AKIDCONFIG", "us-west-2"
            ),
            (
                "~ in AWS_SHARED_CREDENTIALS_FILE is $HOME",
                [
                    "HOME": elsewhere, "AWS_SHARED_CREDENTIALS_FILE": "~/.aws/credentials",
                    "AWS_CONFIG_FILE": home + "/.aws/config", "AWS_PROFILE": "ops",
                ],
                "AKIDOTHEROPS", "ap-south-1"
            ),
        ]
        for c in cases {
            let config = try AWSConfig.resolve(environment: c.env, homeDirectory: home)
            XCTAssertEqual(config.credentials.accessKeyId, c.keyId, c.name)
            XCTAssertEqual(config.region, c.region, c.name)
        }
    }

    func testFailuresSayWhatToSet() {
        let cases: [(name: String, env: [String: String], home: String?, expected: AWSConfigError, mentions: String)] =
            [
                (
                    "missing everything", [:], nil, .noCredentials(profile: "default", searched: nil),
                    "AWS_ACCESS_KEY_ID"
                ),
                (
                    "unknown profile", ["AWS_PROFILE": "nobody"], home,
                    .noCredentials(profile: "nobody", searched: home + "/.aws/credentials"),
                    "AWS_PROFILE"
                ),
                (
                    "only the secret", ["AWS_SECRET_ACCESS_KEY": Self.secret], home, .partialEnvironmentCredentials,
                    "AWS_ACCESS_KEY_ID"
                ),
                (
                    "no region", ["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": Self.secret], nil,
                    .noRegion(profile: "default", searched: nil), "AWS_REGION"
                ),
                (
                    "profile without region",
                    ["AWS_PROFILE": "noregion", "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": Self.secret], home,
                    .noRegion(profile: "noregion", searched: home + "/.aws/config"), "AWS_REGION"
                ),
                (
                    "bad endpoint",
                    [
                        "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": Self.secret, "AWS_REGION": "us-east-1",
                        "AWS_ENDPOINT_URL": "localhost:5000",
                    ], nil, .badEndpoint("localhost:5000"), "AWS_ENDPOINT_URL"
                ),
            ]
        for c in cases {
            XCTAssertThrowsError(try AWSConfig.resolve(environment: c.env, homeDirectory: c.home), c.name) { error in
                XCTAssertEqual(error as? AWSConfigError, c.expected, c.name)
                let text = String(describing: error)
                XCTAssertTrue(text.contains(c.mentions), "\(c.name): \(text)")
                XCTAssertFalse(text.contains(Self.secret), c.name)
            }
        }
    }

    func testINIParsing() {
        let sections = INIFile.parse("[profile  x ]\n; c\nregion=us-east-1\n  key = a=b \nstray\n[y]\n")
        XCTAssertEqual(sections["profile x"]?["region"], "us-east-1")
        XCTAssertEqual(sections["profile x"]?["key"], "a=b")
        XCTAssertEqual(sections["y"], [:])
    }
}
