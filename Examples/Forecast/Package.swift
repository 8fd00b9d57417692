// swift-tools-version: 6.0
import PackageDescription

// A program that uses QLSTM Cluster as a library, by path: train, evaluate, save, reload.
let package = Package(
    name: "Forecast",
    dependencies: [.package(name: "qlstm-cluster", path: "../..")],
    targets: [
        .executableTarget(
            name: "Forecast",
            dependencies: [.product(name: "QLSTMCluster", package: "qlstm-cluster")]
        )
    ],
    swiftLanguageModes: [.v6]
)
