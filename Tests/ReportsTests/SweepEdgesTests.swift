import Foundation
import Outcomes
import TestSupport
@testable import Reports
import Specs
import Tracking
import XCTest

/// A chosen value at its sweep's edge is reported per arm: a better one may lie beyond the grid.
final class SweepEdgesTests: XCTestCase {
    func testEachArmsChosenValueIsPlacedInItsGrid() throws {
        let path = try temporaryFolder("tlab-edges").appendingPathComponent("edges.yaml")
        try Data("""
        experiment: {id: edges}
        data: {datasets: [mr, trec]}
        model: {kind: trivial}
        arms: {high: {}, middle: {}, low: {}, fixed: {sweep: {train.learning_rate: [0.3]}}}
        sweep: {seed: [1, 2], train.learning_rate: [0.1, 0.3, 1.0]}
        selection: {over: [train.learning_rate]}
        """.utf8).write(to: path)
        let spec = try SpecLoader.load(path.path)
        let best = ["high": "1.0", "middle": "0.3", "low": "0.1"]
        var runs: [RunRecord] = []
        for (i, planned) in try Expansion.runs(spec).enumerated() {
            let rate = planned.sweep["train.learning_rate"]!
            // `high` is best at the largest rate on mr but inside the grid on trec.
            let peak = planned.arm == "high" && planned.dataset == "trec" ? "0.3" : best[planned.arm] ?? "0.3"
            let valid = rate == peak ? 0.9 : 0.6
            var r = RunRecord(experimentId: "edges", hash: planned.hash, arm: planned.arm, dataset: planned.dataset, seed: planned.seed, fold: nil,
                              trainingSize: nil, sweepJSON: "{\"train.learning_rate\":\"\(rate)\"}", configJSON: "{}")
            r.id = Int64(i + 1)
            r.status = .finished
            r.resultJSON = RunOutcome(status: .finished, valid: SplitMetrics(["accuracy": valid]), test: SplitMetrics(["accuracy": valid])).json
            runs.append(r)
        }
        let table = try ComparisonTable(runs: runs, spec: spec)
        func position(_ arm: String, _ dataset: String) -> Cell.SweepPosition? {
            table.cells.first { $0.arm == arm && $0.dataset == dataset }?.sweepPosition
        }
        XCTAssertEqual(position("high", "mr"), .largest)
        XCTAssertEqual(position("high", "trec"), .inside)
        XCTAssertEqual(position("middle", "mr"), .inside)
        XCTAssertEqual(position("low", "trec"), .smallest)
        XCTAssertNil(position("fixed", "mr"), "one value tried: no edge to speak of")

        let markdown = try Notebook(spec: spec, runs: runs, metrics: [:], context: Notebook.Context(
            command: "tlab report", gitRevision: "abc", database: "t.sqlite", dataLines: [], exportFiles: [])).render().markdown
        XCTAssertTrue(markdown.contains("| arm | values tried | cells | at the smallest | inside | at the largest |"), markdown)
        XCTAssertTrue(markdown.contains("| high | train.learning_rate: 0.1, 0.3, 1.0 | 2 | 0 | 1 | 1 |"), markdown)
        XCTAssertTrue(markdown.contains("| middle | train.learning_rate: 0.1, 0.3, 1.0 | 2 | 0 | 2 | 0 |"), markdown)
        XCTAssertTrue(markdown.contains("| low | train.learning_rate: 0.1, 0.3, 1.0 | 2 | 2 ⚠ | 0 | 0 |"), markdown)
        let edges = try XCTUnwrap(markdown.range(of: "| arm | values tried |")).lowerBound
        XCTAssertFalse(markdown[edges...].prefix { $0 != "#" }.contains("| fixed |"), "one value tried: no row")
    }

    func testAValueWithoutANumberHasNoPlace() {
        let cell = Cell(dataset: "mr", arm: "a", group: "", chosen: "model.kind=cnn", candidates: ["model.kind=cnn", "model.kind=lstm"], validMean: 0.5,
                        test: Statistics.summary([0.5]), paper: nil, diverged: 0, failed: 0, byUnit: [:], testTrainRatio: nil, runIDs: [])
        XCTAssertNil(cell.sweepPosition)
    }
}
