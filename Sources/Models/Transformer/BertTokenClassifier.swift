import Autodiff
import Numerics

/// A BERT encoder with a token-classification head (`BertForTokenClassification`), as a `TextClassifier` whose
/// logits are per position [B·T, classes]; batches hold WordPiece ids with [CLS] … [SEP], right-padded with [PAD] = 0.
public final class BertTokenClassifier: TextClassifier {
    public let encoder: BertEncoder
    public let head: TokenClassificationHead

    public init(encoder: BertEncoder, head: TokenClassificationHead) {
        precondition(encoder.prompt == nil, "a token classifier labels every position: no soft prompt")
        self.encoder = encoder; self.head = head
    }

    public var parameters: [Parameter] { encoder.parameters + head.parameters }
    public var edgePadding: Int { 0 }

    public func logits(_ tape: Tape, _ batch: TokenBatch) -> Variable {
        head(tape, encoder(tape, BertBatch(ids: batch.ids, lengths: batch.lengths, time: batch.time)))
    }
}
