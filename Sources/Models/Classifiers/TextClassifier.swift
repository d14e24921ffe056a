import Autodiff
import Numerics

/// A sentence/document classifier over token ids.
public protocol TextClassifier: ParameterContainer {
    /// Class scores [B, classes] for a batch.
    func logits(_ tape: Tape, _ batch: TokenBatch) -> Variable
    /// Edge padding the model needs around every sequence (Kim's CNN: widest window − 1).
    var edgePadding: Int { get }
}

/// How a classifier's word embeddings are set up (Kim 2014's variants).
public enum EmbeddingChannels: String, Codable, Sendable {
    /// One table; trainable or frozen by its parameter group (`rand`, `static`, `non-static`, delayed).
    case single
    /// Two copies of the pretrained table, `embedding_static` (kept frozen by its group) and `embedding`
    /// (trained); every filter sees both channels and their results are added.
    case multichannel
}
