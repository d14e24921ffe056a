import Numerics

/// Rows [n, width] for `sequences`, in their order, computed shortest first `batchSize` at a time so batches pad
/// little; `rows(chosen)` gives the rows [b, width] of the sequences at the indices `chosen`, in that order.
func lengthSortedRows(of sequences: [[Int32]], width: Int, batchSize: Int, _ rows: (_ chosen: [Int]) -> Tensor) -> [Float] {
    let order = sequences.indices.sorted { (sequences[$0].count, $0) < (sequences[$1].count, $1) }
    var out = [Float](repeating: 0, count: sequences.count * width)
    for start in stride(from: 0, to: order.count, by: batchSize) {
        let chosen = Array(order[start..<min(start + batchSize, order.count)])
        let batch = rows(chosen)
        precondition(batch.shape == [chosen.count, width], "rows of shape \(batch.shape) for \(chosen.count) sequences of width \(width)")
        for (r, row) in chosen.enumerated() {
            for k in 0..<width { out[row * width + k] = batch.data[r * width + k] }
        }
    }
    return out
}
