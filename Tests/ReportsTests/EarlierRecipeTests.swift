import Foundation
import Outcomes
@testable import Reports
import Specs
import TestSupport
import Tracking
import XCTest

/// `report.compare_with`: a redo's notebook sets the earlier recipe's results, read from its run archive, beside its own,
/// per dataset and size, against the bag-of-words floor.
final class EarlierRecipeTests: XCTestCase {
    var folder: URL!
    override func setUpWithError() throws { folder = try temporaryFolder("tlab-earlier-recipe") }

    func spec(profile: String?) throws -> LoadedSpec {
        let path = folder.appendingPathComponent("e.yaml")
        try Data("""
        experiment: {id: e}
        data: {datasets: [mr]}
        model: {kind: ulmfit}
        arms: {ulmfit: {}, siatl: {}}
        baselines: {tfidf-lr: {}}
        sweep: {seed: [1, 2]}
        profiles:
          redo:
            train: {epochs: 3}
            report: {compare_with: {archive: results/e.runs.jsonl, arms: [ulmfit, siatl], title: "The redo against the first recipe"}}
        """.utf8).write(to: path)
        return try SpecLoader.load(path.path, profile: profile)
    }

    /// Test accuracy of a run: a baseline's 0.70 at every seed; the arms as `accuracy` says, by (arm, seed).
    func outcome(_ arm: String, _ seed: Int, _ accuracy: [String: [Double]]) -> RunOutcome {
        let baseline = ["tfidf-lr", "tag-baseline"].contains(arm)
        let test = baseline ? 0.70 : accuracy[arm]![seed - 1]
        return RunOutcome(status: .finished, bestEpoch: 1, epochs: 3, valid: SplitMetrics(["accuracy": test]), test: SplitMetrics(["accuracy": test]),
                          extras: baseline ? ["majority": 0.5] : nil)
    }

    func records(_ spec: LoadedSpec, arms: Set<String>, size: String? = "100") throws -> [RunRecord] {
        try Expansion.runs(spec).filter { arms.contains($0.arm) }.map { planned in
            RunRecord(experimentId: spec.id, hash: planned.hash, arm: planned.arm, dataset: planned.dataset, seed: planned.seed, fold: nil,
                      trainingSize: size, sweepJSON: "{}", configJSON: "{}")
        }
    }

    func testTheRedosNotebookShowsTheEarlierRecipeBesideItsOwnAgainstTheFloor() throws {
        // The earlier recipe: ulmfit below the floor, siatl only there; archived as `tlab export --format jsonl` writes it.
        let earlier = try spec(profile: nil)
        let store = try ResultsStore(path: folder.appendingPathComponent("earlier.sqlite").path)
        _ = try store.register(experiment: ExperimentRecord(id: "e", specFile: earlier.file, description: "", createdAt: Date()),
                               runs: try records(earlier, arms: ["ulmfit", "siatl", "tfidf-lr"]))
        let environment = RunEnvironment(host: "h", gitRevision: "abc", versionsJSON: "{}", threads: 1, blasCore: "Haswell")
        while let run = try store.claim(experiment: "e", worker: WorkerIdentity(pid: 1), environment: environment).run {
            try store.finish(run: run.id!, status: .finished,
                             resultJSON: outcome(run.arm, run.seed, ["ulmfit": [0.60, 0.62], "siatl": [0.55, 0.57]]).json, error: nil)
        }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("results"), withIntermediateDirectories: true)
        try store.archive(experiment: "e").write(to: folder.appendingPathComponent("results/e.runs.jsonl"))

        // The redo: ulmfit above the floor, one seed so far; siatl not yet run.
        let redo = try spec(profile: "redo")
        let compared = try XCTUnwrap(EarlierRecipe.named(by: redo))
        XCTAssertNil(compared.spec.profile)
        XCTAssertEqual(compared.runs.count, 5, "two seeds of each arm, the baseline once")
        var runs = try records(redo, arms: ["ulmfit", "tfidf-lr"]).filter { $0.seed == 1 || $0.arm == "tfidf-lr" }
        for i in runs.indices {
            runs[i].id = Int64(i + 1)
            runs[i].status = .finished
            runs[i].resultJSON = outcome(runs[i].arm, runs[i].seed, ["ulmfit": [0.80]]).json
        }
        let markdown = try Notebook(spec: redo, runs: runs, metrics: [:], context: Notebook.Context(
            command: "tlab report", gitRevision: "abc", database: "r.sqlite", dataLines: [], exportFiles: []),
            comparedRecipe: compared).render().markdown

