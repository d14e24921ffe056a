import Autodiff
import Models
import Numerics
import TestSupport
import Training
import XCTest

final class LanguageModelTests: XCTestCase {
    /// A small corpus with structure an LSTM can learn: sentences from a tiny grammar.
    static func corpus(words: Int, seed: UInt64) -> [Int32] {
        var rng = RandomGenerator(seed: seed)
        let subjects: [Int32] = [0, 1, 2], verbs: [Int32] = [3, 4], objects: [Int32] = [5, 6, 7, 8]
        var stream: [Int32] = []
        while stream.count < words {
            let s = subjects[rng.int(below: 3)]
            // The verb depends on the subject, the object on the verb: learnable long-range structure.
            let v = verbs[Int(s) % 2]
            let o = objects[Int(v - 3) * 2 + rng.int(below: 2)]
            stream += [s, v, o, 9]  // 9 = end of sentence
        }
        return stream
    }

    func makeTrainer(seed: UInt64, dropout: Float = 0.1) throws -> LanguageModelTrainer {
        var rng = RandomGenerator(seed: seed)
        let model = LSTMLanguageModel(LanguageModelConfig(vocabulary: 10, embedding: 8, hidden: 16, layers: 2, tied: true,
                                                          embeddingDropout: dropout, inputDropout: dropout,
                                                          interLayerDropout: dropout, weightDrop: dropout), rng: &rng)
        let optimizer = try GroupedOptimizer(parameters: model.parameters, groups: [
            GroupConfig(name: "all", patterns: ["*"], optimizer: .adam(), learningRate: 1e-2)])
        return LanguageModelTrainer(model: model, optimizer: optimizer, clipNorm: 1, seed: seed)
    }

    func testPerplexityFallsOnASmallCorpus() throws {
        var trainer = try makeTrainer(seed: 1)
        let batches = BPTTBatches(stream: Self.corpus(words: 2000, seed: 2), batch: 4, bptt: 12)
        let before = trainer.perplexity(batches)
        for _ in 0..<25 { _ = trainer.trainEpoch(batches) }
        let after = trainer.perplexity(batches)
        // Uniform guessing over 10 tokens is 10; the grammar allows e^((ln 3 + ln 2)/4) ≈ 1.57.
        XCTAssertGreaterThan(before, 8)
        XCTAssertLessThan(after, 2.5, "perplexity \(before) → \(after)")
    }

    /// Same seed, one BLAS thread, two trainings with dropout → identical loss trajectories, bit for bit.
    func testTrainingIsDeterministicForASeed() throws {
        BLAS.threads = 1
        let batches = BPTTBatches(stream: Self.corpus(words: 600, seed: 3), batch: 3, bptt: 10)
        var first = try makeTrainer(seed: 5), second = try makeTrainer(seed: 5), other = try makeTrainer(seed: 6)
        let a = (0..<2).flatMap { _ in first.trainEpoch(batches) }
        let b = (0..<2).flatMap { _ in second.trainEpoch(batches) }
        XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern))
        XCTAssertNotEqual(a, (0..<2).flatMap { _ in other.trainEpoch(batches) })
    }

    /// Tied weights: the decoder is the embedding table, listed once, and receives both gradients.
    func testTiedModelGradientCheck() {
        var rng = RandomGenerator(seed: 8)
        let model = LSTMLanguageModel(LanguageModelConfig(vocabulary: 6, embedding: 3, hidden: 4, layers: 2, tied: true), rng: &rng)
        XCTAssertFalse(model.parameters.map(\.name).contains("decoder.weight"))
        XCTAssertEqual(model.encoder.hiddenSizes, [4, 3])
        let inputs: [Int32] = [1, 2, 3, 4, 5, 0], targets: [Int32] = [2, 3, 4, 5, 0, 1]
        gradientCheck(inputs: [], parameters: model.parameters, epsilon: 3e-3) { tape, _ in
            model.loss(tape, inputs: inputs, targets: targets, time: 3, batch: 2, state: nil).0
        }
    }

    func testBPTTWindowsContinueColumns() {
        let batches = BPTTBatches(stream: (0..<20).map(Int32.init), batch: 2, bptt: 4)
        // Columns: 0…9 and 10…19; 9 rows of inputs → windows of 4, 4, 1.
        let windows = Array(batches)
        XCTAssertEqual(windows.map(\.time), [4, 4, 1])
        XCTAssertEqual(batches.count, 3)
        XCTAssertEqual(windows[0].inputs, [0, 10, 1, 11, 2, 12, 3, 13])
        XCTAssertEqual(windows[0].targets, [1, 11, 2, 12, 3, 13, 4, 14])
        XCTAssertEqual(windows[2].inputs, [8, 18])
        XCTAssertEqual(windows[2].targets, [9, 19])
    }
}
