import Autodiff
import Numerics

extension BertEncoder {
    /// The pooled final states [n, H] of token sequences, in their order, nothing trained (feature extraction, as
    /// in Devlin et al. 2019 §5.3); computed shortest first, `batchSize` at a time, so batches pad little.
    public func pooledFeatures(_ sequences: [[Int32]], pooling: SequencePooling, padding: Int32, batchSize: Int = 64) -> [Float] {
        lengthSortedRows(of: sequences, width: config.hidden, batchSize: batchSize) { chosen in
            let time = chosen.map { sequences[$0].count }.max()!
            let ids = chosen.flatMap { sequences[$0] + Array(repeating: padding, count: time - sequences[$0].count) }
            let tape = Tape(training: false)
            return tape.value(pooling.pool(tape, self(tape, BertBatch(ids: ids, lengths: chosen.map { sequences[$0].count }, time: time))))
        }
    }
}
