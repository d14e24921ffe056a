import Autodiff
import Numerics

/// Task heads on `BertEncoder`'s output, named as Hugging Face's `BertFor…` models name theirs, fresh weights
/// N(0, initializer_range) and zero biases (Devlin et al. 2019, §3–4).

/// How a sequence becomes one vector: the pooler on [CLS] (or [CLS] itself where the encoder has no pooler),
/// or the mean over its tokens (sentence-transformers' pooling).
public enum SequencePooling: String, Codable, Sendable {
    case cls, mean

    /// One vector [B, H] per sequence of the encoder's output.
    public func pool(_ tape: Tape, _ output: BertEncoder.Output) -> Variable {
        switch self {
        case .cls: output.pooled ?? tape.firstStep(output.hidden)
        case .mean: tape.meanOverTime(output.hidden, lengths: output.lengths)
        }
    }
}

/// Sequence classification: pooled vector → dropout → `classifier` (`BertForSequenceClassification`).
public struct SequenceClassificationHead: ParameterContainer {
    public let classifier: Linear
    public let pooling: SequencePooling
    public let dropout: Float

    public init(_ config: BertConfig, classes: Int, pooling: SequencePooling = .cls, dropout: Float? = nil, rng: inout RandomGenerator) {
        classifier = .bert("classifier", inputs: config.hidden, outputs: classes, config, rng: &rng)
        self.pooling = pooling; self.dropout = dropout ?? config.hiddenDropout
    }

    public var parameters: [Parameter] { classifier.parameters }

    /// Logits [B, classes].
    public func callAsFunction(_ tape: Tape, _ output: BertEncoder.Output) -> Variable {
        classifier(tape, tape.dropout(pooling.pool(tape, output), p: dropout))
    }
}

/// Token classification: every token's state → dropout → `classifier` (`BertForTokenClassification`).
public struct TokenClassificationHead: ParameterContainer {
    public let classifier: Linear
    public let dropout: Float

    public init(_ config: BertConfig, classes: Int, dropout: Float? = nil, rng: inout RandomGenerator) {
        classifier = .bert("classifier", inputs: config.hidden, outputs: classes, config, rng: &rng)
        self.dropout = dropout ?? config.hiddenDropout
    }

    public var parameters: [Parameter] { classifier.parameters }

    /// Logits [B, T, classes] (as a matrix, row b·T + t for token t of sequence b).
    public func callAsFunction(_ tape: Tape, _ output: BertEncoder.Output) -> Variable {
        classifier(tape, tape.dropout(output.hidden, p: dropout))
    }
}

/// Masked-language-model head (`cls.predictions`): dense → GELU → LayerNorm, then the decoder tied to the word
/// embeddings plus an output bias. Checkpoints without one (the MiniLMs here) start it fresh.
public struct MaskedLanguageModelHead: ParameterContainer {
    public let transform: Linear
    public let norm: LayerNorm
    public let bias: Parameter

    public init(_ config: BertConfig, rng: inout RandomGenerator) {
        transform = .bert("cls.predictions.transform.dense", inputs: config.hidden, outputs: config.hidden, config, rng: &rng)
        norm = LayerNorm("cls.predictions.transform.LayerNorm", width: config.hidden, epsilon: config.layerNormEpsilon)
        bias = Parameter("cls.predictions.bias", Tensor(zeros: [config.vocabularySize]))
    }

    public var parameters: [Parameter] { transform.parameters + norm.parameters + [bias] }

    /// Mean cross-entropy of the tokens at `positions` (rows b·T + t of the hidden states) against `targets`;
    /// only those rows are transformed and scored.
    public func loss(_ tape: Tape, _ output: BertEncoder.Output, encoder: BertEncoder, positions: [Int], targets: [Int32]) -> Variable {
        let states = norm(tape, tape.gelu(transform(tape, tape.gatherRows(output.hidden, positions))))
        return tape.linearCrossEntropy(states, weight: tape.parameter(encoder.wordEmbeddings.table), bias: tape.parameter(bias), targets: targets)
    }
}

/// Next-sentence prediction (`cls.seq_relationship`): the pooled output → 2 logits (is next, is random).
public struct NextSentenceHead: ParameterContainer {
    public let classifier: Linear

    public init(_ config: BertConfig, rng: inout RandomGenerator) {
        classifier = .bert("cls.seq_relationship", inputs: config.hidden, outputs: 2, config, rng: &rng)
    }

    public var parameters: [Parameter] { classifier.parameters }

    public func callAsFunction(_ tape: Tape, _ output: BertEncoder.Output) -> Variable {
        classifier(tape, output.pooled ?? tape.firstStep(output.hidden))
    }
}

/// Span extraction (`qa_outputs`, as `BertForQuestionAnswering`): each token → a start and an end logit.
public struct SpanHead: ParameterContainer {
    public let outputs: Linear

    public init(_ config: BertConfig, rng: inout RandomGenerator) {
        outputs = .bert("qa_outputs", inputs: config.hidden, outputs: 2, config, rng: &rng)
    }

    public var parameters: [Parameter] { outputs.parameters }

    /// Start and end logits, each [B, T].
    public func callAsFunction(_ tape: Tape, _ output: BertEncoder.Output) -> (start: Variable, end: Variable) {
        let shape = tape.value(output.hidden).shape
        let logits = outputs(tape, output.hidden)  // [B, T, 2]
        let rows = shape[0] * shape[1]
        let flat = tape.reshape(logits, [rows * 2, 1])
        let start = tape.gatherRows(flat, (0..<rows).map { 2 * $0 }), end = tape.gatherRows(flat, (0..<rows).map { 2 * $0 + 1 })
        return (tape.reshape(start, [shape[0], shape[1]]), tape.reshape(end, [shape[0], shape[1]]))
    }

    /// (CE(start) + CE(end)) / 2 over each sequence's positions, as `BertForQuestionAnswering` computes it.
    public func loss(_ tape: Tape, _ output: BertEncoder.Output, starts: [Int32], ends: [Int32]) -> Variable {
        let (s, e) = self(tape, output)
        return tape.scale(tape.add(tape.crossEntropy(s, targets: starts), tape.crossEntropy(e, targets: ends)), by: 0.5)
    }
}
