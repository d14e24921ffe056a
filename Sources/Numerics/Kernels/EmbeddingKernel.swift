/// Row gather from an embedding table, with a sparse (scatter-add) backward.
public enum EmbeddingKernel {
    /// out[i] = table[ids[i]] · (rowScale?[ids[i]] ?? 1); `table` is [vocabulary, dim], `out` [ids.count, dim].
    /// `rowScale` implements embedding dropout (Gal & Ghahramani 2016; Merity et al. 2018): one
    /// keep/drop decision per word type, scaled by 1/(1−p).
    public static func forward(ids: [Int32], table: Tensor, rowScale: Tensor? = nil, out: Tensor) {
        let dim = table.columns, vocabulary = table.rows
        precondition(out.count == ids.count * dim, "embedding output \(out.shape) for \(ids.count) ids × \(dim)")
        for (i, id) in ids.enumerated() {
            precondition(id >= 0 && Int(id) < vocabulary, "token id \(id) outside vocabulary of \(vocabulary)")
            let src = table.data + Int(id) * dim, dst = out.data + i * dim
            if let scale = rowScale?.data[Int(id)] {
                for j in 0..<dim { dst[j] = src[j] * scale }
            } else {
                dst.update(from: src, count: dim)
            }
        }
    }

    /// dTable[ids[i]] += dOut[i] · scale, skipping `paddingIndex` (its row never learns, as PyTorch's
    /// `padding_idx`). Returns the rows touched, for sparse optimizers.
    @discardableResult
    public static func backward(ids: [Int32], dOut: Tensor, rowScale: Tensor? = nil, paddingIndex: Int32? = nil,
                                dTable: Tensor) -> Set<Int32> {
        let dim = dTable.columns
        var touched = Set<Int32>()
        for (i, id) in ids.enumerated() where id != paddingIndex {
            let scale = rowScale?.data[Int(id)] ?? 1
            if scale == 0 { continue }
            BLAS.axpy(count: dim, alpha: scale, x: dOut.data + i * dim, y: dTable.data + Int(id) * dim)
            touched.insert(id)
        }
        return touched
    }
}
