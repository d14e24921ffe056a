import Foundation
import Outcomes
import TestSupport
@testable import Reports
import Specs
import Tracking
import XCTest

/// Under `selection.tune_seeds`, a cell's value is chosen on its tuning seeds' validation alone, and its figures are
/// over every seed at that value; the notebook says so.
final class TuningSeedsSelectionTests: XCTestCase {
    func table(_ selection: String) throws -> (ComparisonTable, String) {
        let path = try temporaryFolder("tlab-tuning").appendingPathComponent("tuning.yaml")
        try Data("""
        experiment: {id: tuning}
        data: {datasets: [mr]}
        model: {kind: trivial}
        arms: {a: {}}
        sweep: {seed: [1, 2, 3, 4], train.learning_rate: [0.1, 0.2]}
        selection: \(selection)
        """.utf8).write(to: path)
        let spec = try SpecLoader.load(path.path)
        var runs: [RunRecord] = []
        for (i, planned) in try Expansion.runs(spec).enumerated() {
            // Seeds 1–2 find 0.1 best on validation; seeds 3–4 (as if run before the protocol) find 0.2 much better.
            let rate = planned.sweep["train.learning_rate"]!
            let valid = planned.seed <= 2 ? (rate == "0.1" ? 0.80 : 0.70) : (rate == "0.1" ? 0.60 : 0.95)
            var r = RunRecord(experimentId: "tuning", hash: planned.hash, arm: planned.arm, dataset: planned.dataset, seed: planned.seed, fold: nil,
                              trainingSize: nil, sweepJSON: "{\"train.learning_rate\":\"\(rate)\"}", configJSON: "{}")
            r.id = Int64(i + 1)
            r.status = .finished
            r.resultJSON = RunOutcome(status: .finished, valid: SplitMetrics(["accuracy": valid]),
                                      test: SplitMetrics(["accuracy": valid - 0.05])).json
            runs.append(r)
        }
        let markdown = try Notebook(spec: spec, runs: runs, metrics: [:], context: Notebook.Context(
            command: "tlab report", gitRevision: "abc", database: "t.sqlite", dataLines: [], exportFiles: [])).render().markdown
        return (try ComparisonTable(runs: runs, spec: spec), markdown)
    }

    func testTheTuningSeedsChooseAndEverySeedAtTheChoiceCounts() throws {
        let (tuned, markdown) = try table("{over: [train.learning_rate], tune_seeds: 2}")
        let cell = try XCTUnwrap(tuned.cells.first)
        XCTAssertEqual(cell.chosen, "train.learning_rate=0.1", "seeds 1–2 alone choose")
        XCTAssertEqual(cell.test.n, 4, "every seed at the chosen value")
        XCTAssertEqual(cell.test.mean, (0.75 + 0.75 + 0.55 + 0.55) / 4, accuracy: 1e-12)
        XCTAssertTrue(markdown.contains("chosen on each cell's 2 lowest seeds alone (`selection.tune_seeds`)"), markdown)

        let (pooled, plain) = try table("{over: [train.learning_rate]}")
        XCTAssertEqual(pooled.cells.first?.chosen, "train.learning_rate=0.2", "without it, the mean over every seed chooses")
        XCTAssertFalse(plain.contains("tune_seeds"))
    }
}
