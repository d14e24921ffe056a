import Datasets
import Experiments
import Foundation
import TestSupport
import Specs
import Training
import XCTest

/// A Doc2Vec regimes run end to end on installed toy data: every training epoch of both sessions
/// reaches the run's metrics, and the probe scores the domain.
final class Doc2VecRunTests: XCTestCase {
    final class Collector: RunObserver {
        var metrics: [(epoch: Int, split: String, name: String, value: Double)] = []
        func epochEnded(_ record: EpochRecord) {}
        func note(_ message: String) {}
        func record(epoch: Int, split: String, name: String, value: Double) { metrics.append((epoch, split, name, value)) }
    }

    func testRunRecordsEveryEpochOfBothSessions() throws {
        let root = try temporaryFolder("tlab-d2vrun", create: false)
        // Toy contents under real catalogue ids (the store reads only those): two topics with their
        // own words for the domain, and a generic corpus of shared words.
        let sports = ["goal", "match", "team", "score", "league"], politics = ["vote", "party", "minister", "law", "election"]
        let examples = (0..<60).map { i -> LabeledText in
            let words = i % 2 == 0 ? sports : politics
            return LabeledText(text: (0..<12).map { words[($0 * 3 + i) % 5] }.joined(separator: " ") + " the news", label: i % 2 == 0 ? "sports" : "politics")
        }
        try installClassification("bbc-news", examples: examples, in: root)
        try installCorpus("lee-news", documents: (0..<40).map { i in (0..<15).map { ["the", "news", "day", "city", "people", "time"][($0 + i) % 6] }.joined(separator: " ") }, in: root)
        let config = try ConfigNode.parse(yaml: """
        data: {datasets: [bbc-news], split: {seed: 1, valid: 0.2, test: 0.2}}
        generic: {corpus: [lee-news]}
        model: {kind: doc2vec, mode: dbow, dimension: 8, window: 2, negative: 2, sample: 0, min_count: 1, epochs: 3}
        regime: {kind: sequential, vocabulary: both, second_session: restart, second_alpha: 0.05, second_epochs: 20}
        evaluation: {l2: [0.01], infer_epochs: 20}
        run: {dataset: bbc-news, seed: 1}
        """, file: "run.yaml")
        let observer = Collector()
        let typed = try ConfigDecoder().decode(Doc2VecRun.Config.self, from: config)
        let result = try Doc2VecRun.execute(typed, context: RunContext(data: DataStore(root: root), observer: observer))
        XCTAssertEqual(result.status, .finished)
        XCTAssertEqual(result.epochs, 23)
        let sessions = observer.metrics.filter { $0.name == "session" }
        XCTAssertEqual(sessions.map(\.epoch), Array(1...23), "epochs numbered through the run")
        XCTAssertEqual(sessions.map(\.value), [0, 0, 0] + Array(repeating: 1, count: 20))
        let alphas = observer.metrics.filter { $0.name == "alpha" }.map(\.value)
        XCTAssertEqual(alphas[2], 0.0001, accuracy: 1e-6, "the generic session ends at min_alpha")
        XCTAssertEqual(alphas[3], 0.05 - (0.05 - 0.0001) / 20, accuracy: 1e-6, "the domain session restarts at its alpha")
        XCTAssertEqual(observer.metrics.filter { $0.name == "effective_words_per_second" }.count, 23)
        XCTAssertTrue(observer.metrics.allSatisfy { $0.split == "train" && $0.value.isFinite })
        XCTAssertGreaterThan(try XCTUnwrap(result.test?["accuracy"]), 0.8, "two separable topics")
    }
}