        XCTAssertTrue(markdown.contains("## The redo against the first recipe"), markdown)
        XCTAssertTrue(markdown.contains("5 ended runs in `results/e.runs.jsonl`"), markdown)
        XCTAssertTrue(markdown.contains("| mr | 100 | 70.0 (tfidf-lr) | 61.0▾ → 80.0 (n=1) (+19.0) | 56.0▾ → – |"), markdown)
        XCTAssertTrue(markdown.contains("Below the floor: 2 of 2 cells under the earlier recipe, 0 of 1 under this one."), markdown)
    }

    func testAnArchiveHoldingBothRecipesGivesTheEarlierOneOnlyItsOwnRunsAndAnExperimentWithoutSizesOneRowPerDataset() throws {
        // The recipe moved from 8 to 16 epochs; one database, so one archive, holds the runs of both.
        let path = folder.appendingPathComponent("n.yaml")
        try Data("""
        experiment: {id: n}
        data: {datasets: [ner]}
        model: {kind: bert-tagger}
        train: {epochs: 16}
        arms: {none: {}, inverse: {}}
        baselines: {tag-baseline: {}}
        sweep: {seed: [1, 2]}
        report: {compare_with: {archive: results/n.runs.jsonl, profile: eight-epochs, arms: [none, inverse], title: "16 epochs against 8"}}
        profiles:
          eight-epochs: {train: {epochs: 8}}
        """.utf8).write(to: path)
        let now = try SpecLoader.load(path.path), before = try SpecLoader.load(path.path, profile: "eight-epochs")
        let accuracy = ["none": [0.40, 0.42], "inverse": [0.30, 0.32]]
        let later = ["none": [0.50, 0.52], "inverse": [0.54, 0.56]]
        let laterHashes = Set(try Expansion.runs(now).map(\.hash))
        let store = try ResultsStore(path: folder.appendingPathComponent("n.sqlite").path)
        var seen = Set<String>()
        let all = try (records(before, arms: ["none", "inverse", "tag-baseline"], size: nil) + records(now, arms: ["none", "inverse"], size: nil))
            .filter { seen.insert($0.hash).inserted }
        _ = try store.register(experiment: ExperimentRecord(id: "n", specFile: now.file, description: "", createdAt: Date()), runs: all)
        let environment = RunEnvironment(host: "h", gitRevision: "abc", versionsJSON: "{}", threads: 1, blasCore: "Haswell")
        while let run = try store.claim(experiment: "n", worker: WorkerIdentity(pid: 1), environment: environment).run {
            let values = laterHashes.contains(run.hash) ? later : accuracy
            try store.finish(run: run.id!, status: .finished, resultJSON: outcome(run.arm, run.seed, values).json, error: nil)
        }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("results"), withIntermediateDirectories: true)
        try store.archive(experiment: "n").write(to: folder.appendingPathComponent("results/n.runs.jsonl"))

        let compared = try XCTUnwrap(EarlierRecipe.named(by: now))
        XCTAssertEqual(all.count, 9, "two recipes of two arms at two seeds, and the baseline they share")
        XCTAssertEqual(compared.runs.count, 5, "the 8-epoch runs and the baseline, not the 16-epoch runs")
        let runs = try store.runs(experiment: "n").filter { laterHashes.contains($0.hash) }
        let markdown = try Notebook(spec: now, runs: runs, metrics: [:], context: Notebook.Context(
            command: "tlab report", gitRevision: "abc", database: "n.sqlite", dataLines: [], exportFiles: []),
            comparedRecipe: compared).render().markdown
        XCTAssertTrue(markdown.contains("## 16 epochs against 8"), markdown)
        XCTAssertTrue(markdown.contains("| ner | – | 70.0 (tag-baseline) | 41.0▾ → 51.0▾ (+10.0) | 31.0▾ → 55.0▾ (+24.0) |"), markdown)
    }

    func testAnArchiveThatIsNotThereIsAnErrorNamingTheSpecField() throws {
        XCTAssertThrowsError(try EarlierRecipe.named(by: try spec(profile: "redo"))) { error in
            XCTAssertTrue("\(error)".contains("report.compare_with.archive"), "\(error)")
            XCTAssertTrue("\(error)".contains("results/e.runs.jsonl"), "\(error)")
        }
        XCTAssertNil(try EarlierRecipe.named(by: try spec(profile: nil)), "the defaults compare with nothing")
    }
}
