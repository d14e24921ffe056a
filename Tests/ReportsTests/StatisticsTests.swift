import Reports
import XCTest

/// Against values computed with scipy.stats 1.17.1 (t.ppf, t.cdf, ttest_rel).
final class StatisticsTests: XCTestCase {
    func testStudentTQuantilesAndCDF() {
        XCTAssertEqual(Statistics.studentTQuantile(0.975, degrees: 1), 12.706204736174694, accuracy: 1e-8)
        XCTAssertEqual(Statistics.studentTQuantile(0.975, degrees: 4), 2.7764451051977934, accuracy: 1e-9)
        XCTAssertEqual(Statistics.studentTQuantile(0.975, degrees: 9), 2.262157162798205, accuracy: 1e-9)
        XCTAssertEqual(Statistics.studentTQuantile(0.975, degrees: 29), 2.045229642132703, accuracy: 1e-9)
        XCTAssertEqual(Statistics.studentTCDF(-1.3, degrees: 7), 0.11738391769618862, accuracy: 1e-12)
        XCTAssertEqual(Statistics.studentTCDF(2.5, degrees: 3), 0.9561466764959672, accuracy: 1e-12)
    }

    func testSummaryAndPairedTTest() {
        let x = [0.71, 0.69, 0.73, 0.70, 0.72], y = [0.70, 0.69, 0.71, 0.68, 0.70]
        let s = Statistics.summary(x)
        XCTAssertEqual(s.n, 5)
        XCTAssertEqual(s.mean, 0.71, accuracy: 1e-12)
        XCTAssertEqual(s.std, (0.001 / 4).squareRoot(), accuracy: 1e-12)  // Σ(x − x̄)² = 0.001
        XCTAssertEqual(s.ci95!, 2.7764451051977934 * s.std / 5.0.squareRoot(), accuracy: 1e-9)
        let t = Statistics.pairedTTest(x, y)!
        XCTAssertEqual(t.t, 3.5000000000000018, accuracy: 1e-9)
        XCTAssertEqual(t.p, 0.02489616346022271, accuracy: 1e-9)
        XCTAssertEqual(t.meanDifference, 0.014, accuracy: 1e-12)
        XCTAssertNil(Statistics.pairedTTest([1], [2]))
        XCTAssertEqual(Statistics.pairedTTest([1, 2], [1, 2])?.p, 1)
        XCTAssertNil(Statistics.summary([3]).ci95)
    }
}
