import Autodiff
import Numerics

extension BertEncoder {
    /// The pooled final states [n, H] of token sequences, in their order, nothing trained (feature extraction, as
    /// in Devlin et al. 2019 §5.3); computed shortest first, `batchSize` at a time, so batches pad little.
    public func pooledFeatures(_ sequences: [[Int32]], pooling: SequencePooling, padding: Int32, batchSize: Int = 64) -> [Float] {
        let width = config.hidden
        let order = sequences.indices.sorted { (sequences[$0].count, $0) < (sequences[$1].count, $1) }
        var out = [Float](repeating: 0, count: sequences.count * width)
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let chosen = order[start..<min(start + batchSize, order.count)]
            let time = chosen.map { sequences[$0].count }.max()!
            let ids = chosen.flatMap { sequences[$0] + Array(repeating: padding, count: time - sequences[$0].count) }
            let tape = Tape(training: false)
            let pooled = tape.value(pooling.pool(tape, self(tape, BertBatch(ids: ids, lengths: chosen.map { sequences[$0].count }, time: time))))
            for (r, row) in chosen.enumerated() {
                for k in 0..<width { out[row * width + k] = pooled.data[r * width + k] }
            }
        }
        return out
    }
}
