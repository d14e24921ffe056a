import Autodiff
import Numerics

extension LSTMLanguageModel {
    /// The concat-pooled states [n, 3H] of non-empty token sequences, in their order (ULMFiT's head input, Howard &
    /// Ruder 2018 §3.3); computed shortest first, `batchSize` at a time, and padding never reaches a state the encoder reads left to right.
    public func pooledFeatures(_ sequences: [[Int32]], batchSize: Int = 64) -> [Float] {
        lengthSortedRows(of: sequences, width: 3 * encoder.outputSize, batchSize: batchSize) { chosen in
            let tape = Tape(training: false)
            return tape.value(concatPooled(tape, TokenBatch(sequences: chosen.map { sequences[$0] }, labels: chosen.map { _ in 0 })))
        }
    }
}
