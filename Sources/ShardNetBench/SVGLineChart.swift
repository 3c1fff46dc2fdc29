import Foundation
import ShardNet

/// A small hand-written SVG line chart (no dependencies): axes with ticks and grid, optional
/// log scales, one polyline with markers per series, and a legend on the right.
package struct SVGLineChart: Sendable {
    package enum Stroke: String, Sendable {
        case solid = ""
        case dashed = "6,4"
        case dotted = "2,3"
    }

    package struct Series: Sendable {
        package var name: String
        package var points: [(x: Double, y: Double)]
        package var color: String
        package var stroke: Stroke
        package var markers: Bool

        package init(name: String, points: [(x: Double, y: Double)], color: String, stroke: Stroke = .solid, markers: Bool = true) {
            self.name = name
            self.points = points
            self.color = color
            self.stroke = stroke
            self.markers = markers
        }
    }

    package var title: String
    package var subtitle: String = ""
    package var xLabel: String
    package var yLabel: String
    /// Log₂ x axis (batch sizes); ticks at `xTicks` or at the data's x values.
    package var xLog2 = false
    /// Log₁₀ y axis.
    package var yLog10 = false
    /// x values to label; nil: every distinct x of the data.
    package var xTicks: [Double]?
    /// Force the y range to include these values (e.g. 0).
    package var yInclude: [Double] = []
    package var series: [Series] = []
    package var width = 960.0
    package var height = 600.0

    /// A qualitative palette (Tableau 10 and two more).
    package static let palette = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1b9e77", "#7570b3",
    ]

    package init(title: String, xLabel: String, yLabel: String) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// The chart as a standalone SVG document.
    package func render() -> String {
        let left = 80.0, top = 60.0, legendWidth = 250.0, bottom = 60.0
        let plotW = width - left - legendWidth - 20, plotH = height - top - bottom
        let allPoints = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite && (!yLog10 || $0.y > 0) && (!xLog2 || $0.x > 0) }
        var xs = allPoints.map(\.x), ys = allPoints.map(\.y) + yInclude
        if xs.isEmpty { xs = [1] }
        if ys.isEmpty { ys = [1] }
        func fx(_ x: Double) -> Double { xLog2 ? log2(x) : x }
        func fy(_ y: Double) -> Double { yLog10 ? log10(y) : y }
        var x0 = fx(xs.min()!), x1 = fx(xs.max()!)
        if x1 - x0 < 1e-9 { x0 -= 1; x1 += 1 }
        let xPad = (x1 - x0) * 0.04
        x0 -= xPad; x1 += xPad
        var y0 = fy(ys.min()!), y1 = fy(ys.max()!)
        let yTickValues: [Double]
        if yLog10 {
            y0 = floor(y0 * 2) / 2 - 0.05; y1 = ceil(y1 * 2) / 2 + 0.05
            var t: [Double] = []
            var decade = pow(10, floor(y0))
            while log10(decade) <= y1 {
                for m in [1.0, 2.0, 5.0] where log10(decade * m) >= y0 && log10(decade * m) <= y1 { t.append(decade * m) }
                decade *= 10
            }
            yTickValues = t
        } else {
            if y1 - y0 < 1e-9 { y1 = y0 + 1 }
            let step = Self.niceStep((y1 - y0) / 6)
            y0 = floor(y0 / step) * step
            y1 = ceil(y1 / step) * step
            yTickValues = stride(from: y0, through: y1 + step * 1e-6, by: step).map { $0 }
        }
        func px(_ x: Double) -> Double { left + (fx(x) - x0) / (x1 - x0) * plotW }
        func py(_ y: Double) -> Double { top + plotH - (fy(y) - y0) / (y1 - y0) * plotH }

        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="24" font-size="16" font-weight="bold">\(Self.escape(title))</text>
            <text x="\(left)" y="42" fill="#555">\(Self.escape(subtitle))</text>

            """
        // Grid and ticks.
        let xTickValues = xTicks ?? Array(Set(xs)).sorted()
        for x in xTickValues {
            let X = Self.f(px(x))
            s += "<line x1=\"\(X)\" y1=\"\(Self.f(top))\" x2=\"\(X)\" y2=\"\(Self.f(top + plotH))\" stroke=\"#e5e5e5\"/>\n"
            s += "<text x=\"\(X)\" y=\"\(Self.f(top + plotH + 18))\" text-anchor=\"middle\">\(Self.label(x))</text>\n"
        }
        for y in yTickValues {
            let Y = Self.f(py(y))
            s += "<line x1=\"\(Self.f(left))\" y1=\"\(Y)\" x2=\"\(Self.f(left + plotW))\" y2=\"\(Y)\" stroke=\"#e5e5e5\"/>\n"
            s += "<text x=\"\(Self.f(left - 8))\" y=\"\(Self.f(py(y) + 4))\" text-anchor=\"end\">\(Self.label(y))</text>\n"
        }
        s +=
            "<rect x=\"\(Self.f(left))\" y=\"\(Self.f(top))\" width=\"\(Self.f(plotW))\" height=\"\(Self.f(plotH))\" fill=\"none\" stroke=\"#333\"/>\n"
        s += "<text x=\"\(Self.f(left + plotW / 2))\" y=\"\(Self.f(height - 16))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        s += "<text transform=\"translate(20,\(Self.f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        // Series.
        for line in series {
            let pts = line.points.filter { $0.x.isFinite && $0.y.isFinite && (!yLog10 || $0.y > 0) && (!xLog2 || $0.x > 0) }
            guard !pts.isEmpty else { continue }
            let path = pts.map { "\(Self.f(px($0.x))),\(Self.f(py($0.y)))" }.joined(separator: " ")
            let dash = line.stroke == .solid ? "" : " stroke-dasharray=\"\(line.stroke.rawValue)\""
            s +=
                "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\"\(dash)><title>\(Self.escape(line.name))</title></polyline>\n"
            if line.markers {
                for p in pts {
                    s +=
                        "<circle cx=\"\(Self.f(px(p.x)))\" cy=\"\(Self.f(py(p.y)))\" r=\"3\" fill=\"\(line.color)\"><title>\(Self.escape(line.name)): \(Self.label(p.x)), \(Self.label(p.y))</title></circle>\n"
                }
            }
        }
        // Legend.
        let lx = left + plotW + 20
        for (i, line) in series.enumerated() {
            let ly = top + 8 + Double(i) * 18
            let dash = line.stroke == .solid ? "" : " stroke-dasharray=\"\(line.stroke.rawValue)\""
            s +=
                "<line x1=\"\(Self.f(lx))\" y1=\"\(Self.f(ly))\" x2=\"\(Self.f(lx + 28))\" y2=\"\(Self.f(ly))\" stroke=\"\(line.color)\" stroke-width=\"2\"\(dash)/>\n"
            s += "<text x=\"\(Self.f(lx + 34))\" y=\"\(Self.f(ly + 4))\">\(Self.escape(line.name))</text>\n"
        }
        s += "</svg>\n"
        return s
    }

    /// 1, 2 or 5 × 10ᵏ, the smallest not below `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0 && raw.isFinite else { return 1 }
        let decade = pow(10, floor(log10(raw)))
        for m in [1.0, 2.0, 2.5, 5.0, 10.0] where decade * m >= raw { return decade * m }
        return decade * 10
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Compact number: 12, 0.25, 3.5k, 1.2M.
    static func label(_ v: Double) -> String {
        let a = abs(v)
        if a >= 1e6 { return String(format: "%gM", (v / 1e6 * 100).rounded() / 100) }
        if a >= 1e4 { return String(format: "%gk", (v / 1e3 * 10).rounded() / 10) }
        if a == a.rounded() { return String(format: "%.0f", v) }
        return String(format: "%g", (v * 1000).rounded() / 1000)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
