import Foundation
import TestSupport
@testable import Models
import Numerics
import Training
import XCTest

final class Doc2VecTests: XCTestCase {
    /// One PV-DBOW negative-sampling step against a hand computation: vocabulary [a, b] where b is
    /// the only possible noise word (a has count 0), no sub-sampling, one document "a".
    func testNegativeSamplingStepMatchesHandComputation() {
        var config = Doc2VecConfig()
        config.dimension = 3; config.negative = 1; config.sample = 0; config.epochs = 1
        let model = Doc2Vec(config: config, words: ["a", "b"], counts: [0, 5])
        model.addDocuments(1)
        let s: [Float] = [0.3, -0.2, 0.5, -0.4, 0.1, 0.25]  // output rows of a and b
        for i in 0..<6 { model.syn1neg[i] = s[i] }
        let d0 = model.documentVector(0)
        let alpha: Float = 0.1
        var corpus = Doc2VecCorpus()
        corpus.append([0], tag: 0)
        model.train(corpus, alpha: alpha, minAlpha: alpha)

        func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }
        func dot(_ u: [Float], _ v: [Float]) -> Float { zip(u, v).map(*).reduce(0, +) }
        var sa = Array(s[0..<3]), sb = Array(s[3..<6])
        let ga = (1 - sigmoid(dot(d0, sa))) * alpha          // the word itself, label 1
        var neu1e = sa.map { ga * $0 }
        sa = zip(sa, d0).map { $0 + ga * $1 }
        let gb = (0 - sigmoid(dot(d0, sb))) * alpha          // the noise word, label 0
        neu1e = zip(neu1e, sb).map { $0 + gb * $1 }
        sb = zip(sb, d0).map { $0 + gb * $1 }
        let d1 = zip(d0, neu1e).map { $0 + $1 }
        for k in 0..<3 {
            XCTAssertEqual(model.documentVector(0)[k], d1[k], accuracy: 1e-6)
            XCTAssertEqual(model.syn1neg[k], sa[k], accuracy: 1e-6)
            XCTAssertEqual(model.syn1neg[3 + k], sb[k], accuracy: 1e-6)
        }
        XCTAssertNotEqual(model.documentVector(0), d0, "the step moved the document vector")
    }

    /// 24 documents, each mixing 12 words of its own with 16 shared ones.
    static func corpus(seed: UInt64) -> (words: [String], counts: [Int], documents: [[Int32]]) {
        var rng = RandomGenerator(seed: seed)
        let shared = 16, own = 12, documents = 24
        let words = (0..<(shared + own * documents)).map { "w\($0)" }
        var counts = Array(repeating: 0, count: words.count)
        let docs: [[Int32]] = (0..<documents).map { d in
            (0..<80).map { _ in
                let w = rng.uniform() < 0.5 ? rng.int(below: shared) : shared + d * own + rng.int(below: own)
                counts[w] += 1
                return Int32(w)
            }
        }
        return (words, counts, docs)
    }

    func trained(_ mode: Doc2VecConfig.Mode, trainWords: Bool = false, threads: Int = 1) -> (Doc2Vec, [[Int32]]) {
        let (words, counts, documents) = Self.corpus(seed: 5)
        var config = Doc2VecConfig()
        config.mode = mode; config.trainWords = trainWords; config.dimension = 16; config.window = 3
        config.sample = 0; config.minCount = 1; config.epochs = 30; config.threads = threads
        let model = Doc2Vec(config: config, words: words, counts: counts)
        let tags = model.addDocuments(documents.count)
        var corpus = Doc2VecCorpus()
        for (doc, tag) in zip(documents, tags) { corpus.append(doc, tag: tag) }
        model.train(corpus)
        return (model, documents)
    }

    func cosine(_ a: [Float], _ b: [Float]) -> Float { Doc2VecData.cosine(a, b) }

    /// inferVector finds a training document's direction again, for every mode; it is deterministic.
    func testInferVectorRecoversTrainingDocuments() {
        for (mode, trainWords) in [(Doc2VecConfig.Mode.dbow, false), (.dbow, true), (.dmMean, false), (.dmConcat, false)] {
            let (model, documents) = trained(mode, trainWords: trainWords)
            var nearest = 0
            var cosines: [Float] = []
            for d in 0..<documents.count {
                let inferred = model.inferVector(documents[d], epochs: 30, seed: 7)
                let scores = (0..<documents.count).map { cosine(inferred, model.documentVector($0)) }
                if scores.indices.max(by: { scores[$0] < scores[$1] }) == d { nearest += 1 }
                cosines.append(scores[d])
            }
            let mean = cosines.reduce(0, +) / Float(cosines.count)
            XCTAssertGreaterThanOrEqual(nearest, 22, "\(mode) words=\(trainWords): inferred vector nearest its own document")
            XCTAssertGreaterThan(mean, 0.7, "\(mode) words=\(trainWords): mean cosine to the trained vector")
            XCTAssertEqual(model.inferVector(documents[0], seed: 3), model.inferVector(documents[0], seed: 3))
        }
    }

    /// Each epoch's end is reported: its number, the rate reached on the linear decay (min_alpha at
    /// the last), and the effective words, which add up to the session's report.
    func testEpochProgressReports() {
        let (words, counts, documents) = Self.corpus(seed: 5)
        var config = Doc2VecConfig()
        config.dimension = 8; config.epochs = 4; config.alpha = 0.05; config.minAlpha = 0.01; config.minCount = 1
        let model = Doc2Vec(config: config, words: words, counts: counts)
        var corpus = Doc2VecCorpus()
        for (doc, tag) in zip(documents, model.addDocuments(documents.count)) { corpus.append(doc, tag: tag) }
        var epochs: [Doc2VecEpoch] = []
        let report = model.train(corpus, session: 3) { epochs.append($0) }
        XCTAssertEqual(epochs.map(\.epoch), [1, 2, 3, 4])
        XCTAssertEqual(Set(epochs.map(\.session)), [3])
        for (e, expected) in zip(epochs, [0.04, 0.03, 0.02, 0.01] as [Float]) { XCTAssertEqual(e.alpha, expected, accuracy: 1e-6) }
        XCTAssertEqual(epochs.map(\.effectiveWords).reduce(0, +), report.effectiveWords)
        XCTAssertTrue(epochs.allSatisfy { $0.effectiveWords > 0 && $0.seconds >= 0 })
    }

    func testOneThreadIsBitReproducibleAndTwoThreadsLearnToo() {
        let (a, _) = trained(.dbow, trainWords: true)
        let (b, documents) = trained(.dbow, trainWords: true)
        XCTAssertEqual(a.documentVectors, b.documentVectors)
        XCTAssertEqual(a.wordVectors, b.wordVectors)
        let (c, _) = trained(.dbow, threads: 2)
        let inferred = c.inferVector(documents[4], epochs: 30)
        let scores = (0..<documents.count).map { cosine(inferred, c.documentVector($0)) }
        XCTAssertEqual(scores.indices.max(by: { scores[$0] < scores[$1] }), 4)
    }

    func testSaveLoadRoundTripAndWord2VecExport() throws {
        let folder = try temporaryFolder("d2v", create: false)
        let (model, documents) = trained(.dmConcat)
        try model.save(to: folder)
        let loaded = try Doc2Vec.load(from: folder)
        XCTAssertEqual(loaded.config, model.config)
        XCTAssertEqual(loaded.words, model.words)
        XCTAssertEqual(loaded.documentVectors, model.documentVectors)
        XCTAssertEqual(loaded.wordVectors, model.wordVectors)
        XCTAssertEqual(loaded.inferVector(documents[2]), model.inferVector(documents[2]), "output weights round-trip too")

        let export = folder.appendingPathComponent("docs.txt")
        try model.exportWord2Vec(to: export, documents: true)
        let lines = try String(contentsOf: export, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.first, "24 16")
        XCTAssertEqual(lines.count, 25)
        let row = lines[1].split(separator: " ")
        XCTAssertEqual(row.first, "doc_0")
        XCTAssertEqual(row.dropFirst().map { Float(String($0))! }, model.documentVector(0))

        try Data("oops\n".utf8).write(to: folder.appendingPathComponent("vocabulary.tsv"))
        XCTAssertThrowsError(try Doc2Vec.load(from: folder)) { error in
            XCTAssertTrue("\(error)".contains("vocabulary.tsv:1: expected `word<TAB>count`"), "\(error)")
        }
    }

    /// gensim's tables: noise weights ∝ count^0.75, and frequent words kept with probability (√(c/t)+1)·t/c.
    func testNoiseAndSubsamplingTables() {
        let (cum, keep) = Doc2Vec.tables(counts: [1000, 10, 0, 1], sample: 1e-2)
        let weights = [pow(1000.0, 0.75), pow(10.0, 0.75), 0, 1]
        let total = weights.reduce(0, +)
        XCTAssertEqual(Double(cum[0]) / 2147483647, weights[0] / total, accuracy: 1e-6)
        XCTAssertEqual(cum[1], cum[1]); XCTAssertEqual(cum[2], cum[1], "a zero count is never drawn")
        XCTAssertEqual(cum[3], 2147483647)
        let t = 1e-2 * 1011
        XCTAssertEqual(Double(keep[0]) / 4294967295, ((1000 / t).squareRoot() + 1) * t / 1000, accuracy: 1e-6)
        XCTAssertEqual(keep[1], .max, "rare words are always kept")
    }
}
