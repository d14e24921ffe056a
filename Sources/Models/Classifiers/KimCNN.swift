import Autodiff
import Numerics

/// Kim (2014), "Convolutional Neural Networks for Sentence Classification": word vectors →
/// parallel 1-D convolutions (windows 3, 4, 5 × 100 maps), ReLU, max-over-time pooling,
/// dropout, softmax layer (whose rows the max-norm constraint bounds, set on its parameter group).
/// Parameters: `embedding.weight` (+ `embedding_static.weight`), `conv.<w>.weight|bias`, `head.weight|bias`.
public struct KimCNN: TextClassifier {
    public struct Config: Codable, Equatable, Sendable {
        public var windows: [Int] = [3, 4, 5]
        public var maps: Int = 100
        public var dropout: Float = 0.5
        public var channels: EmbeddingChannels = .single
        public init() {}
    }

    public let config: Config
    public let embeddings: WordEmbeddings
    public let convolutions: [(weight: Parameter, bias: Parameter)]
    public let head: Linear

    /// `table` initialises the embedding (pretrained vectors or random rows); multichannel copies it.
    public init(config: Config, table: Tensor, classes: Int, paddingIndex: Int32 = 0, rng: inout RandomGenerator) {
        self.config = config
        embeddings = WordEmbeddings(table: table, channels: config.channels, paddingIndex: paddingIndex)
        let dim = table.dim(1)
        convolutions = config.windows.map { width in
            // PyTorch's Conv1d initialisation: U(−1/√fan_in, 1/√fan_in), fan_in = width·dim.
            let bound = 1 / Float(width * dim).squareRoot()
            let w = Tensor(zeros: [width, config.maps, dim]); rng.fillUniform(w, -bound, bound)
            let b = Tensor(zeros: [config.maps]); rng.fillUniform(b, -bound, bound)
            return (Parameter("conv.\(width).weight", w), Parameter("conv.\(width).bias", b))
        }
        head = Linear("head", inputs: config.maps * config.windows.count, outputs: classes, rng: &rng)
    }

    public var parameters: [Parameter] {
        embeddings.parameters + convolutions.flatMap { [$0.weight, $0.bias] } + head.parameters
    }

    public var edgePadding: Int { (config.windows.max() ?? 1) - 1 }

    public func logits(_ tape: Tape, _ batch: TokenBatch) -> Variable {
        let channels = embeddings(tape, batch.ids, shape: [batch.batch, batch.time])
        let pooled = zip(config.windows, convolutions).map { width, conv -> Variable in
            let maps = channels.map { tape.conv1d($0, weight: tape.parameter(conv.weight), bias: tape.parameter(conv.bias)) }
            let summed = maps.count == 1 ? maps[0] : tape.add(maps[0], maps[1])
            let lengths = batch.lengths.map { Swift.max($0 - width + 1, 1) }
            return tape.maxOverTime(tape.relu(summed), lengths: lengths)
        }
        let features = tape.dropout(tape.concatenate(pooled), p: config.dropout)
        return head(tape, features)
    }
}
