import Testing

/// What a test protects. scripts/test picks the sanitizer runs by these tags, not by suite
/// names, so renaming or moving a suite cannot silently drop it from a sanitizer run.
/// ShardNetTests declares the same names (a tag is its name: `.io` there is `.io` here).
extension Tag {
    /// Threads, the worker team, sharding: results that must not depend on scheduling.
    /// Run again under the thread and the address sanitizer.
    @Tag static var concurrency: Self
    /// Reading and writing files (HDF5, IDX, gzip, atomic saves). Run again under ASan.
    @Tag static var io: Self
    /// The mathematics: gradients, SGD steps, learning, random streams. Run again under ASan.
    @Tag static var numerics: Self
    /// The built `shardnet` executable, end to end.
    @Tag static var cli: Self
    /// Takes more than a few seconds in release.
    @Tag static var slow: Self
    /// `shardnet-mpi` under mpirun (skipped, with the reason, when Open MPI is missing).
    @Tag static var mpi: Self
}
