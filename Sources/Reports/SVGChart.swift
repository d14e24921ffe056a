import Foundation

/// A small line chart written as SVG (no dependencies): one polyline with markers per series (a
/// series of one point is a marker alone, which makes a scatter plot of one-point series).
public struct SVGChart {
    public struct Series {
        public let name: String
        public let points: [(x: Double, y: Double)]
        /// Index into the palette, so one arm keeps its colour across plots; nil: the series' position.
        public let color: Int?
        public init(name: String, points: [(x: Double, y: Double)], color: Int? = nil) { self.name = name; self.points = points; self.color = color }
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

    public func render(width: Double = 640, height: Double = 400) -> String {
        let points = series.flatMap(\.points).filter { $0.y.isFinite && $0.x.isFinite && (!logX || $0.x > 0) }
        let longest = Double(series.map(\.name.count).max() ?? 0)
        let (left, right, top, bottom) = (64.0, max(150.0, 36 + 8 * longest), 36.0, 48.0)  // the legend fits beside the plot
        func tx(_ x: Double) -> Double { logX ? log10(x) : x }
        let xs = points.map { tx($0.x) }, ys = points.map(\.y)
        var (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1), (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
        if x0 == x1 { x0 -= 1; x1 += 1 }
        if y0 == y1 { y0 -= 0.05; y1 += 0.05 }
        let pad = (y1 - y0) * 0.08
        y0 -= pad; y1 += pad
        if !logX { let xPad = (x1 - x0) * 0.04; x0 -= xPad; x1 += xPad }  // markers off the axes
        func px(_ x: Double) -> Double { left + (tx(x) - x0) / (x1 - x0) * (width - left - right) }
        func py(_ y: Double) -> Double { height - bottom - (y - y0) / (y1 - y0) * (height - top - bottom) }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(Int(width / 2))" y="20" text-anchor="middle" font-size="14">\(escape(title))</text>
        <line x1="\(left)" y1="\(height - bottom)" x2="\(width - right)" y2="\(height - bottom)" stroke="black"/>
        <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(height - bottom)" stroke="black"/>
        <text x="\(Int((left + width - right) / 2))" y="\(Int(height - 12))" text-anchor="middle">\(escape(xLabel))</text>
        <text transform="translate(16,\(Int(height / 2))) rotate(-90)" text-anchor="middle">\(escape(yLabel))</text>

        """
        for i in 0...4 {
            let y = y0 + (y1 - y0) * Double(i) / 4
            svg += "<text x=\"\(left - 6)\" y=\"\(String(format: "%.1f", py(y) + 4))\" text-anchor=\"end\">\(String(format: "%.3f", y))</text>\n"
            let xv = x0 + (x1 - x0) * Double(i) / 4
            let label = logX ? String(format: "%.3g", pow(10, xv)) : String(format: "%.3g", xv)
            svg += "<text x=\"\(String(format: "%.1f", left + (xv - x0) / (x1 - x0) * (width - left - right)))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(label)</text>\n"
        }
        for (index, s) in series.enumerated() {
            let color = Self.palette[(s.color ?? index) % Self.palette.count]
            let valid = s.points.filter { $0.y.isFinite && (!logX || $0.x > 0) }.sorted { $0.x < $1.x }
            let path = valid.map { String(format: "%.1f,%.1f", px($0.x), py($0.y)) }.joined(separator: " ")
            if valid.count > 1 { svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path)\"/>\n" }
            for p in valid { svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%@\"/>\n", px(p.x), py(p.y), color) }
            svg += "<circle class=\"legend\" cx=\"\(width - right + 12)\" cy=\"\(top + 16 * Double(index + 1) - 4)\" r=\"3\" fill=\"\(color)\"/>\n"
            svg += "<text x=\"\(width - right + 20)\" y=\"\(top + 16 * Double(index + 1))\" fill=\"\(color)\">\(escape(s.name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
