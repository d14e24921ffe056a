import Foundation
import Reports
import Specs
import TestSupport
import Tracking
import XCTest

/// The notebook's markdown for a fixed set of recorded runs, compared with `Snapshots/notebook.md`.
/// Re-record with `TLAB_RECORD_SNAPSHOTS=1 swift test --filter NotebookSnapshotTests` after an intended change.
final class NotebookSnapshotTests: XCTestCase {
    func testNotebookMarkdown() throws {
        let folder = try temporaryFolder("tlab-nb")
        let specPath = folder.appendingPathComponent("toy.yaml")
        try Data("""
        experiment: {id: toy, description: Frozen vs fine-tuned on a toy set., question: Which wins?}
        references:
          - {paper: Kim 2014, table: Table 2, verified: true, values: {mr: {static: 81.0, non-static: 81.5}}}
        data: {datasets: [mr]}
        model: {kind: kim-cnn}
        arms: {static: {train: {phases: [{epochs: 3, frozen: [embedding]}]}}, non-static: {}}
        sweep: {seed: [1, 2, 3], train.learning_rate: [0.1, 1.0]}
        selection: {metric: valid_accuracy, over: [train.learning_rate]}
        report: {baseline: non-static, metric: accuracy, extra_metrics: [macro_f1, wordsim353_spearman]}
        """.utf8).write(to: specPath)
        let spec = try SpecLoader.load(specPath.path)
        // Deterministic synthetic results: lr 1.0 is better on validation for both arms; static is
        // 2 points above non-static on test for every seed; one static run diverged.
        var runs: [RunRecord] = []
        var metrics: [Int64: [MetricRecord]] = [:]
        var id: Int64 = 0
        for arm in ["static", "non-static"] { for lr in ["0.1", "1.0"] { for seed in 1...3 {
            id += 1
            var r = RunRecord(experimentId: "toy", hash: "h\(id)", arm: arm, dataset: "mr", seed: seed, fold: nil, trainingSize: nil,
                              sweepJSON: "{\"train.learning_rate\":\"\(lr)\"}", configJSON: "{}")
            r.id = id
            r.gitRevision = "abc123"
            r.threads = arm == "static" ? 2 : 1
            let valid = (lr == "1.0" ? 0.75 : 0.70) + 0.01 * Double(seed)
            let test = (arm == "static" ? 0.74 : 0.72) + (lr == "1.0" ? 0.0 : -0.05) + 0.01 * Double(seed)
            if arm == "static" && lr == "0.1" && seed == 3 {
                r.status = .diverged
                r.error = "non-finite loss at epoch 2, step 7"
            } else {
                r.status = .finished
                r.resultJSON = "{\"seconds\":600,\"bestEpoch\":2,\"epochs\":\(arm == "static" || seed > 1 ? 5 : 2),\"valid\":{\"accuracy\":\(valid),\"macroF1\":\(valid),\"loss\":0.5},\"test\":{\"accuracy\":\(test),\"macroF1\":\(test - 0.1),\"loss\":0.5},\"extras\":{\"wordsim353_spearman\":\(0.1 * Double(seed))}}"
                metrics[id] = (1...3).map { MetricRecord(runId: id, epoch: $0, split: "valid", name: "accuracy", value: valid - 0.01 * Double(3 - $0)) }
            }
            runs.append(r)
        } } }
        let (markdown, plots) = try Notebook(spec: spec, runs: runs, metrics: metrics, context: Notebook.Context(
            command: "tlab report toy.yaml", gitRevision: "abc123", database: "results/test.sqlite",
            dataLines: ["`mr`: toy data"], exportFiles: ["toy/toy-runs.csv"])).render()
        let normalized = markdown.replacingOccurrences(of: specPath.path, with: "toy.yaml")
        XCTAssertEqual(plots.keys.sorted(), ["toy/curves-mr.svg", "toy/sweep-mr.svg"])
        // Selection used validation only: lr 1.0 for both arms, where all three seeds finished.
        XCTAssertTrue(normalized.contains("| mr | +2.0 (p < 0.001, n = 3) |"), normalized)
        // Extra results come from the same chosen runs (seeds 1–3: ρ 0.1, 0.2, 0.3).
        XCTAssertTrue(normalized.contains("| mr | 0.200 ± 0.100 (n=3) | 0.200 ± 0.100 (n=3) |"), normalized)
        // Macro-F1 beside accuracy, of the same chosen runs (10 points below their accuracy here), in %.
        XCTAssertTrue(normalized.contains("Test macro-F1 (%) of the same chosen runs (mean ± standard deviation, n):\n\n| dataset | static | non-static |\n|---|---|---|\n| mr | 66.0 ± 1.0 (n=3) | 64.0 ± 1.0 (n=3) |"), normalized)
        // The training budget of the chosen runs: non-static's seed-1 run peaked at its last epoch.
        XCTAssertTrue(normalized.contains("| static | 3 | 5–5 | 2.0 | 0 |\n| non-static | 3 | 2–5 | 2.0 | 1 |"), normalized)

        // What each arm cost: 600 s per ended run × its threads; the diverged run left no result, so no seconds.
        XCTAssertTrue(normalized.contains("| static | 5 | 1.67 | 20.0 |\n| non-static | 6 | 1.00 | 10.0 |\n| total | 11 | 2.67 | |"), normalized)

        let snapshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/notebook.md")
        if ProcessInfo.processInfo.environment["TLAB_RECORD_SNAPSHOTS"] != nil {
            try FileManager.default.createDirectory(at: snapshot.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(normalized.utf8).write(to: snapshot)
        }
        let expected = try String(contentsOf: snapshot, encoding: .utf8)
        XCTAssertEqual(normalized, expected, "notebook markdown changed; re-record with TLAB_RECORD_SNAPSHOTS=1 if intended")
        XCTAssertFalse(normalized.contains("The curves average"))

        // A chosen run without per-epoch metrics (imported from an archive that did not keep them):
        // the curves say how many runs they average.
        var withoutOne = metrics
        withoutOne[5] = nil  // static, lr 1.0, seed 2
        let (partial, _) = try Notebook(spec: spec, runs: runs, metrics: withoutOne, context: Notebook.Context(
            command: "tlab report toy.yaml", gitRevision: "abc123", database: "results/test.sqlite",
            dataLines: ["`mr`: toy data"], exportFiles: ["toy/toy-runs.csv"])).render()
        XCTAssertTrue(partial.contains("(The curves average 5 of the 6 chosen runs: the others' per-epoch metrics were not kept.)"), partial)

        // A chosen run that trains by no epochs (a baseline's fit) has no curve to be missing.
        var fitted = runs
        fitted[4].resultJSON = fitted[4].resultJSON!.replacingOccurrences(of: "\"epochs\":5,", with: "")
        let (noEpochs, _) = try Notebook(spec: spec, runs: fitted, metrics: withoutOne, context: Notebook.Context(
            command: "tlab report toy.yaml", gitRevision: "abc123", database: "results/test.sqlite",
            dataLines: ["`mr`: toy data"], exportFiles: ["toy/toy-runs.csv"])).render()
        XCTAssertFalse(noEpochs.contains("The curves average"), noEpochs)
    }

    /// `report.tables` splits the arms into titled tables, each against its own baseline; a table
    /// appears only where its arms have runs (ablations at the full size only), and the
    /// training-size plot draws only arms with two or more sizes.
    func testTablesWithTheirOwnBaselinesAndArmsNarrowedToOneSize() throws {
        let folder = try temporaryFolder("tlab-nb")
        let specPath = folder.appendingPathComponent("sized.yaml")
        func spec(_ tables: String) throws -> LoadedSpec {
            try Data("""
            experiment: {id: sized}
            data: {datasets: [mr], training_sizes: [100, all]}
            model: {kind: kim-cnn}
            arms: {a: {}, b: {}, c: {data: {training_sizes: [all]}}, d: {data: {training_sizes: [all]}}}
            sweep: {seed: [1, 2, 3]}
            report: {baseline: a, tables: \(tables)}
            """.utf8).write(to: specPath)
            return try SpecLoader.load(specPath.path)
        }
        XCTAssertThrowsError(try spec("[{title: main, arms: [a, bb]}]")) { error in
            XCTAssertTrue("\(error)".contains("report.tables.0.arms.1: no arm 'bb'"), "\(error)")
            XCTAssertTrue("\(error)".contains("sized.yaml:6:"), "\(error)")
        }
        let loaded = try spec("[{title: Main, arms: [a, b]}, {title: Ablations, arms: [c, d], baseline: c}]")
        var runs: [RunRecord] = []
        var id: Int64 = 0
        // Test accuracy: a 0.70, b 0.72, c 0.80, d 0.75, plus 0.01 per seed; sizes 100 and all alike.
        let base = ["a": 0.70, "b": 0.72, "c": 0.80, "d": 0.75]
        for planned in try Expansion.runs(loaded) {
            id += 1
            var r = RunRecord(experimentId: "sized", hash: planned.hash, arm: planned.arm, dataset: planned.dataset, seed: planned.seed,
                              fold: nil, trainingSize: planned.trainingSize, sweepJSON: "{}", configJSON: "{}")
            r.id = id
            r.status = .finished
            (r.blasCore, r.threads) = (planned.seed == 1 ? "Haswell" : "Cooperlake", 1)
            let test = base[planned.arm]! + 0.01 * Double(planned.seed) + (planned.trainingSize == "all" ? 0.05 : 0)
            r.resultJSON = "{\"valid\":{\"accuracy\":0.5,\"macroF1\":0.5,\"loss\":0.5},\"test\":{\"accuracy\":\(test),\"macroF1\":\(test - 0.1),\"loss\":0.5},\"trainExamples\":900}"
            runs.append(r)
        }
        XCTAssertEqual(runs.count, 2 * 2 * 3 + 2 * 3)
        let (markdown, plots) = try Notebook(spec: loaded, runs: runs, metrics: [:], context: Notebook.Context(
            command: "tlab report sized.yaml", gitRevision: "abc", database: "r.sqlite", dataLines: [], exportFiles: [])).render()
        // The kernels each run used are part of what reruns it bit for bit.
        XCTAssertTrue(markdown.contains("- OpenBLAS kernels and threads per run (a run reruns bit-identically with its own; `tlab verify RUN_ID` checks): `Cooperlake`, 1 thread × 12; `Haswell`, 1 thread × 6.\n"), markdown)
        let sections = markdown.components(separatedBy: "## Results — ")
        XCTAssertEqual(sections.count, 3, markdown)
        let small = sections[1], full = sections[2]
        XCTAssertTrue(small.hasPrefix("size=100") && small.contains("### Main") && !small.contains("### Ablations"), small)
        XCTAssertTrue(full.hasPrefix("size=all") && full.contains("### Main") && full.contains("### Ablations"), full)
        XCTAssertTrue(full.contains("| dataset | c | d |"), full)
        XCTAssertTrue(full.contains("Difference from `c`"), full)
        XCTAssertTrue(full.contains("| mr | -5.0 ("), "d against c, not against a: \(full)")
        XCTAssertTrue(small.contains("| mr | +2.0 ("), "b against a: \(small)")
        let curve = try XCTUnwrap(plots["sized/training-size-mr.svg"])
        XCTAssertTrue(curve.contains(">a<") && curve.contains(">b<") && !curve.contains(">c<"), curve)
    }
}
