import Foundation
import TestSupport
import Specs
import XCTest

/// `selection.tune_seeds`: a cell's tuning seeds run at every value; its later seeds wait until those end, then run at
/// the value the tuning seeds' validation chose, per cell.
final class SeedStagingTests: XCTestCase {
    func spec(_ selection: String) throws -> [PlannedRun] {
        let path = try temporaryFolder("tlab-staging").appendingPathComponent("s.yaml")
        try Data("""
        experiment: {id: staged}
        data: {datasets: [mr-sentences, bbc-news]}
        model: {kind: trivial}
        arms: {a: {}, b: {}, fixed: {sweep: {model.score: [0.5]}}}
        sweep: {seed: [5, 1, 3, 2], model.score: [0.1, 0.2, 0.3]}
        selection: \(selection)
        """.utf8).write(to: path)
        return try Expansion.runs(try SpecLoader.load(path.path))
    }

    func testLaterSeedsWaitThenRunAtTheValueTheTuningSeedsChose() throws {
        let planned = try spec("{over: [model.score], tune_seeds: 2}")
        XCTAssertEqual(planned.count, 2 * 2 * 4 * 3 + 2 * 4)
        let selection = SweepSelection(axes: ["model.score"], metric: "accuracy", tuneSeeds: 2)
        let before = SeedStaging.staged(planned, selection: selection) { _ in .pending }
        XCTAssertEqual(Set(before.runs.filter { $0.arm != "fixed" }.map(\.seed)), [1, 2], "the two lowest seeds, whatever the sweep's order")
        XCTAssertEqual(before.runs.count, 2 * 2 * 2 * 3 + 2 * 4, "an arm with one value has nothing to choose: every seed")
        XCTAssertEqual(before.waiting, 2 * 2 * 2, "seeds 3 and 5 of each cell, one run each")
        XCTAssertEqual(before.tuningCells.count, 4)

        // Validation: in (mr, a) 0.2 is best on seeds 1–2; in (bbc, a) 0.3; (mr, b) has a run still going; every run of
        // (bbc, b) diverged, which leaves no choice: its later seeds run at every value.
        func valid(_ run: PlannedRun) -> SeedStaging.Result {
            let score = run.sweep["model.score"]!
            switch (run.dataset, run.arm) {
            case ("mr-sentences", "a"): return .ended(valid: score == "0.2" ? 0.9 : 0.5 + Double(run.seed) / 100)
            case ("bbc-news", "a"): return .ended(valid: Double(score)!)
            case ("mr-sentences", "b"): return run.seed == 2 && score == "0.1" ? .pending : .ended(valid: 0.5)
            case ("bbc-news", "b"): return .ended(valid: nil)
            default: return .pending
            }
        }
        let after = SeedStaging.staged(planned, selection: selection, result: valid)
        func later(_ dataset: String, _ arm: String) -> [String] {
            after.runs.filter { $0.dataset == dataset && $0.arm == arm && $0.seed > 2 }.map { "\($0.seed)@\($0.sweep["model.score"]!)" }.sorted()
        }
        XCTAssertEqual(later("mr-sentences", "a"), ["3@0.2", "5@0.2"])
        XCTAssertEqual(later("bbc-news", "a"), ["3@0.3", "5@0.3"])
        XCTAssertEqual(later("mr-sentences", "b"), [], "a tuning run still going")
        XCTAssertEqual(later("bbc-news", "b").count, 2 * 3, "no tuning run finished: every value")
        XCTAssertEqual(after.waiting, 2)
        XCTAssertEqual(after.tuningCells, ["mr-sentences × b"])
        XCTAssertEqual(after.runs.filter { $0.seed <= 2 && $0.arm != "fixed" }.count, 2 * 2 * 2 * 3, "tuning runs stay planned")
    }

    func testALossChoosesItsLowestAndNoTuneSeedsPlansEverything() throws {
        let planned = try spec("{over: [model.score], tune_seeds: 1, metric: valid.loss}")
        let loss = SweepSelection(axes: ["model.score"], metric: "loss", tuneSeeds: 1)
        let staged = SeedStaging.staged(planned, selection: loss) { .ended(valid: Double($0.sweep["model.score"]!)) }
        XCTAssertEqual(Set(staged.runs.filter { $0.seed > 1 && $0.arm != "fixed" }.map { $0.sweep["model.score"]! }), ["0.1"])
        XCTAssertEqual(staged.runs.count, 4 * 3 + 4 * 3 + 2 * 4)
        let all = SeedStaging.staged(planned, selection: SweepSelection(axes: ["model.score"], metric: "loss")) { _ in .pending }
        XCTAssertEqual(all.runs.map(\.hash), planned.map(\.hash))
        XCTAssertEqual(all.waiting, 0)
    }

    func testTuneSeedsNeedsAxesAndACount() throws {
        let folder = try temporaryFolder("tlab-staging")
        for (selection, message) in [("{tune_seeds: 2}", "which the spec does not name"), ("{over: [model.score], tune_seeds: 0}", "1 or more")] {
            let path = folder.appendingPathComponent("bad.yaml")
            try Data("experiment: {id: bad}\ndata: {datasets: [mr-sentences]}\nmodel: {kind: trivial}\nsweep: {model.score: [1, 2]}\nselection: \(selection)\n".utf8).write(to: path)
            XCTAssertThrowsError(try SpecLoader.load(path.path)) { error in
                XCTAssertTrue("\(error)".contains("selection.tune_seeds"), "\(error)")
                XCTAssertTrue("\(error)".contains(message), "\(error)")
                XCTAssertTrue("\(error)".contains("bad.yaml:5"), "names the file and line: \(error)")
            }
        }
    }
}
