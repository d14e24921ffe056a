import Autodiff
import Numerics

/// A bidirectional LSTM with max-pooling over time (Conneau et al. 2017's BiLSTM-max), dropout and a
/// linear layer. Parameters: `embedding.weight` (+ `embedding_static.weight`), `encoder.forward.0.*`,
/// `encoder.backward.0.*`, `head.*`. Multichannel (Kim 2014's two copies of the vectors, one kept
/// static) feeds the LSTMs both channels side by side, [trained; static].
public struct BiLSTMClassifier: TextClassifier {
    public struct Config: Codable, Equatable, Sendable {
        public var hidden: Int = 128
        public var dropout: Float = 0.5
        public var channels: EmbeddingChannels = .single
        public init() {}
    }

    public let config: Config
    public let embeddings: WordEmbeddings
    public let forward: LSTMStack
    public let backward: LSTMStack
    public let head: Linear

    public init(config: Config, table: Tensor, classes: Int, paddingIndex: Int32 = 0, rng: inout RandomGenerator) {
        self.config = config
        embeddings = WordEmbeddings(table: table, channels: config.channels, paddingIndex: paddingIndex)
        forward = LSTMStack("encoder.forward", inputSize: embeddings.width, hiddenSizes: [config.hidden], rng: &rng)
        backward = LSTMStack("encoder.backward", inputSize: embeddings.width, hiddenSizes: [config.hidden], rng: &rng)
        head = Linear("head", inputs: 2 * config.hidden, outputs: classes, rng: &rng)
    }

    public var parameters: [Parameter] {
        embeddings.parameters + forward.parameters + backward.parameters + head.parameters
    }
    public var edgePadding: Int { 0 }

    public func logits(_ tape: Tape, _ batch: TokenBatch) -> Variable {
        let channels = embeddings(tape, batch.timeMajorIDs, shape: [batch.time, batch.batch])  // each [T, B, E]
        let x = channels.count == 1 ? channels[0] : tape.concatenate(channels)  // [T, B, E or 2E]
        let (ahead, _) = forward(tape, x, lengths: batch.lengths)
        let reversed = tape.reverseSequences(x, lengths: batch.lengths)
        let (behind, _) = backward(tape, reversed, lengths: batch.lengths)
        let states = tape.concatenate([ahead, tape.reverseSequences(behind, lengths: batch.lengths)])  // [T, B, 2H]
        let pooled = tape.maxOverTime(tape.swapLeadingAxes(states), lengths: batch.lengths)
        return head(tape, tape.dropout(pooled, p: config.dropout))
    }
}
