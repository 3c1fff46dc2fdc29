import Foundation
import ShardNet

/// The result of a `ScalingSweep`: machine facts, the GEMM ceiling, and every series, with
/// renderings as a plain-text table, CSV, JSON and two SVG plots.
package struct ScalingReport: Sendable, Codable {
    /// When the sweep started.
    package let date: Date
    /// Active cores of the machine.
    package let cores: Int
    package let host: String
    /// 1-minute load average before and after the sweep (nil where unavailable): a figure
    /// well above 0 before the sweep means something else was running.
    package let loadAverageBefore: Double?
    package let loadAverageAfter: Double?
    /// The one-way hand-off of a cache line between the first two CPUs before and after the
    /// sweep, ns (`SystemReport.handoff`; nil with one CPU): on a VM whose vCPUs the host moves,
    /// a change between the two says the two-thread points ran on different placements.
    package let handoffBefore: Double?
    package let handoffAfter: Double?
    /// The BLAS GEMM ceiling, or nil when it was skipped (`gemmSize` 0).
    package let ceiling: MachineCeiling?
    package let options: ScalingSweepOptions
    package let series: [ScalingSeries]
    /// Wall time of the whole sweep.
    package let seconds: Double

    package init(
        date: Date, cores: Int, host: String, loadAverageBefore: Double?, loadAverageAfter: Double?,
        handoffBefore: Double? = nil, handoffAfter: Double? = nil,
        ceiling: MachineCeiling?, options: ScalingSweepOptions, series: [ScalingSeries], seconds: Double
    ) {
        self.date = date
        self.cores = cores
        self.host = host
        self.loadAverageBefore = loadAverageBefore
        self.loadAverageAfter = loadAverageAfter
        self.handoffBefore = handoffBefore
        self.handoffAfter = handoffAfter
        self.ceiling = ceiling
        self.options = options
        self.series = series
        self.seconds = seconds
    }

    /// Every point, series after series.
    package var points: [ScalingPoint] { series.flatMap(\.points) }

    // MARK: Text

    /// A readable plain-text table, one block per network × batch size, with its Amdahl fit.
    package func table() -> String {
        var out = ""
        let load = [loadAverageBefore, loadAverageAfter].map { $0.map { String(format: "%.2f", $0) } ?? "?" }
        out += String(
            format: "ShardNet scaling sweep: %d cores, load average %@ before / %@ after, %.0f s, %@\n",
            cores, load[0], load[1], seconds, ISO8601DateFormatter().string(from: date))
        out += SystemReport.lines.filter { !$0.hasPrefix("kernels available") }.joined(separator: "\n") + "\n"
        if handoffBefore != nil || handoffAfter != nil {
            let ns = [handoffBefore, handoffAfter].map { $0.map { String(format: "%.0f ns", $0) } ?? "?" }
            out += "core hand-off (one way, first two CPUs, median of \(SystemReport.handoffProbes) probes): \(ns[0]) before / \(ns[1]) after\n"
        }
        if let c = ceiling {
            out += String(
                format: "GEMM ceiling (SGEMM n=%d, median of %d): %.1f GFLOP/s on 1 thread (%.1f–%.1f), %.1f GFLOP/s on %d threads (%.1f–%.1f)\n",
                c.n, c.singleThread.values.count, c.singleThread.median, c.singleThread.min, c.singleThread.max,
                c.allThreads.median, c.threads, c.allThreads.min, c.allThreads.max)
        }
        out +=
            "Shards: \(options.shards); \(options.repetitions) repetitions per point after a warm-up, \(String(format: "%g", options.secondsPerPoint)) s per point, \(options.samples) synthetic samples (\(options.pixels.rawValue) pixels)\n"
        out +=
            "samples/s: median (min–max); reduce/wait: share of the threads' summed time; GFLOP/s = 6 × weights × samples/s; %ceil: share of the GEMM ceiling at min(T, cores) threads\n\n"
        let header = [
            "network", "batch", "kernels", "T", "S", "samples/s", "min–max", "speedup", "eff", "reduce", "wait", "GFLOP/s", "%ceil", "step µs",
        ]
        var rows: [[String]] = []
        for s in series {
            for p in s.points {
                rows.append([
                    p.networkName, "\(p.miniBatchSize)", s.kernels, "\(p.threads)", "\(p.shards)",
                    String(format: "%.0f", p.samplesPerSecond.median),
                    String(format: "%.0f–%.0f", p.samplesPerSecond.min, p.samplesPerSecond.max),
                    String(format: "%.2f", p.speedup), Self.percent(p.efficiency),
                    Self.percent(p.reduceShare), Self.percent(p.waitShare),
                    String(format: "%.2f", p.gflops), p.ceilingShare.map(Self.percent) ?? "–",
                    String(format: "%.1f", p.stepSeconds * 1e6),
                ])
            }
            let fit = s.serialFraction.map { String(format: "%.3f", $0) } ?? "– (no point with 1 < T ≤ cores)"
            rows.append(["  Amdahl serial fraction f = \(fit)"])
            rows.append([])
        }
        var widths = header.map(\.count)
        for row in rows where row.count == header.count {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
                return i == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        out += line(header) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in rows { out += (row.count == header.count ? line(row) : row.joined()) + "\n" }
        return out
    }

    static func percent(_ v: Double) -> String { String(format: "%.1f%%", v * 100) }

    // MARK: CSV and JSON

    /// One row per point.
    package func csv() -> String {
        var out =
            "network,batch,kernels,threads,shards,steps_per_repetition,repetitions,samples_per_s_median,samples_per_s_min,samples_per_s_max,step_us,speedup,efficiency,backprop_share,reduce_share,wait_share,gflops,ceiling_gflops,ceiling_share,serial_fraction\n"
        for s in series {
            for p in s.points {
                let fields: [String] = [
                    p.networkName, "\(p.miniBatchSize)", s.kernels, "\(p.threads)", "\(p.shards)", "\(p.stepsPerRepetition)",
                    "\(p.samplesPerSecond.values.count)",
                    String(format: "%.1f", p.samplesPerSecond.median), String(format: "%.1f", p.samplesPerSecond.min),
                    String(format: "%.1f", p.samplesPerSecond.max), String(format: "%.3f", p.stepSeconds * 1e6),
                    String(format: "%.4f", p.speedup), String(format: "%.4f", p.efficiency),
                    String(format: "%.4f", p.backpropShare), String(format: "%.4f", p.reduceShare),
                    String(format: "%.4f", p.waitShare), String(format: "%.4f", p.gflops),
                    ceiling.map { String(format: "%.3f", $0.ceiling(threads: p.threads)) } ?? "",
                    p.ceilingShare.map { String(format: "%.4f", $0) } ?? "",
                    s.serialFraction.map { String(format: "%.4f", $0) } ?? "",
                ]
                out += fields.joined(separator: ",") + "\n"
            }
        }
        return out
    }

    /// The whole report as pretty-printed JSON (dates ISO 8601).
    package func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    // MARK: Plots

    /// Speedup over 1 thread against threads, one line per network × batch size, with the
    /// ideal line min(T, cores).
    package func speedupChart() -> SVGLineChart {
        var chart = SVGLineChart(
            title: "ShardNet speedup over \(series.first?.baselineThreads ?? 1) thread",
            xLabel: "threads T", yLabel: "speedup (median samples/s ÷ 1-thread median)")
        chart.subtitle = "\(cores) cores, \(options.shards), synthetic data; ideal = min(T, cores)"
        let threads = Array(Set(points.map(\.threads))).sorted()
        chart.xTicks = threads.map(Double.init)
        chart.yInclude = [0]
        if let lo = threads.first, let hi = threads.last {
            var ideal: [(x: Double, y: Double)] = [(Double(lo), Double(min(lo, cores)))]
            if cores > lo && cores < hi { ideal.append((Double(cores), Double(cores))) }
            ideal.append((Double(hi), Double(min(hi, cores))))
            chart.series.append(.init(name: "ideal", points: ideal, color: "#888888", stroke: .dashed, markers: false))
        }
        for (i, s) in series.enumerated() {
            let f = s.serialFraction.map { String(format: " (f=%.2f)", $0) } ?? ""
            chart.series.append(
                .init(
                    name: s.name + f, points: s.points.map { (Double($0.threads), $0.speedup) },
                    color: SVGLineChart.palette[i % SVGLineChart.palette.count]))
        }
        return chart
    }

    /// Samples/s against mini-batch size (log–log), one line per network × thread count:
    /// solid at all cores, dashed at 1 thread, dotted otherwise.
    package func throughputChart() -> SVGLineChart {
        var chart = SVGLineChart(
            title: "ShardNet training throughput", xLabel: "mini-batch size m",
            yLabel: "samples/s (median, log scale)")
        chart.subtitle = "\(cores) cores, \(options.shards); solid: T = cores, dashed: T = 1, dotted: other T"
        chart.xLog2 = true
        chart.yLog10 = true
        chart.xTicks = options.batchSizes.sorted().map(Double.init)
        let threads = Array(Set(points.map(\.threads))).sorted()
        for (i, sizes) in options.networks.enumerated() {
            let name = sizes.map(String.init).joined(separator: "-")
            for t in threads {
                let pts = points.filter { $0.sizes == sizes && $0.threads == t }.sorted { $0.miniBatchSize < $1.miniBatchSize }
                guard !pts.isEmpty else { continue }
                chart.series.append(
                    .init(
                        name: "\(name) T=\(t)",
                        points: pts.map { (Double($0.miniBatchSize), $0.samplesPerSecond.median) },
                        color: SVGLineChart.palette[i % SVGLineChart.palette.count],
                        stroke: t == cores ? .solid : (t == 1 ? .dashed : .dotted)))
            }
        }
        return chart
    }

    /// Writes scaling.txt (the table), scaling.csv, scaling.json, speedup.svg and
    /// throughput.svg into `directory` (created if needed); returns the paths written.
    @discardableResult
    package func write(to directory: String) throws -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ShardNetError.io(path: directory, reason: "cannot create the output folder: \(error.localizedDescription)")
        }
        let files: [(String, Data)] = [
            ("scaling.txt", Data(table().utf8)),
            ("scaling.csv", Data(csv().utf8)),
            ("scaling.json", try json()),
            ("speedup.svg", Data(speedupChart().render().utf8)),
            ("throughput.svg", Data(throughputChart().render().utf8)),
        ]
        var written: [String] = []
        for (name, data) in files {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                try data.write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw ShardNetError.io(path: path, reason: "cannot write: \(error.localizedDescription)")
            }
            written.append(path)
        }
        return written
    }
}
