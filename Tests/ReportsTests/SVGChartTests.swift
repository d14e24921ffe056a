import Foundation
@testable import Reports
import XCTest

/// The notebooks' SVG charts: round tick values, the data's own values on a log axis with few of them,
/// and error bars that the plot's range holds.
final class SVGChartTests: XCTestCase {
    func testTicksAreRoundStepsOfOneTwoOrFive() {
        XCTAssertEqual(SVGChart.niceTicks(45.4, 75.5).ticks, [50, 55, 60, 65, 70, 75], "range 30.1: 6.02 steps of 5, 3.01 of 10")
        XCTAssertEqual(SVGChart.niceTicks(45.4, 75.5).decimals, 0)
        let small = SVGChart.niceTicks(0.18, 0.72)  // range 0.54: 5.4 steps of 0.1, 2.7 of 0.2
        XCTAssertEqual(small.ticks.count, 6)
        for (tick, expected) in zip(small.ticks, [0.2, 0.3, 0.4, 0.5, 0.6, 0.7]) { XCTAssertEqual(tick, expected, accuracy: 1e-12) }
        XCTAssertEqual(small.decimals, 1)
        XCTAssertEqual(SVGChart.niceTicks(37.6, 72.4).ticks, [40, 50, 60, 70], "range 34.8: 3.48 steps of 10, 6.96 of 5")
        XCTAssertEqual(SVGChart.niceTicks(0, 10).ticks, [0, 2, 4, 6, 8, 10], "ends on a tick are kept")
        XCTAssertTrue(SVGChart.niceTicks(1, 1).ticks.isEmpty)
    }

    func testLabelsGroupThousandsAndKeepTheirDecimals() {
        XCTAssertEqual(SVGChart.label(26_710, decimals: 0), "26,710")
        XCTAssertEqual(SVGChart.label(-1_234.5, decimals: 1), "-1,234.5")
        XCTAssertEqual(SVGChart.label(0.003, decimals: 3), "0.003")
        XCTAssertEqual(SVGChart.label(300, decimals: 0), "300")
        XCTAssertEqual(SVGChart.decimals(of: 0.003), 3)
        XCTAssertEqual(SVGChart.decimals(of: 1_000), 0)
    }

    /// Elements of one class in the SVG, as their text.
    func elements(_ svg: String, _ tag: String, class name: String) -> [String] {
        svg.components(separatedBy: "\n").filter { $0.hasPrefix("<\(tag) class=\"\(name)\"") }
    }

    func testALogAxisWithFewValuesIsLabelledAtThemAndErrorBarsStayInsideThePlot() throws {
        let chart = SVGChart(title: "sizes", xLabel: "examples", yLabel: "accuracy", logX: true, series: [
            .init(name: "a", points: [(100, 50), (300, 55), (1000, 60), (26_710, 70)], errors: [2, 0, 1.5, 0]),
            .init(name: "b", points: [(100, 40), (1000, 62)]),
        ])
        let svg = chart.render(width: 640, height: 400)
        let xLabels = elements(svg, "text", class: "xtick").map { $0.components(separatedBy: ">")[1].components(separatedBy: "<")[0] }
        XCTAssertEqual(xLabels, ["100", "300", "1,000", "26,710"])
        let errors = elements(svg, "path", class: "error")
        XCTAssertEqual(errors.count, 2, "a bar for each point with a spread, none for series without errors")
        // Every y coordinate of a bar (after M x,y and V) lies between the plot's top (36) and its x axis (400 − 48).
        let coordinate = try NSRegularExpression(pattern: "(?:M[0-9.]+,|V)([0-9.]+)")
        for bar in errors {
            let ys = coordinate.matches(in: bar, range: NSRange(bar.startIndex..., in: bar))
                .map { Double(bar[Range($0.range(at: 1), in: bar)!])! }
            XCTAssertEqual(ys.count, 4, bar)  // the bar's two ends, and each cap's
            for y in ys { XCTAssertTrue((36...352).contains(y), "\(y) outside the plot: \(bar)") }
        }
        // The y ticks are round, within the data's range with its bars (40 to 70, padded by 8%: 37.6 to 72.4).
        let yLabels = elements(svg, "text", class: "ytick").map { $0.components(separatedBy: ">")[1].components(separatedBy: "<")[0] }
        XCTAssertEqual(yLabels, ["40", "50", "60", "70"])
    }

    func testALogAxisWithManyValuesIsLabelledOneTwoFivePerDecade() {
        let rates = [0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1]
        let chart = SVGChart(title: "rates", xLabel: "lr", yLabel: "acc", logX: true,
                             series: [.init(name: "a", points: rates.map { ($0, 1 - $0) })])
        let xLabels = elements(chart.render(), "text", class: "xtick").map { $0.components(separatedBy: ">")[1].components(separatedBy: "<")[0] }
        XCTAssertEqual(xLabels, ["0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1"])
    }
}
