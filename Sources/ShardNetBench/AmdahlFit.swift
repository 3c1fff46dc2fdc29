import ShardNet

/// Amdahl's law fitted to a measured speedup curve.
///
/// Model: 1/speedup(p) = f + (1 − f)/p, with f the serial fraction. Rewritten as
/// y = f·x with y = 1/speedup − 1/p and x = 1 − 1/p, the least-squares estimate is
/// f = Σxy / Σx². Points at p = 1 carry no information (x = 0). Callers pass only points with
/// p ≤ the number of cores: past that, threads share cores and the model does not apply.
package enum AmdahlFit {
    /// The serial fraction f (not clamped: a negative f means superlinear speedup), or nil
    /// when no point has p > 1.
    package static func serialFraction(threads: [Int], speedups: [Double]) -> Double? {
        precondition(threads.count == speedups.count)
        var sxy = 0.0, sxx = 0.0
        for (p, s) in zip(threads, speedups) where p > 1 && s > 0 && s.isFinite {
            let x = 1 - 1 / Double(p)
            let y = 1 / s - 1 / Double(p)
            sxy += x * y
            sxx += x * x
        }
        return sxx > 0 ? sxy / sxx : nil
    }

    /// Speedup the model predicts at p threads for serial fraction f.
    package static func speedup(serialFraction f: Double, threads p: Int) -> Double {
        1 / (f + (1 - f) / Double(p))
    }
}
