import Datasets
@testable import Experiments
import Foundation
import Outcomes
@testable import Reports
import Specs
import TestSupport
import Tracking
import XCTest

/// A run kind defined here, outside the library, in one type plus one registry line: a tagger stand-in whose
/// entity F1 peaks at `threshold` 0.6. Its validation F1 is worse than its test F1 at 0.2, so a report that
/// chose on test (or tabulated accuracy) would show another value.
enum ThresholdTagger: RunKind {
    static let id = "threshold-tagger"

    struct Model: ModelSection {
        var threshold: Double
        enum CodingKeys: String, CodingKey, CaseIterable { case kind, threshold }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            _ = try c.decode(String.self, forKey: .kind)
            threshold = try c.decode(Double.self, forKey: .threshold)
        }
    }

    struct Config: Decodable, OpenConfig {
        var model: Model
        var run: RunSection
    }

    static func check(_ config: Config, node: ConfigNode, data: DataStore) -> [String] {
        (0...1).contains(config.model.threshold) ? [] : ["\(node.location): model.threshold: expected a value in [0, 1]"]
    }

    static func execute(_ c: Config, context: RunContext) throws -> RunOutcome {
        let seed = Double(c.run.seed) / 1000
        let valid = 1 - abs(c.model.threshold - 0.6) + seed
        let test = c.model.threshold == 0.2 ? 0.99 : valid - 0.05
        context.observer?.record(epoch: 1, split: "valid", name: "entity_f1", value: valid)
        return RunOutcome(status: .finished, bestEpoch: 1, epochs: 1, valid: SplitMetrics(["entity_f1": valid]),
                          test: SplitMetrics(["entity_f1": test, "token_accuracy": 0.9]), trainExamples: 10, seconds: 0)
    }
}

final class RunKindPluginTests: XCTestCase {
    let kinds = RunKinds(runs: RunKinds.standard.runs + [RegisteredRunKind(ThresholdTagger.self)], stages: RunKinds.standard.stages)

    func spec(_ folder: URL, extra: String = "") throws -> LoadedSpec {
        let path = folder.appendingPathComponent("tagger.yaml")
        try Data("""
        experiment: {id: tagger}
        data: {datasets: [wnut16-ner]}
        model: {kind: threshold-tagger, threshold: 0.5\(extra)}
        arms: {plain: {}, other: {}}
        sweep: {seed: [1, 2, 3], model.threshold: [0.2, 0.6, 0.9]}
        selection: {metric: valid.entity_f1, over: [model.threshold]}
        report: {metric: entity_f1, baseline: plain}
        """.utf8).write(to: path)
        return try SpecLoader.load(path.path)
    }

    func testAKindOfATestTargetRunsThroughValidatePlanRunAndReport() throws {
        let folder = try temporaryFolder("tlab-plugin")
        let data = DataStore(root: folder.appendingPathComponent("data"))
        let spec = try spec(folder)
        let planned = try Expansion.runs(spec)
        XCTAssertEqual(planned.count, 18)

        // validate: the kind decodes and checks its own fields; a field it lacks is named with the kind.
        XCTAssertEqual(SpecCheck.problems(in: planned, data: data, kinds: kinds).filter { !$0.contains("not installed") }, [])
        let typo = try Expansion.runs(try self.spec(folder, extra: ", treshold: 1"))
        XCTAssertTrue(SpecCheck.problems(in: typo, data: data, kinds: kinds).contains {
            $0.contains("tagger.yaml:3:") && $0.contains("model.treshold") && $0.contains("of model kind 'threshold-tagger'") && $0.contains("did you mean 'threshold'?")
        })
        // The standard registry does not know the kind: an error, not a fallback to classification.
        XCTAssertTrue(SpecCheck.problems(in: planned, data: data).contains { $0.contains("model.kind: unknown kind 'threshold-tagger'") })

        // plan and run, in this process's worker loop with the test's registry.
        let store = try ResultsStore(path: folder.appendingPathComponent("r.sqlite").path)
        try store.register(experiment: ExperimentRecord(id: spec.id, specFile: spec.file, description: "", createdAt: Date()),
                           runs: Planning.records(planned, experiment: spec.id))
        let environment = RunEnvironment(host: "test", gitRevision: "test", versionsJSON: "{}", threads: 1, blasCore: "test")
        XCTAssertEqual(try Worker.loop(store: store, experiment: spec.id, data: data, environment: environment, kinds: kinds), 18)
        let runs = try store.runs(experiment: spec.id)
        XCTAssertEqual(runs.filter { $0.status == .finished }.count, 18)

        // report: the threshold is chosen on validation entity F1 (0.6), and test entity F1 is tabulated by name.
        let table = try ComparisonTable(runs: runs, spec: spec)
        XCTAssertEqual(table.metric, "entity_f1")
        let cell = try XCTUnwrap(table.cells.first { $0.arm == "plain" })
        XCTAssertEqual(cell.chosen, "model.threshold=0.6")
        XCTAssertEqual(cell.test.mean, 1 + 0.002 - 0.05, accuracy: 1e-12)
        XCTAssertEqual(cell.validMean, 1.002, accuracy: 1e-12)
        let markdown = try Notebook(spec: spec, runs: runs, metrics: [:], context: Notebook.Context(
            command: "test", gitRevision: "test", database: "test", dataLines: [], exportFiles: [])).render().markdown
        XCTAssertTrue(markdown.contains("95.2"), markdown)
        XCTAssertTrue(markdown.contains("test entity F1"), markdown)
    }

    /// A stored result that does not decode stops the report with the run's name; it never drops out in silence.
    func testAResultThatDoesNotDecodeIsAnErrorNamingTheRun() throws {
        let folder = try temporaryFolder("tlab-plugin-bad")
        let spec = try spec(folder)
        var run = RunRecord(experimentId: "tagger", hash: "h", arm: "plain", dataset: "wnut16-ner", seed: 1, fold: nil, trainingSize: nil,
                            sweepJSON: "{}", configJSON: "{}")
        run.id = 7
        run.status = .finished
        run.resultJSON = "{\"test\": {\"entity_f1\": \"high\"}}"
        XCTAssertThrowsError(try ComparisonTable(runs: [run], spec: spec)) {
            XCTAssertTrue("\($0)".contains("run 7 (plain, wnut16-ner, seed 1)"), "\($0)")
        }
    }
}
