import Datasets
import Foundation
import Models

/// Text for word-level language models: a vocabulary with `<pad>`, `<unk>` and `<eos>`, and
/// documents as one id stream with `<eos>` after each.
public enum LanguageModelData {
    public static let specials = ["<pad>", "<unk>", "<eos>"]

    public static func vocabulary(_ documents: [[String]], maxSize: Int?, minCount: Int) -> Vocabulary {
        Vocabulary(documents: documents, minCount: minCount, maxSize: maxSize, specials: specials)
    }

    public static func stream(_ documents: [[String]], vocabulary: Vocabulary) -> [Int32] {
        let eos = vocabulary.id("<eos>")!
        var ids: [Int32] = []
        for document in documents { ids += vocabulary.encode(document); ids.append(eos) }
        return ids
    }

    /// Perplexity of `model` on the first `limit` tokens of `stream` (evaluation mode, batch 8, BPTT 70).
    public static func perplexity(_ model: LSTMLanguageModel, stream: [Int32], limit: Int = 40_000) -> Double {
        LanguageModelTrainer.perplexity(of: model, BPTTBatches(stream: Array(stream.prefix(limit)), batch: 8, bptt: 70))
    }
}
