// swift-tools-version: 6.0
import PackageDescription

// QLSTM Cluster builds from the Swift toolchain alone: no package dependencies.
let package = Package(
    name: "qlstm-cluster",
    products: [
        .executable(name: "qlstm", targets: ["QLSTMCommand"]),
        // The application layer: model files, run directories, data specifications and the
        // assembly of executor, model and trainer (Examples/Forecast uses it).
        .library(
            name: "QLSTMCluster",
            targets: ["QLSTMCluster", "QLSTM", "Datasets", "QPUProfiles", "VariationalCircuits", "QuantumSimulator", "Cluster"]
        ),
        .executable(name: "qlstm-fuzz", targets: ["QLSTMFuzz"]),
    ],
    targets: [
        .target(name: "QuantumSimulator"),
        .target(name: "Suggestions"),
        .target(name: "VariationalCircuits", dependencies: ["QuantumSimulator", "Suggestions"]),
        .target(name: "Datasets"),
        .target(name: "Reports"),
        .target(name: "QLSTM", dependencies: ["VariationalCircuits", "QuantumSimulator"]),
        .target(name: "QPUProfiles", dependencies: ["VariationalCircuits", "QuantumSimulator", "Suggestions"]),
        .target(name: "ClusterProtocol", dependencies: ["VariationalCircuits", "QuantumSimulator"]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(
            name: "Cluster",
            dependencies: [
                "ClusterProtocol", "VariationalCircuits", "QuantumSimulator", "QPUProfiles", "COpenSSL", "Suggestions",
            ]
        ),
        // HTTP/1.1 on the cluster's sockets, for `qlstm serve` (docs/SERVING.md).
        .target(name: "HTTPServer", dependencies: ["Cluster"]),
        .target(
            name: "QLSTMCluster",
            dependencies: [
                "QuantumSimulator", "VariationalCircuits", "Datasets", "QLSTM", "QPUProfiles", "Reports", "Cluster",
            ]
        ),
        // The `qlstm` command line: parses, validates, and calls QLSTMCluster and the modules below.
        .executableTarget(
            name: "QLSTMCommand",
            dependencies: [
                "QLSTMCluster", "QuantumSimulator", "VariationalCircuits", "Datasets", "QLSTM", "QPUProfiles",
                "Reports", "Cluster", "Suggestions", "HTTPServer",
            ]
        ),
        // Drives a real worker process with hostile clients (docs/SECURITY.md); `.ci/run` runs it.
        .executableTarget(
            name: "QLSTMFuzz",
            dependencies: ["Cluster", "ClusterProtocol", "VariationalCircuits", "QuantumSimulator"]
        ),
        .target(name: "TestSupport", dependencies: ["QuantumSimulator"]),
        .testTarget(name: "QuantumSimulatorTests", dependencies: ["QuantumSimulator", "TestSupport"]),
        .testTarget(
            name: "VariationalCircuitsTests",
            dependencies: ["VariationalCircuits", "QuantumSimulator", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "DatasetsTests",
            dependencies: ["Datasets", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "QLSTMTests", dependencies: ["QLSTM", "QuantumSimulator", "VariationalCircuits"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports"]),
        .testTarget(name: "QLSTMClusterTests", dependencies: ["QLSTMCluster", "Datasets"]),
        .testTarget(name: "QPUProfilesTests", dependencies: ["QPUProfiles", "VariationalCircuits"]),
        .testTarget(
            name: "ClusterProtocolTests",
            dependencies: ["ClusterProtocol", "VariationalCircuits", "TestSupport"]
        ),
        .testTarget(
            name: "ClusterTests",
            dependencies: ["Cluster", "ClusterProtocol", "VariationalCircuits", "TestSupport"]
        ),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "Cluster"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["TestSupport", "Cluster", "ClusterProtocol", "VariationalCircuits"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// One list of settings for every target (as swift-log does).
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
