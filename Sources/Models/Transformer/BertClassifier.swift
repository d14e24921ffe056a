import Autodiff
import Numerics

/// A BERT encoder with a sequence-classification head, as a `TextClassifier` (its batches hold WordPiece
/// ids with [CLS] … [SEP], right-padded with [PAD] = 0), so the phases, groups and early stopping of
/// `ClassifierTrainer` train it as they train the other classifiers.
public final class BertClassifier: TextClassifier {
    public let encoder: BertEncoder
    public let head: SequenceClassificationHead

    public init(encoder: BertEncoder, head: SequenceClassificationHead) { self.encoder = encoder; self.head = head }

    public var parameters: [Parameter] { encoder.parameters + head.parameters }
    public var edgePadding: Int { 0 }
    /// Attention masks [PAD] keys, so a sequence's scores do not depend on its batch's padding.
    public var masksPadding: Bool { true }

    public func logits(_ tape: Tape, _ batch: TokenBatch) -> Variable {
        let input = BertBatch(ids: batch.ids, lengths: batch.lengths, time: batch.time)
        return head(tape, encoder(tape, input))
    }
}

extension BertEncoder {
    /// Re-initialises the top `count` layers (and the pooler) as fresh ones (Zhang et al. 2021, "Revisiting
    /// few-sample BERT fine-tuning": the top layers' pretrained weights specialise to the pretraining task).
    public func reinitialiseTop(_ count: Int, rng: inout RandomGenerator) {
        for i in max(config.layers - count, 0)..<config.layers {
            for (p, fresh) in zip(layers[i].parameters, BertLayer("encoder.layer.\(i)", config, rng: &rng).parameters) { p.value.assign(fresh.value) }
        }
        if let pooler {
            for (p, fresh) in zip(pooler.parameters, Linear.bert("pooler.dense", inputs: config.hidden, outputs: config.hidden, config, rng: &rng).parameters) {
                p.value.assign(fresh.value)
            }
        }
    }
}
