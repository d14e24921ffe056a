import Autodiff
import Numerics

/// A batch for the encoder: token ids and token types [B·T] row-major, right-padded; each sequence's length.
public struct BertBatch {
    public let ids: [Int32]
    public let typeIds: [Int32]
    public let lengths: [Int]
    public let time: Int
    public var size: Int { lengths.count }

    public init(ids: [Int32], typeIds: [Int32]? = nil, lengths: [Int], time: Int) {
        precondition(ids.count == lengths.count * time, "BertBatch: \(ids.count) ids for \(lengths.count) sequences of \(time)")
        self.ids = ids; self.typeIds = typeIds ?? Array(repeating: 0, count: ids.count); self.lengths = lengths; self.time = time
    }

    /// [B·H, 1, T]: 1 where a key is a token, 0 where it is padding.
    func keyMask(heads: Int) -> Tensor {
        let mask = Tensor(zeros: [size * heads, 1, time])
        for b in 0..<size {
            for h in 0..<heads { (mask.data + (b * heads + h) * time).update(repeating: 1, count: min(lengths[b], time)) }
        }
        return mask
    }
}

/// BERT's encoder (Devlin et al. 2019): word + position + token-type embeddings with LayerNorm and dropout,
/// post-LN layers, and the pooler (dense + tanh on [CLS]) where the checkpoint has one. Names are Hugging Face's.
public final class BertEncoder: ParameterContainer {
    public let config: BertConfig
    public let wordEmbeddings: Embedding
    public let positionEmbeddings: Embedding
    public let tokenTypeEmbeddings: Embedding
    public let embeddingNorm: LayerNorm
    public private(set) var layers: [BertLayer]
    public let pooler: Linear?
    /// A soft prompt spliced in after [CLS] (prompt tuning), when one is attached.
    public private(set) var prompt: SoftPrompt?

    /// Fresh weights as BERT initialises them (N(0, initializer_range), the padding row zero, LayerNorms at 1 and 0).
    public init(_ config: BertConfig, pooler: Bool = true, rng: inout RandomGenerator) {
        func table(_ name: String, _ rows: Int, padding: Int32? = nil) -> Embedding {
            let t = Tensor(zeros: [rows, config.hidden])
            rng.fillNormal(t, std: config.initializerRange)
            if let padding { (t.data + Int(padding) * config.hidden).update(repeating: 0, count: config.hidden) }
            return Embedding(table: Parameter("embeddings.\(name).weight", t), paddingIndex: padding)
        }
        self.config = config
        wordEmbeddings = table("word_embeddings", config.vocabularySize, padding: config.padTokenId)
        positionEmbeddings = table("position_embeddings", config.maxPositions)
        tokenTypeEmbeddings = table("token_type_embeddings", config.typeVocabularySize)
        embeddingNorm = LayerNorm("embeddings.LayerNorm", width: config.hidden, epsilon: config.layerNormEpsilon)
        layers = (0..<config.layers).map { BertLayer("encoder.layer.\($0)", config, rng: &rng) }
        self.pooler = pooler ? Linear.bert("pooler.dense", inputs: config.hidden, outputs: config.hidden, config, rng: &rng) : nil
    }

    public var parameters: [Parameter] {
        wordEmbeddings.parameters + positionEmbeddings.parameters + tokenTypeEmbeddings.parameters + embeddingNorm.parameters
            + layers.flatMap(\.parameters) + (pooler?.parameters ?? []) + (prompt?.parameters ?? [])
    }

    /// Attaches a bottleneck adapter of `size` after both sub-layers of every layer (Houlsby et al. 2019).
    public func attachAdapters(size: Int, rng: inout RandomGenerator) {
        for i in layers.indices {
            let name = "encoder.layer.\(i)"
            layers[i].attentionAdapter = BottleneckAdapter("\(name).attention.output", width: config.hidden, size: size, rng: &rng)
            layers[i].outputAdapter = BottleneckAdapter("\(name).output", width: config.hidden, size: size, rng: &rng)
        }
    }

    /// Attaches a rank-`rank` update beside each `targets` dense layer of every layer (LoRA, Hu et al. 2022).
    public func attachLowRank(_ targets: [LowRankTarget], rank: Int, alpha: Float, dropout: Float = 0, rng: inout RandomGenerator) {
        for i in layers.indices {
            for target in targets {
                layers[i].lowRank[target] = LowRankUpdate(beside: layers[i].dense(target), rank: rank, alpha: alpha, dropout: dropout, rng: &rng)
            }
        }
    }

    /// Attaches a soft prompt initialised from the word embeddings of `tokens` (Lester et al. 2021).
    public func attachPrompt(copying tokens: [Int32]) {
        prompt = SoftPrompt(copying: tokens, of: wordEmbeddings.table.value)
    }

    /// What a forward pass gives: the last hidden states [B, T, d], every layer's output (the embeddings'
    /// first) when asked, the pooled [CLS] [B, d] when the encoder has a pooler, and each sequence's length as
    /// the layers saw it (a soft prompt lengthens it).
    public struct Output {
        public let hidden: Variable
        public let layers: [Variable]
        public let pooled: Variable?
        public let lengths: [Int]
    }

    public func callAsFunction(_ tape: Tape, _ tokens: BertBatch, keepLayers: Bool = false) -> Output {
        var words = wordEmbeddings(tape, tokens.ids, shape: [tokens.size, tokens.time])
        var batch = tokens
        if let prompt {
            words = prompt.splice(tape, words: words, batch: tokens)
            batch = prompt.extend(tokens)
        }
        let (b, t) = (batch.size, batch.time)
        precondition(t <= config.maxPositions, "sequence of \(t) tokens exceeds \(config.maxPositions) positions")
        let positions = (0..<(b * t)).map { Int32($0 % t) }
        var x = tape.add(tape.add(words, positionEmbeddings(tape, positions, shape: [b, t])), tokenTypeEmbeddings(tape, batch.typeIds, shape: [b, t]))
        x = tape.dropout(embeddingNorm(tape, x), p: config.hiddenDropout)
        var outputs = keepLayers ? [x] : []
        let mask = batch.keyMask(heads: config.heads)
        for layer in layers {
            x = layer(tape, x, keyMask: mask)
            if keepLayers { outputs.append(x) }
        }
        let pooled = pooler.map { tape.tanh($0(tape, tape.firstStep(x))) }
        return Output(hidden: x, layers: outputs, pooled: pooled, lengths: batch.lengths)
    }
}

