import Autodiff
import Models
import Numerics
import TestSupport
import XCTest

/// The encoder's own arithmetic, on a tiny configuration: its backward pass through every op against finite
/// differences (padding, token types, dropout in training), its names, and its freezing.
final class BertEncoderTests: XCTestCase {
    let config = BertConfig(vocabularySize: 11, hidden: 8, layers: 2, heads: 2, intermediate: 12, maxPositions: 6,
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
        let embeddings = (v + 6 + 2) * d + 2 * d
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
}
