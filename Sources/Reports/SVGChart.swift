import Foundation

/// A small line chart written as SVG (no dependencies): one polyline with markers per series (a
/// series of one point is a marker alone, which makes a scatter plot of one-point series), optional
/// error bars, ticks at round values (Heckbert 1990, "Nice numbers for graph labels") and, on a
/// logarithmic x axis with few distinct values, at the values themselves (e.g. training-set sizes).
public struct SVGChart {
    public struct Series {
        public let name: String
        public let points: [(x: Double, y: Double)]
        /// Each point's error bar, drawn this far above and below it (in the order of `points`); nil: none.
        public let errors: [Double]?
        /// Index into the palette, so one arm keeps its colour across plots; nil: the series' position.
        public let color: Int?
        public init(name: String, points: [(x: Double, y: Double)], errors: [Double]? = nil, color: Int? = nil) {
            precondition(errors.map { $0.count == points.count } ?? true, "one error bar per point")
            self.name = name; self.points = points; self.errors = errors; self.color = color
        }
    }
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var logX = false
    public var series: [Series]

    public init(title: String, xLabel: String, yLabel: String, logX: Bool = false, series: [Series]) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.logX = logX; self.series = series
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// A series' drawable points with their error bars (0 for none), in order of x.
    private func drawable(_ s: Series) -> [(x: Double, y: Double, error: Double)] {
        zip(s.points, s.errors ?? Array(repeating: 0, count: s.points.count))
            .map { (x: $0.x, y: $0.y, error: $1.isFinite ? abs($1) : 0) }
            .filter { $0.x.isFinite && $0.y.isFinite && (!logX || $0.x > 0) }
            .sorted { $0.x < $1.x }
    }

