import Foundation
import Outcomes
import TestSupport
@testable import Reports
import Specs
import Tracking
import XCTest

/// Each validity check behind a verdict fires on a case built to fail it, and stays silent on a sound one; a claim
/// whose setting fails one is "not a fair test" with the numbers, not held or contradicted.
final class ValidityTests: XCTestCase {
    var folder: URL!
    /// Further `report:` lines of the spec.
    var reportLines = ""
    override func setUpWithError() throws { folder = try temporaryFolder("tlab-validity") }

    func spec() throws -> LoadedSpec {
        let path = folder.appendingPathComponent("validity.yaml")
        try Data("""
        experiment: {id: validity}
        data: {datasets: [mr]}
        model: {kind: ulmfit}
        arms: {new: {}, old: {}}
        baselines: {tfidf-lr: {}}
        sweep: {seed: [1, 2, 3, 4]}
        report:
          baseline: old
          claims: [{claim: New beats old, arm: new, baseline: old, expect: higher}]
        \(reportLines)
        """.utf8).write(to: path)
        return try SpecLoader.load(path.path)
    }

    /// How each arm's runs behave: test accuracy by seed, best epoch of epochs trained, losses at the best epoch, forgetting ratio.
    struct Behaviour {
        var test: [Double] = [0.80, 0.81, 0.82, 0.83]
        var best = 3, epochs = 6
        var trainLoss = 0.2, validLoss = 0.4
        var forgetting: Double? = 1.3
        var pretrained = true
        /// Validation accuracy by epoch (1, 2, …), recorded per epoch when given.
        var validCurve: [Double]? = nil
    }

    /// The spec's runs with outcomes and per-epoch losses as `behaviour` says (the baseline: 0.75 on test, majority 0.5).
    func notebook(_ behaviour: [String: Behaviour]) throws -> (Validity, ComparisonTable, String) {
        let spec = try spec()
        var runs: [RunRecord] = [], metrics: [Int64: [MetricRecord]] = [:]
        for (i, planned) in try Expansion.runs(spec).enumerated() {
            let id = Int64(i + 1)
            let model: [String: Any] = ["kind": "ulmfit", "from": "stage:lm", "init": (behaviour[planned.arm]?.pretrained ?? true) ? "pretrained" : "random"]
            var r = RunRecord(experimentId: "validity", hash: planned.hash, arm: planned.arm, dataset: planned.dataset, seed: planned.seed, fold: nil,
                              trainingSize: nil, sweepJSON: "{}", configJSON: String(decoding: try JSONSerialization.data(withJSONObject: ["model": model]), as: UTF8.self))
            r.id = id
            r.status = .finished
            var outcome: RunOutcome
            if planned.arm == "tfidf-lr" {
                outcome = RunOutcome(status: .finished, valid: SplitMetrics(["accuracy": 0.74]), test: SplitMetrics(["accuracy": 0.75, "macroF1": 0.73]), extras: ["majority": 0.5])
            } else {
                guard let b = behaviour[planned.arm] else { continue }  // an arm with no runs (yet)
                outcome = RunOutcome(status: .finished, bestEpoch: b.best, epochs: b.epochs, valid: SplitMetrics(["accuracy": 0.8]),
                                     test: SplitMetrics(["accuracy": b.test[planned.seed - 1], "macroF1": b.test[planned.seed - 1] - 0.05]), extras: b.forgetting.map { ["forgetting_ratio": $0] })
                metrics[id] = [MetricRecord(runId: id, epoch: b.best, split: "train", name: "loss", value: b.trainLoss),
                               MetricRecord(runId: id, epoch: b.best, split: "valid", name: "loss", value: b.validLoss)]
                for (e, accuracy) in (b.validCurve ?? []).enumerated() {
                    metrics[id]!.append(MetricRecord(runId: id, epoch: e + 1, split: "valid", name: "accuracy", value: accuracy))
                }
            }
            r.resultJSON = outcome.json
            runs.append(r)
        }
        let outcomes = try Reports.outcomes(of: runs)
        let table = ComparisonTable(runs: runs, spec: spec, outcomes: outcomes)
        let markdown = try Notebook(spec: spec, runs: runs, metrics: metrics, context: Notebook.Context(
            command: "tlab report", gitRevision: "abc", database: "v.sqlite", dataLines: [], exportFiles: [])).render().markdown
        return (Validity(spec: spec, table: table, outcomes: outcomes, metrics: metrics, runs: runs), table, markdown)
    }

    func problems(_ arm: Behaviour, against old: Behaviour = Behaviour()) throws -> (new: [String], markdown: String) {
        let (validity, table, markdown) = try notebook(["new": arm, "old": old])
        return (validity.problems(of: table.cells.first { $0.arm == "new" }!), markdown)
    }

    func testASoundSettingPassesEveryCheck() throws {
        var better = Behaviour()
        better.test = [0.84, 0.86, 0.85, 0.87]
        let (found, markdown) = try problems(better)
        XCTAssertEqual(found, [])
        XCTAssertTrue(markdown.contains("— **held** in the one setting."), markdown)
        XCTAssertTrue(markdown.contains("| bag-of-words floor |"), markdown)
        XCTAssertTrue(markdown.contains("| 75.0 (tfidf-lr) |"), markdown)
    }

