// swift-tools-version:6.1
// Micro-benchmarks of ShardNet's training step and evaluation pass, with ordo-one's
// package-benchmark (wall clock, throughput, and malloc counts from its malloc interposer).
//
// A separate package so that the root package does not depend on the benchmark package:
//
//     cd Benchmarks && swift package benchmark
//     cd Benchmarks && swift package benchmark thresholds check   # fails if a training step mallocs
//
// The scaling study (threads × batch sizes × networks, speedup, Amdahl fit, plots) is
// `scripts/bench`, not this package.
import PackageDescription

let package = Package(
    name: "ShardNetBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "ShardNet", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ShardNetBenchmarks",
            dependencies: [
                .product(name: "ShardNet", package: "ShardNet"),
                .product(name: "ShardNetBench", package: "ShardNet"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ShardNetBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
