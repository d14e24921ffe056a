import Foundation
import TestSupport
@testable import Reports
import Specs
import Tracking
import XCTest

/// Under k-fold CV the folds' training sets overlap, so runs are not independent samples: the
/// report averages each fold's differences over seeds and tests the folds' means with Nadeau &
/// Bengio's corrected resampled t-test (and widens the interval the same way); on a hold-out split
/// it keeps the paired t-test over seeds. Expected values from scipy 1.17.1.
final class KFoldSignificanceTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try temporaryFolder("tlab-cv")
    }

    func spec() throws -> LoadedSpec {
        let path = folder.appendingPathComponent("cv.yaml")
        try Data("""
        experiment: {id: cv}
        data: {datasets: [{id: mr, folds: 5}]}
        model: {kind: kim-cnn}
        arms: {new: {}, old: {}}
        sweep: {seed: [1, 2]}
        report:
          baseline: old
          claims: [{claim: new beats old, arm: new, baseline: old, expect: higher}]
        """.utf8).write(to: path)
        return try SpecLoader.load(path.path)
    }

    /// `old` scores 0.70 + 0.01·fold; `new` is above it by 0.01, 0.02, 0.03, 0.00, 0.04 in folds 0–4,
    /// ±0.002 by seed. 100 test and 400 training examples per run: n_test/n_train = 0.25.
    /// `folds: false` records the same runs as a hold-out design (ten seeds, no folds).
    func runs(folds: Bool = true, counts: Bool = true) -> [RunRecord] {
        let margins = [0.01, 0.02, 0.03, 0.00, 0.04]
        var records: [RunRecord] = []
        for arm in ["new", "old"] { for fold in 0..<5 { for seed in 1...2 {
            var r = RunRecord(experimentId: "cv", hash: "\(arm)-\(fold)-\(seed)", arm: arm, dataset: "mr", seed: folds ? seed : 10 * fold + seed,
                              fold: folds ? fold : nil, trainingSize: nil, sweepJSON: "{}", configJSON: "{}")
            r.id = Int64(records.count + 1)
            r.status = .finished
            let test = 0.70 + 0.01 * Double(fold) + (arm == "new" ? margins[fold] + (seed == 1 ? 0.002 : -0.002) : 0)
            let count = counts ? ",\"count\":100" : ""
            r.resultJSON = "{\"valid\":{\"accuracy\":0.5,\"macroF1\":0.5,\"loss\":0.5},\"test\":{\"accuracy\":\(test),\"macroF1\":\(test),\"loss\":0.5\(count)},\"trainExamples\":400}"
            records.append(r)
        } } }
        return records
    }

    func cells(_ runs: [RunRecord]) throws -> (table: ComparisonTable, new: Cell, old: Cell) {
        let table = try ComparisonTable(runs: runs, spec: try spec())
        return (table, try XCTUnwrap(table.cells.first { $0.arm == "new" }), try XCTUnwrap(table.cells.first { $0.arm == "old" }))
    }

    func testFoldsAreTestedWithTheOverlapCorrection() throws {
        let (table, new, old) = try cells(runs())
        XCTAssertEqual(table.crossValidatedDatasets, ["mr"])
        let test = try XCTUnwrap(table.pairedTest(new, against: old))
        XCTAssertEqual(test.n, 5)
        XCTAssertEqual(test.sampleSize, "n = 5 folds")
        XCTAssertEqual(test.meanDifference, 0.02, accuracy: 1e-12)
        XCTAssertEqual(test.t, 1.885618083164127, accuracy: 1e-9)
        XCTAssertEqual(test.p, 0.1324189222202493, accuracy: 1e-9)
        // The cell keeps every run in n, mean and std; its interval is over the folds' seed means
        // (0.71, 0.73, 0.75, 0.73, 0.78), corrected.
        XCTAssertEqual(new.test.n, 10)
        XCTAssertEqual(new.test.mean, 0.74, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(new.test.ci95), 0.049277012267239705, accuracy: 1e-9)

        let markdown = try Notebook(spec: try spec(), runs: runs(), metrics: [:], context: Notebook.Context(
            command: "tlab report cv.yaml", gitRevision: "abc", database: "r.sqlite", dataLines: [], exportFiles: [])).render().markdown
        XCTAssertTrue(markdown.contains("| mr | – | +2.0 (p = 0.132, n = 5 folds) | as claimed, not significant |"), markdown)
        XCTAssertTrue(markdown.contains("the folds' means go to the corrected resampled t-test (Nadeau & Bengio 2003"), markdown)
    }

    /// Results without their test size: the ratio is k-fold's 1/(k − 1), k from the folds seen.
    func testWithoutCountsTheRatioComesFromTheFolds() throws {
        let (table, new, old) = try cells(runs(counts: false))
        XCTAssertEqual(new.testTrainRatio, 0.25)  // 1/(5 − 1), as the sizes give it here
        XCTAssertEqual(try XCTUnwrap(table.pairedTest(new, against: old)).p, 0.1324189222202493, accuracy: 1e-9)
    }

    /// The same numbers as independent hold-out runs: the plain paired t-test over all ten pairs
    /// (scipy ttest_1samp of the differences: t 4.2008, p 0.0023), and the plain interval.
    func testHoldOutRunsKeepThePairedTTest() throws {
        let (table, new, old) = try cells(runs(folds: false))
        XCTAssertEqual(table.crossValidatedDatasets, [])
        let test = try XCTUnwrap(table.pairedTest(new, against: old))
        XCTAssertEqual(test.sampleSize, "n = 10")
        XCTAssertEqual(test.t, 4.20084025208403, accuracy: 1e-9)
        XCTAssertEqual(test.p, 0.002303824605147633, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(new.test.ci95), 0.01790775200380602, accuracy: 1e-9)  // t.ppf(0.975, 9)·std/√10
    }
}
