// swift-tools-version: 6.1
import PackageDescription

// Dependencies point one way:
// COpenBLAS, CKernels → Numerics → Autodiff → Models → Training → Benchmarks → tlab
// Numerics → Datasets (data install, formats, text, vectors) → tlab
// Specs (YAML experiment specs: parse, validate, expand; depends on Suggestions and Digests only) → tlab
// Digests (SHA-256 as hex) → Specs, Datasets, Tracking
// Outcomes (a run's result by name) → Tracking, Reports, Experiments
let package = Package(
    name: "TransferLab",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tlab", targets: ["tlab"]),
        .library(name: "Numerics", targets: ["Numerics"]),
        .library(name: "Autodiff", targets: ["Autodiff"]),
        .library(name: "Models", targets: ["Models"]),
        .library(name: "Training", targets: ["Training"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // -ffp-contract=off: no FMA contraction, so every target clone gives the same bits;
        // -fno-math-errno: sqrtf need not set errno, so loops with square roots vectorise.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off", "-fno-math-errno"])]),
        .target(name: "Numerics", dependencies: ["COpenBLAS", "CKernels"]),
        .target(name: "Autodiff", dependencies: ["Numerics"]),
        .target(name: "Suggestions"),
        .target(name: "Digests", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Specs", dependencies: ["Suggestions", "Digests", "Yams"]),
        .target(
            name: "Datasets",
            dependencies: ["Numerics", "Suggestions", "Digests"],
            resources: [.copy("Install/convert_special.py")]
        ),
        .target(name: "Models", dependencies: ["Autodiff", "Numerics", "CKernels"]),
        .target(name: "Training", dependencies: ["Models", "Datasets", "Autodiff", "Numerics", "CKernels"]),
        // What a run reports (status, metrics by split and name): written by Experiments, read by Tracking and Reports.
        .target(name: "Outcomes"),
        .target(name: "Tracking", dependencies: ["Digests", "Outcomes", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "Reports", dependencies: ["Tracking", "Specs", "Outcomes"]),
        .target(name: "Experiments", dependencies: ["Outcomes", "Specs", "Suggestions", "Tracking", "Training", "Models", "Datasets", "Autodiff", "Numerics"]),
        .target(name: "Benchmarks", dependencies: ["Training", "Models", "Autodiff", "Numerics", "COpenBLAS"]),
        // The git revision of the build, generated before every build (recorded with every run).
        .plugin(name: "BuildRevision", capability: .buildTool()),
        .target(name: "BuildInfo", plugins: ["BuildRevision"]),
        .executableTarget(
            name: "tlab",
            dependencies: [
                "Numerics", "Autodiff", "Models", "Training", "Benchmarks", "Datasets", "Specs", "Experiments", "Tracking", "Reports", "BuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "TestSupport", dependencies: ["Numerics", "Autodiff"], path: "Tests/TestSupport"),
        .testTarget(name: "NumericsTests", dependencies: ["Numerics", "TestSupport"]),
        .testTarget(name: "AutodiffTests", dependencies: ["Autodiff", "Numerics", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Datasets", "Autodiff", "Numerics", "TestSupport"]),
        .testTarget(name: "SuggestionsTests", dependencies: ["Suggestions"]),
        .testTarget(name: "DigestsTests", dependencies: ["Digests", "TestSupport"]),
        .testTarget(name: "SpecsTests", dependencies: ["Specs", "TestSupport"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Outcomes", "Reports", "Specs", "Datasets", "Training", "Models", "Autodiff", "Numerics", "Tracking", "TestSupport"]),
        .testTarget(name: "TrackingTests", dependencies: ["Tracking", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Tracking", "Specs", "TestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Digests", "Numerics", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Training", "Datasets", "Autodiff", "Numerics", "TestSupport"]),
    ]
)