    func testEachCheckFiresOnItsCase() throws {
        var below = Behaviour(); below.test = [0.70, 0.71, 0.72, 0.73]
        XCTAssertEqual(try problems(below).new, ["`new` (71.5, 95% interval up to 73.6) is below the bag-of-words floor (tfidf-lr, 75.0)"])
        var within = Behaviour(); within.test = [0.72, 0.78, 0.70, 0.79]
        XCTAssertEqual(try problems(within).new, [], "a mean below the floor but an interval reaching it: not below beyond noise")
        var chance = Behaviour(); chance.test = [0.50, 0.51, 0.50, 0.51]
        XCTAssertTrue(try problems(chance).new.contains("`new` (50.5) is at chance level (majority class 50.0)"))
        var improving = Behaviour(); improving.best = 6
        XCTAssertEqual(try problems(improving).new, ["`new` underfits: 4 of 4 chosen runs were still improving at their last epoch"])
        improving.validCurve = [0.60, 0.70, 0.74, 0.76, 0.77, 0.79]
        XCTAssertEqual(try problems(improving).new, ["`new` underfits: 4 of 4 chosen runs were still improving at their last epoch"],
                       "2 points gained at the last epoch")
        var plateau = improving; plateau.validCurve = [0.60, 0.70, 0.74, 0.78, 0.79, 0.793]
        XCTAssertEqual(try problems(plateau).new, [], "best at the last epoch by 0.3 points: a plateau (early stopping's min_delta), not underfitting")
        var lossy = Behaviour(); lossy.trainLoss = 0.5
        XCTAssertEqual(try problems(lossy).new, ["`new` underfits: 4 of 4 chosen runs had training loss at or above validation loss at their chosen epoch"])
        var collapsed = Behaviour(); collapsed.test = [0.80, 0.81, 0.62, 0.83]
        let fell = try problems(collapsed).new
        XCTAssertTrue(fell.contains("`new` seed 3 collapsed (62.0 against a median of 81.0 for the other seeds)"), "\(fell)")
        var unmoved = Behaviour(); unmoved.forgetting = 0.98
        XCTAssertEqual(try problems(unmoved).new, ["`new`'s pretrained parts did not move (generic perplexity changed by 2.0% on average)"])
        var scratch = Behaviour(); scratch.forgetting = 1.0; scratch.pretrained = false
        XCTAssertEqual(try problems(scratch).new, [], "a model trained from scratch has no pretrained parts to move")
    }

    /// Extra-metric tables show the floor's own runs where they have the metric (a split's rate), not where they do not
    /// (an LM's forgetting); a validation metric is read from the validation split.
    func testExtraMetricTablesShowTheFloorWhereItHasTheMetric() throws {
        reportLines = "  extra_metrics: [macro_f1, valid.accuracy, forgetting_ratio]"
        var better = Behaviour(); better.test = [0.84, 0.86, 0.85, 0.87]
        let markdown = try problems(better).markdown
        XCTAssertTrue(markdown.contains("""
            Test macro-F1 (%) of the same chosen runs (mean ± standard deviation, n):

            | dataset | new | old | bag-of-words floor |
            |---|---|---|---|
            | mr | 80.5 ± 1.3 (n=4) | 76.5 ± 1.3 (n=4) | 73.0 ± 0.0 (n=1) (tfidf-lr) |
            """), markdown)
        XCTAssertTrue(markdown.contains("""
            Validation accuracy (%) of the same chosen runs (mean ± standard deviation, n):

            | dataset | new | old | bag-of-words floor |
            |---|---|---|---|
            | mr | 80.0 ± 0.0 (n=4) | 80.0 ± 0.0 (n=4) | 74.0 ± 0.0 (n=1) (tfidf-lr) |
            """), markdown)
        XCTAssertTrue(markdown.contains("""
            `forgetting_ratio` of the same chosen runs (mean ± standard deviation, n):

            | dataset | new | old |
            |---|---|---|
            | mr | 1.30 ± 0.00 (n=4) | 1.30 ± 0.00 (n=4) |
            """), markdown)
    }

    /// A setting where one compared arm has runs yet shows it against the floor, but not the table's baseline alone.
    func testAnArmAloneInItsSettingIsShownAgainstTheFloor() throws {
        var alone = Behaviour(); alone.test = [0.70, 0.71, 0.72, 0.73]
        let (_, _, markdown) = try notebook(["new": alone])
        XCTAssertTrue(markdown.contains("| dataset | new | bag-of-words floor |\n|---|---|---|\n| mr | **71.5 ± 1.3 (n=4, CI ±2.1)** | 75.0 (tfidf-lr) |"), markdown)
        XCTAssertTrue(markdown.contains("is below the bag-of-words floor (tfidf-lr, 75.0)"), markdown)
        let (_, _, baselineAlone) = try notebook(["old": Behaviour()])
        XCTAssertFalse(baselineAlone.contains("| dataset | old |"), baselineAlone)
    }

    /// A claim on a setting that fails a check is not a fair test: neither held nor contradicted, with its reason.
    func testAnUnfairSettingGetsNoVerdict() throws {
        var better = Behaviour(); better.test = [0.84, 0.86, 0.85, 0.87]
        var underfit = Behaviour(); underfit.best = 6
        let markdown = try problems(better, against: underfit).markdown
        XCTAssertTrue(markdown.contains("— **not a fair test** in the one setting tested (why, below)."), markdown)
        XCTAssertTrue(markdown.contains("| **not a fair test**: `old` underfits: 4 of 4 chosen runs were still improving at their last epoch |"), markdown)
        XCTAssertFalse(markdown.contains("**held**"), markdown)
    }
}
