import Autodiff
import Numerics

/// Hyper-parameters of a word-level LSTM language model (Merity et al. 2018's AWD-LSTM family;
/// the reference benchmark model is the all-zero-dropout, untied case).
public struct LanguageModelConfig: Codable, Equatable, Sendable {
    public var vocabulary: Int
    public var embedding: Int
    public var hidden: Int
    public var layers: Int
    /// Decoder shares the embedding matrix (Press & Wolf 2017); the top layer then has the embedding's width.
    public var tied: Bool
    public var embeddingDropout: Float
    public var inputDropout: Float
    public var interLayerDropout: Float
    public var outputDropout: Float
    public var weightDrop: Float

    public init(vocabulary: Int, embedding: Int, hidden: Int, layers: Int, tied: Bool = false, embeddingDropout: Float = 0,
                inputDropout: Float = 0, interLayerDropout: Float = 0, outputDropout: Float = 0, weightDrop: Float = 0) {
        self.vocabulary = vocabulary; self.embedding = embedding; self.hidden = hidden; self.layers = layers; self.tied = tied
        self.embeddingDropout = embeddingDropout; self.inputDropout = inputDropout; self.interLayerDropout = interLayerDropout
        self.outputDropout = outputDropout; self.weightDrop = weightDrop
    }

    /// The model of the `lstm-lm` benchmark in ../shared/PERF.md: V 20,000, E 256, 2 × LSTM 512, untied, no dropout.
    public static let benchmark = LanguageModelConfig(vocabulary: 20_000, embedding: 256, hidden: 512, layers: 2)
}

/// Embedding → LSTM stack → linear decoder over the vocabulary, trained by truncated BPTT.
/// Parameters: `embedding.weight`, `encoder.<l>.*`, `decoder.weight` (absent when tied), `decoder.bias`.
public struct LSTMLanguageModel: ParameterContainer {
    public let config: LanguageModelConfig
    public let embedding: Embedding
    public let encoder: LSTMStack
    public let decoderWeight: Parameter
    public let decoderBias: Parameter

    public init(_ config: LanguageModelConfig, rng: inout RandomGenerator) {
        self.config = config
        embedding = Embedding("embedding", vocabulary: config.vocabulary, dimension: config.embedding,
                              uniformScale: config.tied ? 0.1 : nil, rng: &rng)
        var sizes = Array(repeating: config.hidden, count: config.layers)
        if config.tied { sizes[sizes.count - 1] = config.embedding }
        encoder = LSTMStack("encoder", inputSize: config.embedding, hiddenSizes: sizes, rng: &rng)
        let decoder = Linear("decoder", inputs: encoder.outputSize, outputs: config.vocabulary, rng: &rng)
        decoderWeight = config.tied ? embedding.table : decoder.weight
        decoderBias = decoder.bias!
    }

    public var parameters: [Parameter] {
        embedding.parameters + encoder.parameters + (config.tied ? [] : [decoderWeight]) + [decoderBias]
    }

    public func zeroState(batch: Int) -> [LSTMState] { encoder.zeroState(batch: batch) }

    /// The encoder's top output [T, B, H] for time-major token ids [T, B] and the carried state.
    public func encode(_ tape: Tape, _ ids: [Int32], time: Int, batch: Int, state: [LSTMState]?) -> (Variable, [LSTMState]) {
        var x = embedding(tape, ids, shape: [time, batch], dropout: config.embeddingDropout)
        x = tape.lockedDropout(x, p: config.inputDropout)
        let (out, final) = encoder(tape, x, state: state, interLayerDropout: config.interLayerDropout, weightDrop: config.weightDrop)
        return (tape.lockedDropout(out, p: config.outputDropout), final)
    }

    /// Mean next-token cross-entropy of one BPTT window: `inputs` and `targets` are time-major [T, B].
    /// Returns the loss and the detached final state to carry into the next window.
    public func loss(_ tape: Tape, inputs: [Int32], targets: [Int32], time: Int, batch: Int,
                     state: [LSTMState]?) -> (Variable, [LSTMState]) {
        let (hidden, final) = encode(tape, inputs, time: time, batch: batch, state: state)
        let loss = tape.linearCrossEntropy(hidden, weight: tape.parameter(decoderWeight),
                                           bias: tape.parameter(decoderBias), targets: targets)
        return (loss, final.map { $0.detached() })
    }
}

extension LSTMLanguageModel {
    /// The same model over a vocabulary grown to `vocabulary` words (new ids after the old ones): every weight kept,
    /// each new word's embedding row (and untied decoder row) the mean of the old rows and its decoder bias the mean
    /// bias — fastai's initialisation of words a pretrained language model has not seen.
    public func extended(to vocabulary: Int, rng: inout RandomGenerator) -> LSTMLanguageModel {
        precondition(vocabulary >= config.vocabulary, "a vocabulary only grows")
        var grown = config
        grown.vocabulary = vocabulary
        let model = LSTMLanguageModel(grown, rng: &rng)
        let old = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0) })
        for parameter in model.parameters {
            let source = old[parameter.name]!
            if parameter.shape == source.shape { parameter.value.assign(source.value); continue }
            // Rows per word: [V, …] (embedding, untied decoder weight) or [V] (decoder bias).
            let width = source.count / config.vocabulary
            let from = source.value.data, to = parameter.value.data
            for i in 0..<source.count { to[i] = from[i] }
            for k in 0..<width {
                var mean: Float = 0
                for w in 0..<config.vocabulary { mean += from[w * width + k] }
                mean /= Float(config.vocabulary)
                for w in config.vocabulary..<vocabulary { to[w * width + k] = mean }
            }
        }
        return model
    }
}
