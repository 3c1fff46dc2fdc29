import Testing

/// What a test protects. scripts/test picks the sanitizer runs by these tags, not by suite
/// names, so renaming or moving a suite cannot silently drop it from a sanitizer run.
/// Declared once here for every test target that tags its tests.
extension Tag {
    /// Threads, the worker team, sharding: results that must not depend on scheduling.
    /// Run again under the thread and the address sanitizer.
    @Tag public static var concurrency: Self
    /// Reading and writing files (HDF5, IDX, gzip, atomic saves). Run again under ASan.
    @Tag public static var io: Self
    /// The mathematics: gradients, SGD steps, learning, random streams. Run again under ASan.
    @Tag public static var numerics: Self
    /// The built `shardnet` executable, end to end.
    @Tag public static var cli: Self
    /// Takes more than a few seconds in release.
    @Tag public static var slow: Self
    /// `shardnet-mpi` under mpirun (skipped, with the reason, when Open MPI is missing).
    @Tag public static var mpi: Self
}
