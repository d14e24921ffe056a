import Numerics

extension Tape {
    /// Looks up `ids` (any shape, given by `shape`) in `table` [V, D] → [shape..., D].
    /// `paddingIndex` never receives gradient. `dropout` > 0 in training drops whole word types
    /// (embedding dropout, Merity et al. 2018), scaling kept rows by 1/(1−p).
    public func embedding(_ ids: [Int32], shape: [Int], table: Variable, paddingIndex: Int32? = nil,
                          dropout: Float = 0) -> Variable {
        let t = value(table)
        precondition(shape.reduce(1, *) == ids.count, "embedding: \(ids.count) ids for shape \(shape)")
        let rowScale = isTraining && dropout > 0 ? DropoutKernel.mask(count: t.rows, p: dropout, rng: &rng) : nil
        let out = Tensor(zeros: shape + [t.columns])
        EmbeddingKernel.forward(ids: ids, table: t, rowScale: rowScale, out: out)
        return record(out, inputs: [table]) { tape, g in
            if let dTable = tape.gradientBuffer(table) {
                EmbeddingKernel.backward(ids: ids, dOut: g, rowScale: rowScale, paddingIndex: paddingIndex, dTable: dTable)
            }
        }
    }
}
