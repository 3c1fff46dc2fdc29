// swift-tools-version:6.0
// libFuzzer harnesses for ShardNet's file readers. Build and run with ../scripts/fuzz, or:
//   swift build -c release --package-path Fuzz --sanitize=fuzzer
//   Fuzz/.build/release/FuzzIDX  -max_total_time=60 <corpus-copy>
// Each harness is a single Swift file (not main.swift), so SwiftPM compiles it with
// -parse-as-library and libFuzzer supplies main(); FuzzSupport is the temp file they share.
import PackageDescription

let package = Package(
    name: "ShardNetFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "ShardNet", path: ".."),
        // Already a dependency of ShardNetInterop; FuzzKeras uses it to repack archives.
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // The temp file each harness writes its input to (ShardNet's readers take paths).
        .target(name: "FuzzSupport", swiftSettings: [.swiftLanguageMode(.v6)]),
        // IDXFile.read (raw and gzip): header validation, sizes, GzipReader.
        .executableTarget(
            name: "FuzzIDX",
            dependencies: ["FuzzSupport", .product(name: "ShardNet", package: "ShardNet")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // H5FileKind.detect, DataSetFile.load, Checkpoint.load (and the HDF5 wrapper, libhdf5).
        .executableTarget(
            name: "FuzzHDF5",
            dependencies: ["FuzzSupport", .product(name: "ShardNet", package: "ShardNet")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // `shardnet import`'s network2.py JSON reader (ShardNetInterop's JSONReader, Network2JSON).
        .executableTarget(
            name: "FuzzImport",
            dependencies: [
                "FuzzSupport",
                .product(name: "ShardNet", package: "ShardNet"),
                .product(name: "ShardNetInterop", package: "ShardNet"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // `shardnet import`'s Keras 3 .keras reader: ZIPFoundation's container parsing, entry
        // limits, config.json (KerasConfig.parse) and model.weights.h5 (libhdf5).
        .executableTarget(
            name: "FuzzKeras",
            dependencies: [
                "FuzzSupport",
                .product(name: "ShardNet", package: "ShardNet"),
                .product(name: "ShardNetInterop", package: "ShardNet"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // `shardnet import`'s legacy Keras HDF5 reader: model_config, layer_names, weight_names, datasets.
        .executableTarget(
            name: "FuzzKerasH5",
            dependencies: [
                "FuzzSupport",
                .product(name: "ShardNet", package: "ShardNet"),
                .product(name: "ShardNetInterop", package: "ShardNet"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
