import Autodiff
import Models
import Numerics
import TestSupport
import XCTest

/// The encoder's own arithmetic, on a tiny configuration: its backward pass through every op against finite
/// differences (padding, token types, dropout in training), its names, and its freezing.
final class BertEncoderTests: XCTestCase {
    let config = BertConfig(vocabularySize: 11, hidden: 8, layers: 2, heads: 2, intermediate: 12, maxPositions: 8,
                            typeVocabularySize: 2, layerNormEpsilon: 1e-12, hiddenDropout: 0.1, attentionDropout: 0.1, initializerRange: 0.3)
    /// Two sequences of 5 (the second padded after 3 tokens), the first a pair with token types 0 and 1.
    let batch = BertBatch(ids: [2, 5, 7, 3, 9, 2, 4, 3, 0, 0], typeIds: [0, 0, 0, 1, 1, 0, 0, 0, 0, 0], lengths: [5, 3], time: 5)

    func model() -> BertEncoder {
        var rng = RandomGenerator(seed: 21)
        let encoder = BertEncoder(config, pooler: true, rng: &rng)
        // Non-trivial LayerNorm gains and biases, so their gradients are checked away from the identity.
        var init_ = RandomGenerator(seed: 22)
        for p in encoder.parameters where p.name.contains("LayerNorm") { init_.fillUniform(p.value, p.name.hasSuffix("weight") ? 0.5 : -0.5, p.name.hasSuffix("weight") ? 1.5 : 0.5) }
        return encoder
    }

    func testEveryParameterGradientThroughTheEncoderInTraining() {
        let encoder = model()
        // Padding row 0 of the word embeddings gets no gradient by definition (PyTorch's padding_idx).
        gradientCheck(inputs: [], parameters: encoder.parameters, epsilon: 1e-2, maxEntries: 12, training: true,
                      excluding: { name, index in name == "embeddings.word_embeddings.weight" && index < 8 }) { t, _ in
            let out = encoder(t, batch)
            return t.concatenate([t.meanOverTime(out.hidden, lengths: batch.lengths), out.pooled!])
        }
    }

