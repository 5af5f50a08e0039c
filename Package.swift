// swift-tools-version:6.0
import PackageDescription

// Dependencies point down only (picture: docs/ARCHITECTURE.md). Each target lists exactly the modules it imports.
// Store (SQLite) and PostgresStore implement StateBackend; only CloudctlCLI, which opens the database, depends on them.
let package = Package(
    name: "cloudctl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cloudctl", targets: ["cloudctl"]),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "Digests", dependencies: ["CCrypto"]),
        .target(name: "FleetModel", dependencies: ["Digests"]),
        .target(name: "ProviderAPI", dependencies: ["FleetModel"]),
        .target(name: "FleetFiles", dependencies: ["FleetModel", "ProviderAPI"]),
        .target(name: "Planner", dependencies: ["FleetModel"]),
        .target(name: "Rollout", dependencies: ["FleetModel", "Planner"]),
        .target(name: "StateBackend", dependencies: ["FleetModel"]),
        .target(name: "Store", dependencies: ["FleetModel", "StateBackend", "CSQLite"]),
        .target(name: "PostgresStore", dependencies: ["FleetModel", "StateBackend", "CLibPQ"]),
        .target(name: "AWSProvider", dependencies: ["FleetModel", "ProviderAPI", "Digests"]),
        .target(name: "FleetReport", dependencies: ["FleetModel", "StateBackend", "Rollout"]),
        .target(name: "Executor", dependencies: ["FleetModel", "ProviderAPI", "Planner", "StateBackend"]),
        .target(name: "CloudctlCLI", dependencies: ["FleetModel", "FleetFiles", "ProviderAPI", "Planner",
                                                    "StateBackend", "Store", "PostgresStore", "Executor",
                                                    "AWSProvider", "Rollout", "FleetReport"]),
        .executableTarget(name: "cloudctl", dependencies: ["CloudctlCLI"]),
        .target(name: "TestSupport", dependencies: ["FleetModel", "ProviderAPI", "Executor", "StateBackend"],
                path: "Tests/TestSupport"),
        .testTarget(name: "FleetModelTests", dependencies: ["FleetModel"]),
        .testTarget(name: "FleetFilesTests", dependencies: ["FleetFiles", "FleetModel", "AWSProvider"],
                    resources: [.copy("BadFiles")]),
        .testTarget(name: "PlannerTests", dependencies: ["Planner", "Executor", "ProviderAPI", "FleetModel",
                                                       "TestSupport"]),
        .testTarget(name: "FleetReportTests", dependencies: ["FleetReport", "FleetModel", "StateBackend",
                                                           "Rollout"]),
        .testTarget(name: "RolloutTests", dependencies: ["Rollout", "Planner", "FleetModel", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "PostgresStore", "StateBackend", "FleetModel",
                                                       "TestSupport"]),
        .testTarget(name: "AWSProviderTests", dependencies: ["AWSProvider", "ProviderAPI", "Digests", "FleetModel",
                                                             "Planner", "TestSupport"]),
        .testTarget(name: "ExecutorTests", dependencies: ["Executor", "ProviderAPI", "StateBackend", "Store", "Planner",
                                                          "FleetModel", "TestSupport"]),
        .testTarget(name: "CloudctlCLITests", dependencies: ["CloudctlCLI", "FleetModel", "FleetFiles", "ProviderAPI",
                                                              "StateBackend", "Store", "PostgresStore", "Planner",
                                                              "Executor", "AWSProvider", "TestSupport"],
                    resources: [.copy("Golden")]),
    ],
    swiftLanguageModes: [.v6]
)
