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

    /// Test accuracy of a run: the baseline 0.70 at every seed; the arms as `accuracy` says, by (arm, seed).
    func outcome(_ arm: String, _ seed: Int, _ accuracy: [String: [Double]]) -> RunOutcome {
        let test = arm == "tfidf-lr" ? 0.70 : accuracy[arm]![seed - 1]
        return RunOutcome(status: .finished, bestEpoch: 1, epochs: 3, valid: SplitMetrics(["accuracy": test]), test: SplitMetrics(["accuracy": test]),
                          extras: arm == "tfidf-lr" ? ["majority": 0.5] : nil)
    }

    func records(_ spec: LoadedSpec, arms: Set<String>) throws -> [RunRecord] {
        try Expansion.runs(spec).filter { arms.contains($0.arm) }.map { planned in
            RunRecord(experimentId: "e", hash: planned.hash, arm: planned.arm, dataset: planned.dataset, seed: planned.seed, fold: nil,
                      trainingSize: "100", sweepJSON: "{}", configJSON: "{}")
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

    func testAnArchiveThatIsNotThereIsAnErrorNamingTheSpecField() throws {
        XCTAssertThrowsError(try EarlierRecipe.named(by: try spec(profile: "redo"))) { error in
            XCTAssertTrue("\(error)".contains("report.compare_with.archive"), "\(error)")
            XCTAssertTrue("\(error)".contains("results/e.runs.jsonl"), "\(error)")
        }
        XCTAssertNil(try EarlierRecipe.named(by: try spec(profile: nil)), "the defaults compare with nothing")
    }
}
