@testable import Experiments
import Datasets
import Foundation
import TestSupport
import Numerics
import Tracking
import XCTest

/// `tlab verify`: recorded runs of a real (tiny) Kim-CNN are rerun and found identical bit for bit;
/// a recorded metric changed by one ulp is found and named.
final class ReproductionTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        guard TlabProcess.isBuilt else { throw XCTSkip("no tlab binary: run `swift build` (or setup.sh) first") }
        folder = try temporaryFolder("tlab-verify-test")
    }

    func testVerifyFindsRecordedRunsIdenticalAndNamesAChangedMetric() throws {
        let tlab = TlabProcess(folder: folder)
        var rng = RandomGenerator(seed: 3)
        let words = ["good", "great", "fine", "bad", "awful", "poor", "the", "movie"]
        let examples = (0..<60).map { i in
            let label = i % 2 == 0 ? "pos" : "neg"
            let pool = label == "pos" ? Array(words[0..<3]) + words[6...] : Array(words[3..<6]) + words[6...]
            return LabeledText(text: (0..<6).map { _ in pool[rng.int(below: pool.count)] }.joined(separator: " "), label: label)
        }
        try Data((["text,label"] + examples.map { "\($0.text),\($0.label)" }).joined(separator: "\n").utf8)
            .write(to: folder.appendingPathComponent("tiny.csv"))
        // A 6-d stand-in for the GloVe vectors the spec's default names, in a data folder of the test's own.
        let data = folder.appendingPathComponent("data")
        try installVectors("glove-6b-50d", words: words, values: (0..<(words.count * 6)).map { _ in rng.normal() }, in: data)
        try Data("""
        experiment: {id: tiny}
        data: {datasets: [{file: tiny.csv}], split: {seed: 1, valid: 0.2, test: 0.2}}
        model: {kind: kim-cnn, windows: [2, 3], maps: 4}
        train: {batch_size: 8, optimizer: adadelta, learning_rate: 1.0, phases: [{epochs: 2, frozen: [embedding]}, {epochs: 2}],
                groups: {embedding: {patterns: ["embedding.*"]}, rest: {patterns: ["*"]}}}
        sweep: {seed: [1, 2]}
        """.utf8).write(to: folder.appendingPathComponent("tiny.yaml"))
        let db = folder.appendingPathComponent("r.sqlite").path
        let (run, ran) = try tlab(["run", "tiny.yaml", "--db", db, "--data-dir", data.path, "--workers", "1"])
        XCTAssertEqual(run.terminationStatus, 0, ran)

        let (verified, output) = try tlab(["verify", "1", "2", "--db", db, "--data-dir", data.path])
        XCTAssertEqual(verified.terminationStatus, 0, output)
        XCTAssertEqual(output.components(separatedBy: ": identical — ").count - 1, 2, output)

        // An audit by sampling: one of the two ended runs, drawn with a seed.
        let (sampled, audit) = try tlab(["verify", "--experiment", "tiny", "--sample", "1", "--db", db, "--data-dir", data.path])
        XCTAssertEqual(sampled.terminationStatus, 0, audit)
        XCTAssertTrue(audit.contains("1 of the 2 ended runs of tiny recorded with ") && audit.contains(": identical — "), audit)
        let (unasked, usage) = try tlab(["verify", "--db", db])
        XCTAssertNotEqual(unasked.terminationStatus, 0)
        XCTAssertTrue(usage.contains("give run ids, or --experiment ID --sample N"), usage)

        // One ulp off in one recorded value: found, named, and the exit status says so.
        let (_, shown) = try tlab(["show", "2", "--db", db])
        XCTAssertTrue(shown.contains("epoch 3: "), shown)
        let store = try ResultsStore(path: db)
        let loss = try XCTUnwrap(store.metrics(run: 2).first { $0.epoch == 3 && $0.split == "valid" && $0.name == "loss" })
        try store.record(metrics: [MetricRecord(runId: 2, epoch: 3, split: "valid", name: "loss", value: loss.value.nextUp)])
        let (differs, report) = try tlab(["verify", "1", "2", "--db", db, "--data-dir", data.path])
        XCTAssertNotEqual(differs.terminationStatus, 0, report)
        XCTAssertTrue(report.contains("run 1 (tiny default, tiny, seed 1): identical"), report)
        XCTAssertTrue(report.contains("run 2 (tiny default, tiny, seed 2): DIFFERS — 1 of "), report)
        XCTAssertTrue(report.contains("  epoch 3 valid.loss: \(loss.value.nextUp) → \(loss.value)"), report)
        XCTAssertEqual(Reproduction.numerics(of: try XCTUnwrap(store.run(2))), NumericsVersion.current, "runs record the numerics they were computed with")
        XCTAssertFalse(report.contains("numerics version"), "same numerics: no note")

        // The result is compared too, timings aside: another duration alone is no difference; another
        // best epoch is one.
        let recorded = try XCTUnwrap(store.run(1)?.resultJSON)
        let slower = recorded.replacing(/"seconds":[0-9.e-]+/, with: "\"seconds\":99")
        XCTAssertNotEqual(slower, recorded)
        try store.finish(run: 1, status: .finished, resultJSON: slower, error: nil)
        let (_, timing) = try tlab(["verify", "1", "--db", db, "--data-dir", data.path])
        XCTAssertTrue(timing.contains("run 1 (tiny default, tiny, seed 1): identical"), timing)
        let later = slower.replacing(/"bestEpoch":[0-9]+/, with: "\"bestEpoch\":7")
        XCTAssertNotEqual(later, slower)
        try store.finish(run: 1, status: .finished, resultJSON: later, error: nil)
        let (_, result) = try tlab(["verify", "1", "--db", db, "--data-dir", data.path])
        XCTAssertTrue(result.contains("run 1 (tiny default, tiny, seed 1): DIFFERS — 0 of ") && result.contains(" metrics and the result ("), result)

        // A run recorded without per-epoch metrics (as the runs recovered from an export were): the
        // result alone is compared, and the output says so.
        let archive = folder.appendingPathComponent("tiny.runs.jsonl")
        XCTAssertEqual(try tlab(["export", "tiny", "--db", db, "--format", "jsonl", "--output", archive.path]).0.terminationStatus, 0)
        let lines = try String(contentsOf: archive, encoding: .utf8).split(separator: "\n").map(String.init)
        let stripped = try lines.map { line -> String in
            var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if object["metrics"] != nil { object["metrics"] = [Any]() }
            return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        try Data((stripped.joined(separator: "\n") + "\n").utf8).write(to: archive)
        let recovered = folder.appendingPathComponent("recovered.sqlite").path
        let (imported, importing) = try tlab(["import", archive.path, "--db", recovered])
        XCTAssertEqual(imported.terminationStatus, 0, importing)
        let (resultOnly, checked) = try tlab(["verify", "2", "--db", recovered, "--data-dir", data.path])
        XCTAssertEqual(resultOnly.terminationStatus, 0, checked)
        XCTAssertTrue(checked.contains("run 2 (tiny default, tiny, seed 2): identical — the result (no per-epoch metrics recorded), bit for bit"), checked)

        // A run the database does not hold is refused by name.
        let (refused, message) = try tlab(["verify", "9", "--db", db, "--data-dir", data.path])
        XCTAssertNotEqual(refused.terminationStatus, 0)
        XCTAssertTrue(message.contains("no run 9 in the database"), message)
    }

    /// Results are compared without their timings, at any depth (a Doc2Vec run's summary and session
    /// speeds, an LM stage's tokens/s), and with keys in any order; any other value counts to the last bit.
    func testResultsAreComparedWithoutTimingsToTheLastBit() {
        let recorded = #"{"summary":{"seconds":0.24,"effective_words_per_second":376925.7,"rho":0.3125},"extras":{"session1_effective_words_per_second":2.5e5},"seconds":5.7,"status":"finished"}"#
        let rerun = #"{"status":"finished","seconds":4.6,"extras":{"session1_effective_words_per_second":3.1e5},"summary":{"rho":0.3125,"seconds":0.22,"effective_words_per_second":399642.6}}"#
        XCTAssertEqual(Reproduction.Outcome.withoutTimings(recorded), Reproduction.Outcome.withoutTimings(rerun))
        let nextUp = rerun.replacingOccurrences(of: "0.3125", with: "\(Double(0.3125).nextUp)")
        XCTAssertNotEqual(Reproduction.Outcome.withoutTimings(recorded), Reproduction.Outcome.withoutTimings(nextUp))
        XCTAssertFalse(Reproduction.Outcome.isTiming("loss"))
        // Runs recorded before runs kept their numerics version were computed with version 1.
        var run = RunRecord(experimentId: "e", hash: "h", arm: "a", dataset: "d", seed: 1, fold: nil, trainingSize: nil, sweepJSON: "{}", configJSON: "{}")
        XCTAssertNil(Reproduction.numerics(of: run))
        run.versionsJSON = #"{"openblas":"x","tlab":"0.1.0"}"#
        XCTAssertEqual(Reproduction.numerics(of: run), 1)
        run.versionsJSON = #"{"numerics":"2","tlab":"0.1.0"}"#
        XCTAssertEqual(Reproduction.numerics(of: run), 2)
        XCTAssertTrue(Reproduction.Outcome.isTiming("tokens_per_second"))
    }
}
