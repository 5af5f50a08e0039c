// swift-tools-version:6.0
import PackageDescription

// Dependencies point down only: cloudctl → CloudctlCLI → Executor → (AWSProvider, StateBackend) → Planner → FleetModel.
// Store (SQLite) implements StateBackend; only CloudctlCLI, which opens the database, depends on it.
let package = Package(
    name: "cloudctl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cloudctl", targets: ["cloudctl"]),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "FleetModel", dependencies: ["CCrypto"]),
        .target(name: "Planner", dependencies: ["FleetModel"]),
        .target(name: "StateBackend", dependencies: ["FleetModel"]),
        .target(name: "Store", dependencies: ["FleetModel", "StateBackend", "CSQLite"]),
        .target(name: "AWSProvider", dependencies: ["FleetModel", "CCrypto"]),
        .target(name: "Executor", dependencies: ["FleetModel", "Planner", "StateBackend"]),
        .target(name: "CloudctlCLI", dependencies: ["FleetModel", "Planner", "StateBackend", "Store", "Executor", "AWSProvider"]),
        .executableTarget(name: "cloudctl", dependencies: ["CloudctlCLI"]),
        .target(name: "TestSupport", dependencies: ["FleetModel"], path: "Tests/TestSupport"),
        .testTarget(name: "FleetModelTests", dependencies: ["FleetModel", "TestSupport"], resources: [.copy("BadFiles")]),
        .testTarget(name: "PlannerTests", dependencies: ["Planner", "Executor", "FleetModel", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "StateBackend", "FleetModel", "TestSupport"]),
        .testTarget(name: "AWSProviderTests", dependencies: ["AWSProvider", "FleetModel", "TestSupport"]),
        .testTarget(name: "ExecutorTests", dependencies: ["Executor", "StateBackend", "Store", "Planner", "FleetModel", "TestSupport"]),
        .testTarget(name: "CloudctlCLITests", dependencies: ["CloudctlCLI", "Planner", "Executor", "StateBackend", "Store", "FleetModel", "TestSupport"], resources: [.copy("Golden")]),
    ],
    swiftLanguageModes: [.v6]
)
