import Autodiff
import Numerics

/// A classifier that also has an auxiliary loss on the same batch (SiATL's language-model loss).
public protocol AuxiliaryLossModel: TextClassifier {
    /// Class scores and the auxiliary loss, from one forward pass.
    func logitsAndAuxiliaryLoss(_ tape: Tape, _ batch: TokenBatch) -> (logits: Variable, auxiliary: Variable)
}

/// ULMFiT's classifier (Howard & Ruder 2018, §3.3): the pretrained language model's embedding and
/// LSTM encoder, concat pooling [h_T, max-pool, mean-pool] of the top layer's states over time, and
/// a two-layer head (Linear → ReLU → dropout → Linear), with `batchNorm` the paper's batch normalisation
/// at the start of each of its blocks (BN → Linear → ReLU, BN → dropout → Linear; fastai's order).
/// Parameters: `embedding.weight`, `encoder.<l>.*` (shared with `languageModel`), `head.hidden.*`,
/// `head.output.*`, and with batch norm `head.input_norm.*` and `head.hidden_norm.*` (whose running
/// estimates are the model's buffers).
public struct ULMFiTClassifier: TextClassifier {
    public struct Config: Codable, Equatable, Sendable {
        public var headHidden = 50
        public var dropout: Float = 0.1
        public var batchNorm = false
        public init() {}
    }

    public let config: Config
    public let languageModel: LSTMLanguageModel
    public let inputNorm: BatchNorm?
    public let hidden: Linear
    public let hiddenNorm: BatchNorm?
    public let output: Linear

    public init(languageModel: LSTMLanguageModel, config: Config, classes: Int, rng: inout RandomGenerator) {
        self.config = config
        self.languageModel = languageModel
        let pooled = 3 * languageModel.encoder.outputSize
        inputNorm = config.batchNorm ? BatchNorm("head.input_norm", features: pooled) : nil
        hidden = Linear("head.hidden", inputs: pooled, outputs: config.headHidden, rng: &rng)
        hiddenNorm = config.batchNorm ? BatchNorm("head.hidden_norm", features: config.headHidden) : nil
        output = Linear("head.output", inputs: config.headHidden, outputs: classes, rng: &rng)
    }

    public var parameters: [Parameter] {
        languageModel.embedding.parameters + languageModel.encoder.parameters + (inputNorm?.parameters ?? []) + hidden.parameters
            + (hiddenNorm?.parameters ?? []) + output.parameters
    }
    public var buffers: [Parameter] { (inputNorm?.buffers ?? []) + (hiddenNorm?.buffers ?? []) }
    public var edgePadding: Int { 0 }

    public func logits(_ tape: Tape, _ batch: TokenBatch) -> Variable {
        var x = languageModel.concatPooled(tape, batch)
        if let inputNorm { x = inputNorm(tape, x) }
        x = tape.relu(hidden(tape, x))
        if let hiddenNorm { x = hiddenNorm(tape, x) }
        return output(tape, tape.dropout(x, p: config.dropout))
    }
}

extension LSTMLanguageModel {
    /// ULMFiT's concat pooling (Howard & Ruder 2018, §3.3): [h_T, max-pool, mean-pool] of the top layer's states
    /// over each sequence's own length, [B, 3H]. The encoder runs left to right, so padding after a sequence never
    /// reaches its pooled states.
    public func concatPooled(_ tape: Tape, _ batch: TokenBatch) -> Variable {
        let (states, _) = encode(tape, batch.timeMajorIDs, time: batch.time, batch: batch.batch, state: nil)
        let h = tape.swapLeadingAxes(states)  // [B, T, H]
        return tape.concatenate([tape.lastStep(h, lengths: batch.lengths), tape.maxOverTime(h, lengths: batch.lengths),
                                 tape.meanOverTime(h, lengths: batch.lengths)])
    }
}

/// SiATL's classifier (Chronopoulou et al. 2019, §2): the pretrained language model (embedding,
/// LSTM encoder, tied output layer) feeds a new task LSTM whose states are pooled by self-attention
/// into a linear output layer; the language model's next-word loss on the same text is the
/// auxiliary loss. Parameters: the language model's (`embedding.weight`, `encoder.<l>.*`,
/// `decoder.bias`), `task.lstm.0.*`, `task.attention.weight|bias|query`, `head.*`.
public struct SiATLClassifier: AuxiliaryLossModel {
    public struct Config: Codable, Equatable, Sendable {
        public var taskHidden = 100
        public var dropout: Float = 0.1
        public init() {}
    }

    public let config: Config
    public let languageModel: LSTMLanguageModel
    public let task: LSTMStack
    public let attention: Linear
    public let query: Parameter
    public let head: Linear

    public init(languageModel: LSTMLanguageModel, config: Config, classes: Int, rng: inout RandomGenerator) {
        self.config = config
        self.languageModel = languageModel
        task = LSTMStack("task.lstm", inputSize: languageModel.encoder.outputSize, hiddenSizes: [config.taskHidden], rng: &rng)
        attention = Linear("task.attention", inputs: config.taskHidden, outputs: config.taskHidden, rng: &rng)
        let q = Tensor(zeros: [config.taskHidden])
        rng.fillUniform(q, -0.1, 0.1)
        query = Parameter("task.attention.query", q)
        head = Linear("head", inputs: config.taskHidden, outputs: classes, rng: &rng)
    }

    public var parameters: [Parameter] {
        languageModel.parameters + task.parameters + attention.parameters + [query] + head.parameters
    }
    public var edgePadding: Int { 0 }

    /// Class scores alone: evaluation and epochs without the auxiliary loss skip the language model's
    /// vocabulary-wide softmax (the same draws of dropout either way, so the scores are the same).
    public func logits(_ tape: Tape, _ batch: TokenBatch) -> Variable {
        let (states, _) = languageModel.encode(tape, batch.timeMajorIDs, time: batch.time, batch: batch.batch, state: nil)  // [T, B, H]
        return classify(tape, states, batch)
    }

    public func logitsAndAuxiliaryLoss(_ tape: Tape, _ batch: TokenBatch) -> (logits: Variable, auxiliary: Variable) {
        let ids = batch.timeMajorIDs
        let (states, _) = languageModel.encode(tape, ids, time: batch.time, batch: batch.batch, state: nil)  // [T, B, H]
        // Next-word targets of every valid position but each sequence's last (time-major, -1 = ignored).
        var targets = [Int32](repeating: -1, count: batch.time * batch.batch)
        for b in 0..<batch.batch {
            for t in 0..<max(batch.lengths[b] - 1, 0) { targets[t * batch.batch + b] = ids[(t + 1) * batch.batch + b] }
        }
        let flat = tape.reshape(states, [batch.time * batch.batch, languageModel.encoder.outputSize])
        let lmLoss = tape.linearCrossEntropy(flat, weight: tape.parameter(languageModel.decoderWeight),
                                             bias: tape.parameter(languageModel.decoderBias), targets: targets, ignoreIndex: -1)
        return (classify(tape, states, batch), lmLoss)
    }

    /// The task LSTM over the language model's states, self-attention pooling, dropout, the output layer.
    private func classify(_ tape: Tape, _ states: Variable, _ batch: TokenBatch) -> Variable {
        let (taskStates, _) = task(tape, states, lengths: batch.lengths)
        let h = tape.swapLeadingAxes(taskStates)  // [B, T, h]
        let keys = tape.tanh(attention(tape, h))
        let pooled = tape.attentionPool(keys: keys, values: h, query: tape.parameter(query), lengths: batch.lengths)
        return head(tape, tape.dropout(pooled, p: config.dropout))
    }
}
