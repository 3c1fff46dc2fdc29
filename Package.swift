// swift-tools-version:6.0
// ShardNet: a multithreaded data-parallel trainer for Nielsen's sigmoid networks.
import PackageDescription

let package = Package(
    name: "ShardNet",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ShardNet", targets: ["ShardNet"]),
        .library(name: "HDF5", targets: ["HDF5"]),
        // The benchmark harness, for Benchmarks/ (its own package) and `shardnet bench`.
        .library(name: "ShardNetBench", targets: ["ShardNetBench"]),
        .library(name: "ShardNetInterop", targets: ["ShardNetInterop"]),
        .executable(name: "shardnet", targets: ["ShardNetTool"]),
        // Across machines: `shardnet-mpi train` under mpirun (Open MPI); ShardNet itself needs no MPI.
        .library(name: "ShardNetMPI", targets: ["ShardNetMPI"]),
        .executable(name: "shardnet-mpi", targets: ["ShardNetMPITool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // C shims. Each is imported by exactly one Swift wrapper and nothing else:
        // CBLAS by ShardNet/Kernels/BLAS.swift, CKernels by ShardNet/Kernels/NativeKernels.swift,
        // CCPU by ShardNet/CPU/CPU.swift,
        // CHDF5 by the HDF5 module, CZlib by ShardNet/IO/GzipReader.swift.
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CHDF5",
            path: "Sources/CHDF5",
            pkgConfig: "hdf5-serial",
            providers: [.apt(["libhdf5-dev"]), .brew(["hdf5"])]
        ),
        // Module CShardNetZlib (not CZlib: ZIPFoundation ships a module of that name).
        .systemLibrary(
            name: "CShardNetZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Open MPI (pkg-config ompi-c), with inline wrappers for its handle macros; imported only
        // by ShardNetMPI.
        .systemLibrary(
            name: "CMPI",
            path: "Sources/CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"]), .brew(["open-mpi"])]
        ),
        // The processor: spin-wait hint, denormal flushing, brand and vector features.
        .target(name: "CCPU", path: "Sources/CCPU"),
        // ShardNet's own SIMD kernels (scalar reference, AVX2, AVX-512, NEON), chosen once from
        // CCPU's features. Per-ISA code selects its instruction set with target attributes, so
        // no flags here.
        .target(
            name: "CKernels",
            dependencies: ["CCPU"],
            path: "Sources/CKernels"
        ),
        // h5py-style Swift wrapper over libhdf5.
        .target(
            name: "HDF5",
            dependencies: ["CHDF5"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // The engine: network, backprop, sharded SGD, datasets and checkpoints.
        .target(
            name: "ShardNet",
            dependencies: ["CBLAS", "CCPU", "CKernels", "HDF5", "CShardNetZlib"],
            swiftSettings: [.swiftLanguageMode(.v6)],
            linkerSettings: [
                .linkedLibrary("openblas", .when(platforms: [.linux])),
                .linkedFramework("Accelerate", .when(platforms: [.macOS])),
            ]
        ),
        // The benchmark harness behind `shardnet bench`: scaling sweep, report, charts.
        .target(
            name: "ShardNetBench",
            dependencies: ["ShardNet"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Interoperability: Keras (.keras zip and legacy HDF5), network2.py's JSON, TensorBoard
        // event files. Kept out of ShardNet so `import ShardNet` needs neither zip nor protobuf.
        .target(
            name: "ShardNetInterop",
            dependencies: [
                "ShardNet", "HDF5",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // The ranks' gradient exchange over MPI (fixed-order reduce-scatter + allgather).
        .target(
            name: "ShardNetMPI",
            dependencies: ["ShardNet", "CMPI"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // `train`'s options and driver, shared by `shardnet` and `shardnet-mpi` (no MPI here: the
        // driver runs in a `TrainingWorld`, which shardnet-mpi implements over MPI).
        .target(
            name: "ShardNetCLI",
            dependencies: [
                "ShardNet",
                "ShardNetInterop",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // The `shardnet-mpi` command-line tool.
        .executableTarget(
            name: "ShardNetMPITool",
            dependencies: [
                "ShardNet",
                "ShardNetCLI",
                "ShardNetMPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // The `shardnet` command-line tool.
        .executableTarget(
            name: "ShardNetTool",
            dependencies: [
                "ShardNet",
                "ShardNetBench",
                "ShardNetCLI",
                "ShardNetInterop",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [.copy("Resources/mnist-5k.h5")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Helpers shared by the test targets (Tests/ShardNetTestSupport); no product exports it.
        .target(
            name: "ShardNetTestSupport",
            path: "Tests/ShardNetTestSupport",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "ShardNetTests",
            dependencies: ["ShardNet", "HDF5", "ShardNetTestSupport"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "HDF5Tests",
            dependencies: ["HDF5", "ShardNetTestSupport"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "CKernelsTests",
            dependencies: ["CKernels", "CCPU"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "ShardNetInteropTests",
            dependencies: [
                "ShardNetInterop", "ShardNet", "HDF5", "ShardNetTestSupport",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "ShardNetToolTests",
            dependencies: ["ShardNet", "ShardNetBench", "ShardNetTestSupport"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
