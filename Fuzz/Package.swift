// swift-tools-version:6.0
// libFuzzer harnesses for ShardNet's file readers. Build and run with ../scripts/fuzz, or:
//   swift build -c release --package-path Fuzz --sanitize=fuzzer
//   Fuzz/.build/release/FuzzIDX  -max_total_time=60 <corpus-copy>
// Each target is a single Swift file (not main.swift), so SwiftPM compiles it with
// -parse-as-library and libFuzzer supplies main().
import PackageDescription

let package = Package(
    name: "ShardNetFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "ShardNet", path: ".."),
    ],
    targets: [
        // IDXFile.read (raw and gzip): header validation, sizes, GzipReader.
        .executableTarget(
            name: "FuzzIDX",
            dependencies: [.product(name: "ShardNet", package: "ShardNet")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // H5FileKind.detect, DataSetFile.load, Checkpoint.load (and the HDF5 wrapper, libhdf5).
        .executableTarget(
            name: "FuzzHDF5",
            dependencies: [.product(name: "ShardNet", package: "ShardNet")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // `shardnet import`'s network2.py JSON reader (ShardNetInterop's JSONReader, Network2JSON).
        .executableTarget(
            name: "FuzzImport",
            dependencies: [
                .product(name: "ShardNet", package: "ShardNet"),
                .product(name: "ShardNetInterop", package: "ShardNet"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