    func testNamesAreHuggingFacesAndCountsMatchTheFormula() {
        let encoder = model()
        let names = Set(encoder.parameters.map(\.name))
        for name in ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight",
                     "embeddings.LayerNorm.weight", "encoder.layer.1.attention.self.query.weight", "encoder.layer.1.attention.self.key.bias",
                     "encoder.layer.0.attention.output.dense.weight", "encoder.layer.0.attention.output.LayerNorm.bias",
                     "encoder.layer.0.intermediate.dense.weight", "encoder.layer.1.output.dense.bias", "encoder.layer.1.output.LayerNorm.weight",
                     "pooler.dense.weight"] {
            XCTAssertTrue(names.contains(name), name)
        }
        let (v, d, f, l) = (11, 8, 12, 2)
        let embeddings = (v + 8 + 2) * d + 2 * d
        let layer = 4 * (d * d + d) + 2 * d + (d * f + f) + (f * d + d) + 2 * d
        XCTAssertEqual(encoder.parameterCount, embeddings + l * layer + d * d + d)
        XCTAssertEqual(names.count, encoder.parameters.count, "every name once")
    }

    /// Padding never changes a sequence's states: the same tokens unpadded give the same hidden states.
    func testPaddingDoesNotLeakIntoTokens() {
        let encoder = model()
        let tape = Tape(training: false)
        let padded = tape.value(encoder(tape, batch).hidden)
        let alone = tape.value(encoder(tape, BertBatch(ids: [2, 4, 3], lengths: [3], time: 3)).hidden)
        for t in 0..<3 {
            for c in 0..<8 { XCTAssertEqual(padded.data[(5 + t) * 8 + c], alone.data[t * 8 + c], accuracy: 1e-5) }
        }
    }

    /// A frozen parameter gets no gradient buffer work and keeps a zero gradient.
    func testFrozenParametersGetNoGradient() {
        let encoder = model()
        for p in encoder.parameters where !p.name.hasPrefix("encoder.layer.1.") && !p.name.hasPrefix("pooler") { p.requiresGrad = false }
        encoder.zeroGrad()
        let tape = Tape(training: true, rng: RandomGenerator(seed: 1))
        let out = encoder(tape, batch)
        tape.backward(tape.crossEntropy(out.pooled!, targets: [1, 3]))
        for p in encoder.parameters {
            let touched = (0..<p.count).contains { p.grad.data[$0] != 0 }
            XCTAssertEqual(touched, p.requiresGrad, p.name)
        }
    }

    /// Adapters (up-projection zero) and low-rank updates (B zero) start as the identity: the encoder's outputs
    /// with them are its outputs without them, bit for bit; they add the parameters their formulas count.
    func testAdaptersAndLowRankUpdatesStartAsTheIdentity() {
        let encoder = model()
        let before = encoder.parameterCount
        let tape = Tape(training: false)
        let plain = encoder(tape, batch)
        var rng = RandomGenerator(seed: 3)
        encoder.attachAdapters(size: 3, rng: &rng)
        encoder.attachLowRank(LowRankTarget.allCases, rank: 2, alpha: 4, rng: &rng)
        let added = encoder(tape, batch)
        XCTAssertTrue(tape.value(added.hidden).isIdentical(to: tape.value(plain.hidden)))
        XCTAssertTrue(tape.value(added.pooled!).isIdentical(to: tape.value(plain.pooled!)))
        let (d, f, m, r) = (8, 12, 3, 2)
        let adapters = 2 * (d * m + m + m * d + d)
        let lowRank = 4 * (r * d + d * r) + (r * d + f * r) + (r * f + d * r)
        XCTAssertEqual(encoder.parameterCount - before, 2 * (adapters + lowRank))
        let names = Set(encoder.parameters.map(\.name))
        for name in ["encoder.layer.1.attention.output.adapter.down.weight", "encoder.layer.0.output.adapter.up.bias",
                     "encoder.layer.0.attention.self.query.lora_A.weight", "encoder.layer.1.attention.self.value.lora_B.weight",
                     "encoder.layer.1.output.dense.lora_A.weight"] {
            XCTAssertTrue(names.contains(name), name)
        }
        XCTAssertEqual(names.count, encoder.parameters.count, "every name once")
    }

    /// Gradients through adapters, low-rank updates (with dropout) and a soft prompt, every parameter checked,
    /// the additions moved off their identity start so every path carries gradient.
    func testEveryParameterGradientWithAdaptersLowRankAndPrompt() {
        let encoder = model()
        var rng = RandomGenerator(seed: 4)
        encoder.attachAdapters(size: 3, rng: &rng)
        encoder.attachLowRank([.query, .value, .intermediate], rank: 2, alpha: 4, dropout: 0.1, rng: &rng)
        encoder.attachPrompt(copying: [4, 9, 4])
        for p in encoder.parameters where p.name.contains(".adapter.up.") || p.name.contains(".lora_B.") { rng.fillUniform(p.value, -0.3, 0.3) }
        gradientCheck(inputs: [], parameters: encoder.parameters, epsilon: 1e-2, maxEntries: 8, training: true,
                      excluding: { name, index in name == "embeddings.word_embeddings.weight" && index < 8 }) { t, _ in
            let out = encoder(t, batch)
            return t.concatenate([t.meanOverTime(out.hidden, lengths: out.lengths), out.pooled!])
        }
    }

    /// A soft prompt of 3 vectors copied from word embeddings, spliced after [CLS]: every sequence 3 longer, the
    /// pooler still on [CLS], the prompt's positions holding exactly what the same words would, and padding still
    /// not leaking into tokens.
    func testPromptIsSplicedAfterCLS() {
        let encoder = model()
        encoder.attachPrompt(copying: [4, 9, 4])
        XCTAssertEqual(encoder.prompt?.vectors.shape, [3, 8])
        let tape = Tape(training: false)
        let out = encoder(tape, batch)
        XCTAssertEqual(tape.value(out.hidden).shape, [2, 8, 8])
        XCTAssertEqual(out.lengths, [8, 6])
        // The prompt copied from words 4, 9, 4 behaves as those words written after [CLS].
        let spelled = BertBatch(ids: [2, 4, 9, 4, 4, 3], lengths: [6], time: 6)
        let plain = model()
        let reference = tape.value(plain(tape, spelled).hidden)
        let alone = tape.value(encoder(tape, BertBatch(ids: [2, 4, 3], lengths: [3], time: 3)).hidden)
        for i in 0..<(6 * 8) { XCTAssertEqual(alone.data[i], reference.data[i], accuracy: 1e-5) }
        let padded = tape.value(out.hidden)
        for i in 0..<(6 * 8) { XCTAssertEqual(padded.data[8 * 8 + i], alone.data[i], accuracy: 1e-5) }
    }
}
