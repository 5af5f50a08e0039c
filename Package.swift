// swift-tools-version:6.0
import PackageDescription

// Dependencies point down only: cloudctl → CloudctlCLI → Executor → (AWSProvider, Store) → Planner → FleetModel.
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
        .target(name: "Store", dependencies: ["FleetModel", "CSQLite"]),
        .target(name: "AWSProvider", dependencies: ["FleetModel", "CCrypto"]),
        .target(name: "Executor", dependencies: ["FleetModel", "Planner", "Store"]),
        .target(name: "CloudctlCLI", dependencies: ["FleetModel", "Planner", "Store", "Executor", "AWSProvider"]),
        .executableTarget(name: "cloudctl", dependencies: ["CloudctlCLI"]),
        .target(name: "TestSupport", dependencies: ["FleetModel"], path: "Tests/TestSupport"),
        .testTarget(name: "FleetModelTests", dependencies: ["FleetModel", "TestSupport"], resources: [.copy("BadFiles")]),
        .testTarget(name: "PlannerTests", dependencies: ["Planner", "Executor", "FleetModel", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "FleetModel", "TestSupport"]),
        .testTarget(name: "AWSProviderTests", dependencies: ["AWSProvider", "FleetModel", "TestSupport"]),
        .testTarget(name: "ExecutorTests", dependencies: ["Executor", "Store", "Planner", "FleetModel", "TestSupport"]),
        .testTarget(name: "CloudctlCLITests", dependencies: ["CloudctlCLI", "Planner", "Executor", "FleetModel", "TestSupport"], resources: [.copy("Golden")]),
    ],
    swiftLanguageModes: [.v6]
)
