import Autodiff
import Models
import Numerics
import XCTest

/// The LM probe's features: computed in length-sorted batches, each row must be its own sequence's
/// concat-pooled states, as if the sequence were scored alone.
final class LanguageModelFeaturesTests: XCTestCase {
    func testPooledFeaturesBelongToTheirSequences() {
        var rng = RandomGenerator(seed: 7)
        let lm = LSTMLanguageModel(LanguageModelConfig(vocabulary: 30, embedding: 6, hidden: 10, layers: 2), rng: &rng)
        var data = RandomGenerator(seed: 8)
        // 150 sequences of 1 to 25 tokens in no order: three batches of mixed positions.
        let sequences = (0..<150).map { _ in (0...data.int(below: 25)).map { _ in Int32(4 + data.int(below: 26)) } }
        let features = lm.pooledFeatures(sequences)
        let width = 3 * lm.encoder.outputSize
        XCTAssertEqual(features.count, sequences.count * width)
        for (i, sequence) in sequences.enumerated() {
            let tape = Tape(training: false)
            let alone = tape.value(lm.concatPooled(tape, TokenBatch(sequences: [sequence], labels: [0])))
            for k in 0..<width { XCTAssertEqual(features[i * width + k], alone.data[k], accuracy: 1e-5, "sequence \(i), feature \(k)") }
        }
        XCTAssertNotEqual(Array(features[0..<width]), Array(features[width..<(2 * width)]), "distinct sequences, distinct features")
    }
}
