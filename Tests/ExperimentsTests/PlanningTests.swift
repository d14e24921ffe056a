import Datasets
@testable import Experiments
import Foundation
import TestSupport
import Specs
import Tracking
import XCTest

final class PlanningTests: XCTestCase {
    /// A training size at or above the training split's size is the `all` run again: left out when
    /// that run is planned, kept (it is then the only run on the whole split) when it is not.
    func testSizesAtOrAboveTheTrainingSplitAreLeftOut() throws {
        let root = try temporaryFolder("tlab-planning", create: false)
        let examples = (0..<200).map { LabeledText(text: "text \($0)", label: $0 % 2 == 0 ? "a" : "b") }
        try installClassification("tweets-sentiment", examples: examples, in: root)
        let spec = root.appendingPathComponent("sizes.yaml")
        try Data("""
        experiment: {id: sizes}
        data: {datasets: [tweets-sentiment], split: {seed: 1, valid: 0.1, test: 0.2}, training_sizes: [100, 140, 300, all]}
        model: {kind: kim-cnn}
        arms:
          main: {}
          capped: {data: {training_sizes: [100, 300]}}
        sweep: {seed: [1, 2]}
        """.utf8).write(to: spec)
        let runs = try Expansion.runs(try SpecLoader.load(spec.path))
        let (kept, skipped) = Planning.withoutRedundantSizes(runs, data: DataStore(root: root))
        // The training split holds 200 − 20 − 40 = 140 examples: 140 and 300 repeat `all` for `main`.
        XCTAssertEqual(kept.filter { $0.arm == "main" }.compactMap(\.trainingSize).sorted(), ["100", "100", "all", "all"])
        // `capped` has no `all` run, so its 300 stays (it is its only run on the whole split).
        XCTAssertEqual(kept.filter { $0.arm == "capped" }.compactMap(\.trainingSize).sorted(), ["100", "100", "300", "300"])
        XCTAssertEqual(skipped, ["tweets-sentiment: training size 140, 300 ≥ its training split of 140 examples — the same data as 'all', not run"])
    }
}

/// A run's identity is what it trains with: rewording the experiment's description or question re-plans nothing,
/// and a run recorded while configurations carried that prose comes to the identity planning gives it now.
final class RunIdentityTests: XCTestCase {
    func plan(description: String, question: String?) throws -> [PlannedRun] {
        let root = try temporaryFolder("tlab-identity", create: true)
        let spec = root.appendingPathComponent("prose.yaml")
        try Data("""
        experiment:
          id: prose
          description: '\(description)'
        \(question.map { "  question: \($0)" } ?? "")
        data: {datasets: [{file: tiny.csv}]}
        model: {kind: kim-cnn}
        train: {learning_rate: 0.0001, epochs: 3}
        arms: {a: {}, b: {model: {dropout: 0.25}}}
        sweep: {seed: [1, 2]}
        """.utf8).write(to: spec)
        return try Expansion.runs(try SpecLoader.load(spec.path))
    }

    func testRewordingTheExperimentsProseKeepsEveryRunsHash() throws {
        let before = try plan(description: "First words.", question: "Does it?")
        let after = try plan(description: "Other words, at length.", question: nil)
        XCTAssertEqual(before.map(\.hash), after.map(\.hash))
        XCTAssertEqual(Set(before.map(\.hash)).count, 4)
        for run in before {
            XCTAssertEqual(run.config.node(at: ["experiment"])?.mapping?.map(\.key), ["id"], "no prose in what a run trains with")
            XCTAssertNotNil(run.legacyHash)
        }
        XCTAssertNotEqual(before.map(\.legacyHash), after.map(\.legacyHash), "its hash while the prose was in it depended on the words")
        XCTAssertEqual(RunIdentity.proseKeys, SpecSchema.experimentProseKeys)
    }

    /// A record made as planning made it before (its configuration with the prose, hashed with it) becomes the
    /// record planning makes now, byte for byte — the migration of databases and archives rests on it.
    func testARunRecordedWithProseComesToTheIdentityPlanningGivesItNow() throws {
        let runs = try plan(description: "A sentence: with a colon, and \"quotes\" / a slash.", question: "Why?")
        let records = Planning.records(runs, experiment: "prose")
        for (run, record) in zip(runs, records) {
            let prose = ConfigNode(.mapping([("id", ConfigNode(.scalar("prose", quoted: false), at: run.config.location)),
                                             ("description", ConfigNode(.scalar("A sentence: with a colon, and \"quotes\" / a slash.", quoted: true), at: run.config.location)),
                                             ("question", ConfigNode(.scalar("Why?", quoted: false), at: run.config.location))]), at: run.config.location)
            let then = run.config.setting(["experiment"], to: prose)
            XCTAssertEqual(then.digest, run.legacyHash, "legacyHash is the hash of the configuration with its prose")
            var old = record
            old.configJSON = String(decoding: then.canonicalJSON, as: UTF8.self)
            old.hash = then.digest
            let now = try XCTUnwrap(RunIdentity.withoutProse(old))
            XCTAssertEqual(now.hash, record.hash)
            XCTAssertEqual(now.configJSON, record.configJSON)
            XCTAssertNil(RunIdentity.withoutProse(record), "nothing to drop")
        }
    }
}
