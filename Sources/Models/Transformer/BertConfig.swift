import Foundation

/// The shape of a BERT encoder (Devlin et al. 2019), read from Hugging Face's `config.json` fields.
public struct BertConfig: Codable, Equatable, Sendable {
    public var vocabularySize: Int
    public var hidden: Int
    public var layers: Int
    public var heads: Int
    public var intermediate: Int
    public var maxPositions: Int
    public var typeVocabularySize: Int
    public var layerNormEpsilon: Float
    public var hiddenDropout: Float
    public var attentionDropout: Float
    /// The standard deviation of fresh weights (Hugging Face's `initializer_range`).
    public var initializerRange: Float
    public var padTokenId: Int32

    enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size", hidden = "hidden_size", layers = "num_hidden_layers", heads = "num_attention_heads"
        case intermediate = "intermediate_size", maxPositions = "max_position_embeddings", typeVocabularySize = "type_vocab_size"
        case layerNormEpsilon = "layer_norm_eps", hiddenDropout = "hidden_dropout_prob", attentionDropout = "attention_probs_dropout_prob"
        case initializerRange = "initializer_range", padTokenId = "pad_token_id"
    }

    public init(vocabularySize: Int, hidden: Int, layers: Int, heads: Int, intermediate: Int, maxPositions: Int = 512,
                typeVocabularySize: Int = 2, layerNormEpsilon: Float = 1e-12, hiddenDropout: Float = 0.1, attentionDropout: Float = 0.1,
                initializerRange: Float = 0.02, padTokenId: Int32 = 0) {
        self.vocabularySize = vocabularySize; self.hidden = hidden; self.layers = layers; self.heads = heads
        self.intermediate = intermediate; self.maxPositions = maxPositions; self.typeVocabularySize = typeVocabularySize
        self.layerNormEpsilon = layerNormEpsilon; self.hiddenDropout = hiddenDropout; self.attentionDropout = attentionDropout
        self.initializerRange = initializerRange; self.padTokenId = padTokenId
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabularySize = try c.decode(Int.self, forKey: .vocabularySize)
        hidden = try c.decode(Int.self, forKey: .hidden)
        layers = try c.decode(Int.self, forKey: .layers)
        heads = try c.decode(Int.self, forKey: .heads)
        intermediate = try c.decode(Int.self, forKey: .intermediate)
        maxPositions = try c.decodeIfPresent(Int.self, forKey: .maxPositions) ?? 512
        typeVocabularySize = try c.decodeIfPresent(Int.self, forKey: .typeVocabularySize) ?? 2
        layerNormEpsilon = try c.decodeIfPresent(Float.self, forKey: .layerNormEpsilon) ?? 1e-12
        hiddenDropout = try c.decodeIfPresent(Float.self, forKey: .hiddenDropout) ?? 0.1
        attentionDropout = try c.decodeIfPresent(Float.self, forKey: .attentionDropout) ?? 0.1
        initializerRange = try c.decodeIfPresent(Float.self, forKey: .initializerRange) ?? 0.02
        padTokenId = try c.decodeIfPresent(Int32.self, forKey: .padTokenId) ?? 0
        guard hidden % heads == 0 else {
            throw DecodingError.dataCorruptedError(forKey: .heads, in: c, debugDescription: "hidden size \(hidden) is not a multiple of \(heads) heads")
        }
    }

    public var headSize: Int { hidden / heads }
}
