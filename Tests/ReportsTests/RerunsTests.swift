import Foundation
import TestSupport
@testable import Reports
import Specs
@testable import Tracking
import XCTest

/// Runs queued to run again (`tlab requeue`) that ended again: the notebook sets their earlier and
/// new results side by side, with the seed-to-seed spread of the same cells for scale.
final class RerunsTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try temporaryFolder("tlab-reruns")
    }

    func result(_ test: Double) -> String {
        "{\"valid\":{\"accuracy\":0.5,\"macroF1\":0.5,\"loss\":0.5},\"test\":{\"accuracy\":\(test),\"macroF1\":\(test),\"loss\":0.5}}"
    }

    /// Arms `new` and `old` on `mr` at 100 examples, seeds 1–3; `new`'s runs were made again, their
    /// earlier results 70 / 72 / 74 % and new ones 71 / 74 / 73 % (seed 3's earlier result diverged
    /// in the variant that says so).
    func notebook(earlierStatus: RunStatus = .finished, withEarlier: Bool = true, only seeds: Int = 3) throws -> String {
        let path = folder.appendingPathComponent("reruns.yaml")
        try Data("""
        experiment: {id: reruns}
        data: {datasets: [mr], training_sizes: [100]}
        model: {kind: kim-cnn}
        arms: {new: {}, old: {}}
        sweep: {seed: \(Array(1...seeds))}
        report: {baseline: old}
        """.utf8).write(to: path)
        let spec = try SpecLoader.load(path.path)
        var id: Int64 = 0
        var earlierResults: [Int64: [ResultsStore.EarlierResult]] = [:]
        let runs = try Expansion.runs(spec).map { planned -> RunRecord in
            id += 1
            var r = RunRecord(experimentId: "reruns", hash: planned.hash, arm: planned.arm, dataset: planned.dataset, seed: planned.seed,
                              fold: nil, trainingSize: planned.trainingSize, sweepJSON: "{}", configJSON: "{}")
            r.id = id
            r.status = .finished
            r.blasCore = "Zen"
            r.gitRevision = "bbbbbbbbbbbb"
            let seed = planned.seed
            r.resultJSON = result(planned.arm == "new" ? [0.71, 0.74, 0.73][seed - 1] : 0.6)
            if planned.arm == "new" && withEarlier {
                let earlier = ResultsStore.EarlierResult(
                    reason: "another LM", status: seed == 3 ? earlierStatus : .finished, attempts: 1, startedAt: nil,
                    finishedAt: Date(timeIntervalSince1970: 1_000), host: "old-vm", gitRevision: "aaaaaaaaaaaa", blasCore: "Cooperlake", threads: 1,
                    resultJSON: result([0.70, 0.72, 0.74][seed - 1]), error: nil, metrics: [], events: [])
                earlierResults[id] = [earlier]
            }
            return r
        }
        return try Notebook(spec: spec, runs: runs, metrics: [:], context: Notebook.Context(
            command: "tlab report reruns.yaml", gitRevision: "abc", database: "r.sqlite", dataLines: [], exportFiles: []),
                        earlier: earlierResults).render().markdown
    }

    func testEarlierAndNewResultsSideBySideWithTheSeedSpreadForScale() throws {
        let md = try notebook()
        XCTAssertTrue(md.contains("## Runs made again\n\n3 runs were queued to run again and ended again (why: “another LM”). "), md)
        XCTAssertTrue(md.contains("| 1 | new | mr | 100 | 1 | 70.0 (Cooperlake, `aaaaaaa`) | 71.0 (Zen, `bbbbbbb`) | +1.0 |\n"), md)
        XCTAssertTrue(md.contains("| 2 | new | mr | 100 | 2 | 72.0 (Cooperlake, `aaaaaaa`) | 74.0 (Zen, `bbbbbbb`) | +2.0 |\n"), md)
        XCTAssertTrue(md.contains("| 3 | new | mr | 100 | 3 | 74.0 (Cooperlake, `aaaaaaa`) | 73.0 (Zen, `bbbbbbb`) | -1.0 |\n"), md)
        // Differences +1, +2, −1: mean 0.67, sd 1.53, mean |d| 1.33; t = 0.756 on 2 df → p = 1 − t/√(t² + 2) = 0.529.
        // The new runs' own spread over seeds (71, 74, 73): sd 1.53.
        XCTAssertTrue(md.contains("Over the 3 runs: new − earlier +0.7 ± 1.5 points (mean ± standard deviation), mean absolute difference 1.3 (paired t-test: p = 0.529). "
                                  + "For scale, the seed-to-seed standard deviation of the same arms, datasets and sizes: 1.5 points on average (1 cell of two seeds or more)."), md)
        XCTAssertLessThan(md.range(of: "## Runs made again")!.lowerBound, md.range(of: "## Runs that did not finish")!.lowerBound)
    }

    func testAnEarlierResultThatDidNotFinishIsNotCompared() throws {
        let md = try notebook(earlierStatus: .diverged)
        XCTAssertTrue(md.contains("2 runs were queued to run again and ended again"), md)
        XCTAssertFalse(md.contains("| 3 | new | mr | 100 | 3 |"), md)
    }

    func testOneRunMadeAgainHasNoSpread() throws {
        let md = try notebook(only: 1)
        XCTAssertTrue(md.contains("\nOne run so far: new − earlier +1.0 points. (No cell of these runs has two seeds yet, to set the seed-to-seed spread beside it.)"), md)
    }

    func testNoSectionWithoutRunsMadeAgain() throws {
        XCTAssertFalse(try notebook(withEarlier: false).contains("## Runs made again"))
    }
}
