import Autodiff
import Numerics

/// A bidirectional LSTM tagger over word vectors (Huang et al. 2015; Lample et al. 2016's word level): each word's
/// forward and backward states, dropout, and a linear layer to its tag scores, [B·T, classes], read per word or, with
/// `crf`, by a CRF over the sentence. Parameters: `embedding.weight`, `encoder.forward.0.*`, `encoder.backward.0.*`,
/// `head.*` (and `crf.*`).
public struct BiLSTMTagger: TextClassifier {
    public let embeddings: WordEmbeddings
    public let forward: LSTMStack
    public let backward: LSTMStack
    public let head: Linear
    public let dropout: Float
    public let crf: CRFLayer?

    public init(table: Tensor, hidden: Int, dropout: Float, classes: Int, crf: Bool = false, paddingIndex: Int32 = 0, rng: inout RandomGenerator) {
        embeddings = WordEmbeddings(table: table, channels: .single, paddingIndex: paddingIndex)
        forward = LSTMStack("encoder.forward", inputSize: embeddings.width, hiddenSizes: [hidden], rng: &rng)
        backward = LSTMStack("encoder.backward", inputSize: embeddings.width, hiddenSizes: [hidden], rng: &rng)
        head = Linear("head", inputs: 2 * hidden, outputs: classes, rng: &rng)
        self.dropout = dropout
        self.crf = crf ? CRFLayer(tags: classes, rng: &rng) : nil
    }

    public var parameters: [Parameter] {
        embeddings.parameters + forward.parameters + backward.parameters + head.parameters + (crf?.parameters ?? [])
    }
    public var edgePadding: Int { 0 }

    public func logits(_ tape: Tape, _ batch: TokenBatch) -> Variable {
        let x = tape.dropout(embeddings(tape, batch.timeMajorIDs, shape: [batch.time, batch.batch])[0], p: dropout)  // [T, B, E]
        let (ahead, _) = forward(tape, x, lengths: batch.lengths)
        let (behind, _) = backward(tape, tape.reverseSequences(x, lengths: batch.lengths), lengths: batch.lengths)
        let states = tape.concatenate([ahead, tape.reverseSequences(behind, lengths: batch.lengths)])  // [T, B, 2H]
        return head(tape, tape.dropout(tape.swapLeadingAxes(states), p: dropout))  // [B, T, classes]
    }
}
