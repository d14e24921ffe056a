import Autodiff
import Numerics

/// Prompt tuning (Lester et al. 2021): `length` trained vectors in the word-embedding space, inserted after [CLS]
/// so the classifier still reads [CLS]; each starts as the embedding of a vocabulary token (the paper samples the
/// 5,000 most common). Named `embeddings.prompt.weight` [length, d].
public struct SoftPrompt: ParameterContainer {
    public let vectors: Parameter
    public var length: Int { vectors.shape[0] }

    /// The prompt initialised from rows `tokens` of `wordEmbeddings`.
    public init(copying tokens: [Int32], of wordEmbeddings: Tensor) {
        let d = wordEmbeddings.columns
        let t = Tensor(zeros: [tokens.count, d])
        for (row, id) in tokens.enumerated() { (t.data + row * d).update(from: wordEmbeddings.data + Int(id) * d, count: d) }
        vectors = Parameter("embeddings.prompt.weight", t)
    }

    public var parameters: [Parameter] { [vectors] }

    /// Word vectors [B, T, d] of `batch` with the prompt spliced in after each sequence's first token → [B, T + length, d].
    func splice(_ tape: Tape, words: Variable, batch: BertBatch) -> Variable {
        let (b, t, p) = (batch.size, batch.time, length)
        var rows: [Int] = []
        rows.reserveCapacity(b * (t + p))
        for s in 0..<b {
            rows.append(s * t)
            rows += (0..<p).map { b * t + $0 }
            rows += (1..<max(t, 1)).map { s * t + $0 }
        }
        let spliced = tape.gatherRows(tape.concatenateRows([words, tape.parameter(vectors)]), rows)
        return tape.reshape(spliced, [b, t + p, tape.value(words).columns])
    }

    /// `batch` as the encoder sees it with the prompt inserted: token types 0 at the prompt, lengths and time + length.
    func extend(_ batch: BertBatch) -> BertBatch {
        let (t, p) = (batch.time, length)
        var ids: [Int32] = [], types: [Int32] = []
        for s in 0..<batch.size {
            let row = s * t
            ids.append(batch.ids[row]); types.append(batch.typeIds[row])
            ids += Array(repeating: 0, count: p); types += Array(repeating: 0, count: p)
            ids += batch.ids[(row + 1)..<(row + t)]; types += batch.typeIds[(row + 1)..<(row + t)]
        }
        return BertBatch(ids: ids, typeIds: types, lengths: batch.lengths.map { $0 + p }, time: t + p)
    }
}
