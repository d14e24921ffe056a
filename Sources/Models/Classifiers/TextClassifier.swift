import Autodiff
import Numerics

/// A sentence/document classifier over token ids.
public protocol TextClassifier: ParameterContainer {
    /// Class scores [B, classes] for a batch (a token classifier's: one row per position, [B·T, classes]).
    func logits(_ tape: Tape, _ batch: TokenBatch) -> Variable
    /// Edge padding the model needs around every sequence (Kim's CNN: widest window − 1).
    var edgePadding: Int { get }
    /// True when a sequence's scores do not depend on how far its batch is padded (padding masked out), so
    /// evaluation may batch sequences of similar length together, as fastai's sorted validation loader does.
    var masksPadding: Bool { get }
}

extension TextClassifier {
    public var masksPadding: Bool { false }
}

/// How a classifier's word embeddings are set up (Kim 2014's variants).
public enum EmbeddingChannels: String, Codable, Sendable {
    /// One table; trainable or frozen by its parameter group (`rand`, `static`, `non-static`, delayed).
    case single
    /// Two copies of the pretrained table, `embedding_static` (kept frozen by its group) and `embedding`
    /// (trained); every filter sees both channels and their results are added.
    case multichannel
}

/// A classifier's word-embedding tables for its `EmbeddingChannels`, both initialised from the same table:
/// `embedding.weight` and, multichannel, `embedding_static.weight` (whose group keeps it frozen).
public struct WordEmbeddings: ParameterContainer {
    public let trained: Embedding
    public let fixed: Embedding?

    public init(table: Tensor, channels: EmbeddingChannels, paddingIndex: Int32) {
        trained = Embedding(table: Parameter("embedding.weight", table.copy()), paddingIndex: paddingIndex)
        fixed = channels == .multichannel ? Embedding(table: Parameter("embedding_static.weight", table.copy()), paddingIndex: paddingIndex) : nil
    }

    public var parameters: [Parameter] { trained.parameters + (fixed?.parameters ?? []) }
    /// The vector width of the channels side by side.
    public var width: Int { trained.dimension * (fixed == nil ? 1 : 2) }

    /// Each channel's vectors of `ids` laid out as `shape` → [shape..., dimension], the trained one first.
    public func callAsFunction(_ tape: Tape, _ ids: [Int32], shape: [Int]) -> [Variable] {
        [trained(tape, ids, shape: shape)] + (fixed.map { [$0(tape, ids, shape: shape)] } ?? [])
    }
}
