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

    /// Nadeau & Bengio's corrected resampled t-test and interval, against scipy 1.17.1
    /// (`t = mean / (std·sqrt(1/J + r))`, `2·t.sf(|t|, J − 1)`, `t.ppf(0.975, J − 1)·std·sqrt(1/J + r)`).
    func testCorrectedResampledTTestAndInterval() throws {
        let d = [0.012, -0.004, 0.020, 0.007, 0.015, -0.002, 0.010, 0.009, 0.001, 0.013]
        let corrected = try XCTUnwrap(Statistics.correctedResampledTTest(d, testTrainRatio: 400.0 / 3240))
        XCTAssertEqual(corrected.n, 10)
        XCTAssertEqual(corrected.meanDifference, 0.0081, accuracy: 1e-12)
        XCTAssertEqual(corrected.t, 2.226827805263771, accuracy: 1e-9)
        XCTAssertEqual(corrected.p, 0.052970402478054075, accuracy: 1e-9)
        // The plain test on the same differences (scipy ttest_1samp: t 3.3288, p 0.0088) calls it significant.
        XCTAssertEqual(try XCTUnwrap(Statistics.pairedTTest(d, [Double](repeating: 0, count: d.count))).p, 0.00881636985926585, accuracy: 1e-9)
        // With no overlap (ratio 0) it is the plain test.
        XCTAssertEqual(try XCTUnwrap(Statistics.correctedResampledTTest(d, testTrainRatio: 0)).p, 0.00881636985926585, accuracy: 1e-9)
        XCTAssertNil(Statistics.correctedResampledTTest([0.1], testTrainRatio: 0.1))
        let x = [0.71, 0.69, 0.73, 0.70, 0.72, 0.74, 0.68, 0.70, 0.71, 0.72]
        XCTAssertEqual(try XCTUnwrap(Statistics.correctedResampledCI95(x, testTrainRatio: 1.0 / 9)), 0.018976568939653625, accuracy: 1e-9)
        XCTAssertNil(Statistics.correctedResampledCI95([0.7], testTrainRatio: 0.1))
    }
}
