import Autodiff
import Models
import Numerics
import XCTest

/// An encoder's frozen features for a linear probe: computed in length-sorted, padded batches, each row must be
/// its own sequence's pooled state, as if the sequence were encoded alone (the key mask keeps padding out).
final class BertFeaturesTests: XCTestCase {
    let config = BertConfig(vocabularySize: 20, hidden: 8, layers: 2, heads: 2, intermediate: 12, maxPositions: 16)

    func testPooledFeaturesBelongToTheirSequences() {
        var rng = RandomGenerator(seed: 3)
        let encoder = BertEncoder(config, pooler: true, rng: &rng)
        var data = RandomGenerator(seed: 4)
        // 40 sequences of 1 to 12 tokens in no order: three batches of 16 with mixed positions and padding.
        let sequences = (0..<40).map { _ in (0...data.int(below: 12)).map { _ in Int32(1 + data.int(below: 19)) } }
        for pooling in [SequencePooling.cls, .mean] {
            let features = encoder.pooledFeatures(sequences, pooling: pooling, padding: 0, batchSize: 16)
            XCTAssertEqual(features.count, sequences.count * config.hidden)
            for (i, sequence) in sequences.enumerated() {
                let tape = Tape(training: false)
                let output = encoder(tape, BertBatch(ids: sequence, lengths: [sequence.count], time: sequence.count))
                let alone = tape.value(pooling == .cls ? tape.tanh(encoder.pooler!(tape, tape.firstStep(output.hidden)))
                                                       : tape.meanOverTime(output.hidden, lengths: [sequence.count]))
                for k in 0..<config.hidden {
                    XCTAssertEqual(features[i * config.hidden + k], alone.data[k], accuracy: 1e-5, "\(pooling) sequence \(i), feature \(k)")
                }
            }
            XCTAssertNotEqual(Array(features[0..<config.hidden]), Array(features[config.hidden..<(2 * config.hidden)]), "distinct sequences, distinct features")
        }
    }
}