    public func render(width: Double = 640, height: Double = 400) -> String {
        let drawn = series.map(drawable)
        let points = drawn.flatMap { $0 }
        let longest = Double(series.map(\.name.count).max() ?? 0)
        let (left, right, top, bottom) = (64.0, max(150.0, 36 + 8 * longest), 36.0, 48.0)  // the legend fits beside the plot
        func tx(_ x: Double) -> Double { logX ? log10(x) : x }
        let xs = points.map { tx($0.x) }
        var (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1)
        var (y0, y1) = (points.map { $0.y - $0.error }.min() ?? 0, points.map { $0.y + $0.error }.max() ?? 1)
        if x0 == x1 { x0 -= 1; x1 += 1 }
        if y0 == y1 { y0 -= 0.05; y1 += 0.05 }
        let pad = (y1 - y0) * 0.08
        y0 -= pad; y1 += pad
        if !logX { let xPad = (x1 - x0) * 0.04; x0 -= xPad; x1 += xPad }  // markers off the axes
        func px(_ x: Double) -> Double { left + (tx(x) - x0) / (x1 - x0) * (width - left - right) }
        func py(_ y: Double) -> Double { height - bottom - (y - y0) / (y1 - y0) * (height - top - bottom) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(Int(width / 2))" y="20" text-anchor="middle" font-size="14">\(escape(title))</text>

        """
        // Grid and ticks first, so the axes and the data are drawn over them.
        let (yTicks, yDecimals) = Self.niceTicks(y0, y1)
        for y in yTicks {
            svg += "<line class=\"grid\" x1=\"\(left)\" y1=\"\(f(py(y)))\" x2=\"\(width - right)\" y2=\"\(f(py(y)))\" stroke=\"#e5e5e5\"/>\n"
            svg += "<text class=\"ytick\" x=\"\(left - 6)\" y=\"\(f(py(y) + 4))\" text-anchor=\"end\">\(Self.label(y, decimals: yDecimals))</text>\n"
        }
        var lastLabel = -Double.infinity
        for x in xTicks(x0, x1, data: points.map(\.x)) where px(x.value) - lastLabel >= 40 {  // labels never overlap
            svg += "<text class=\"xtick\" x=\"\(f(px(x.value)))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(Self.label(x.value, decimals: x.decimals))</text>\n"
            lastLabel = px(x.value)
        }
        svg += """
        <line x1="\(left)" y1="\(height - bottom)" x2="\(width - right)" y2="\(height - bottom)" stroke="black"/>
        <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(height - bottom)" stroke="black"/>
        <text x="\(Int((left + width - right) / 2))" y="\(Int(height - 12))" text-anchor="middle">\(escape(xLabel))</text>
        <text transform="translate(16,\(Int(height / 2))) rotate(-90)" text-anchor="middle">\(escape(yLabel))</text>

        """
        for (index, (s, valid)) in zip(series, drawn).enumerated() {
            let color = Self.palette[(s.color ?? index) % Self.palette.count]
            let path = valid.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            if valid.count > 1 { svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path)\"/>\n" }
            for p in valid where p.error > 0 {
                let (x, low, high) = (f(px(p.x)), f(py(p.y - p.error)), f(py(p.y + p.error)))
                let (capLeft, capRight) = (f(px(p.x) - 4), f(px(p.x) + 4))
                svg += "<path class=\"error\" d=\"M\(x),\(low)V\(high)M\(capLeft),\(low)H\(capRight)M\(capLeft),\(high)H\(capRight)\" stroke=\"\(color)\" fill=\"none\"/>\n"
            }
            for p in valid { svg += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"3\" fill=\"\(color)\"/>\n" }
            svg += "<circle class=\"legend\" cx=\"\(width - right + 12)\" cy=\"\(top + 16 * Double(index + 1) - 4)\" r=\"3\" fill=\"\(color)\"/>\n"
            svg += "<text x=\"\(width - right + 20)\" y=\"\(top + 16 * Double(index + 1))\" fill=\"\(color)\">\(escape(s.name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// The x axis' ticks (values in data units) between `x0` and `x1` (axis units: log10 on a log axis): round
    /// values, or on a log axis the data's own values where there are at most eight of them, else 1-2-5 per decade.
    private func xTicks(_ x0: Double, _ x1: Double, data: [Double]) -> [(value: Double, decimals: Int)] {
        guard logX else { let (ticks, decimals) = Self.niceTicks(x0, x1); return ticks.map { ($0, decimals) } }
        let distinct = Array(Set(data)).sorted()
        if !distinct.isEmpty && distinct.count <= 8 { return distinct.map { ($0, Self.decimals(of: $0)) } }
        var ticks: [(Double, Int)] = []
        for decade in Int(floor(x0))...Int(ceil(x1)) {
            for m in [1.0, 2, 5] {
                let v = m * pow(10, Double(decade))
                if log10(v) >= x0 - 1e-9 && log10(v) <= x1 + 1e-9 { ticks.append((v, max(0, -decade))) }
            }
        }
        return ticks
    }

    /// Round ticks within [lo, hi], and the decimals their labels need: the step of 1, 2 or 5 × 10^k whose
    /// number of steps over the range is nearest `count`.
    static func niceTicks(_ lo: Double, _ hi: Double, count: Int = 5) -> (ticks: [Double], decimals: Int) {
        guard hi > lo, lo.isFinite, hi.isFinite else { return ([], 0) }
        let unit = pow(10, floor(log10((hi - lo) / Double(count))))
        let step = [1.0, 2, 5, 10].map { $0 * unit }.min { abs((hi - lo) / $0 - Double(count)) < abs((hi - lo) / $1 - Double(count)) }!
        let first = ceil(lo / step - 1e-9)
        let ticks = stride(from: first, through: floor(hi / step + 1e-9), by: 1).map { $0 * step }
        return (ticks, max(0, -Int(floor(log10(step) + 1e-9))))
    }

    /// Decimals a value needs to be written exactly (up to six).
    static func decimals(of v: Double) -> Int {
        (0...6).first { d in abs(v * pow(10, Double(d)) - (v * pow(10, Double(d))).rounded()) < 1e-6 * max(1, abs(v) * pow(10, Double(d))) } ?? 6
    }

    /// A tick label: fixed decimals, thousands grouped by commas ("26,700", "0.003").
    static func label(_ v: Double, decimals: Int) -> String {
        let text = String(format: "%.\(decimals)f", abs(v) < 1e-12 ? 0 : v)
        let sign = text.hasPrefix("-") ? "-" : ""
        let digits = sign.isEmpty ? Substring(text) : text.dropFirst()
        let parts = digits.split(separator: ".", maxSplits: 1)
        var whole = String(parts[0])
        var grouped = ""
        while whole.count > 3 { grouped = "," + whole.suffix(3) + grouped; whole = String(whole.dropLast(3)) }
        return sign + whole + grouped + (parts.count > 1 ? "." + parts[1] : "")
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
