import Models
import Specs

/// `language_model:` of the LM-transfer experiments: the AWD-LSTM architecture (Merity et al. 2018), its
/// pretraining on a generic corpus and ULMFiT's target-task fine-tuning (Howard & Ruder 2018, §3.2).
struct LanguageModelSection: Decodable {
    struct Dropout: Decodable {
        var embedding: Float?
        var input: Float?
        var interLayer: Float?
        var output: Float?
        var weight: Float?
        enum CodingKeys: String, CodingKey { case embedding, input, interLayer = "inter_layer", output, weight }
    }

    struct Pretrain: Decodable {
        var corpus: Located<[String]>?
        var epochs: Int?
        var batch: Int?
        var bptt: Int?
        var learningRate: Double?
        var optimizer: OptimizerName?
        var clip: Double?
        var heldout: Double?
        enum CodingKeys: String, CodingKey { case corpus, epochs, batch, bptt, learningRate = "learning_rate", optimizer, clip, heldout }
    }

    enum FinetuneText: String, ConfigChoice { case labelled, trainSplit = "train-split" }

    struct Finetune: Decodable {
        var epochs: Int?
        var batch: Int?
        var learningRate: Double?
        var discriminative: Double?
        var cutFraction: Double?
        var ratio: Double?
        var text: FinetuneText?
        /// Words of the target text in at least this many of its occurrences join the vocabulary before fine-tuning,
        /// their rows started at the mean embedding (as fastai extends a pretrained LM's vocabulary); absent: none join.
        var extendVocabulary: Int?
        enum CodingKeys: String, CodingKey {
            case epochs, batch, learningRate = "learning_rate", discriminative, cutFraction = "cut_fraction", ratio, text
            case extendVocabulary = "extend_vocabulary"
        }
    }

    var vocabulary: Int?
    var minCount: Int?
    var embedding: Int?
    var hidden: Int?
    var layers: Int?
    var tied: Bool?
    var dropout: Dropout?
    var pretrain: Pretrain?
    var finetune: Finetune?

    enum CodingKeys: String, CodingKey {
        case vocabulary, minCount = "min_count", embedding, hidden, layers, tied, dropout, pretrain, finetune
    }

    init() {}

    /// BPTT length of pretraining, which fine-tuning keeps.
    var bptt: Int { pretrain?.bptt ?? 70 }

    /// The architecture for a vocabulary of `size` words (AWD-LSTM's dropouts, scaled down: 200/400, 2 layers, tied).
    func architecture(vocabulary size: Int) -> LanguageModelConfig {
        LanguageModelConfig(vocabulary: size, embedding: embedding ?? 200, hidden: hidden ?? 400, layers: layers ?? 2, tied: tied ?? true,
                            embeddingDropout: dropout?.embedding ?? 0.1, inputDropout: dropout?.input ?? 0.3,
                            interLayerDropout: dropout?.interLayer ?? 0.2, outputDropout: dropout?.output ?? 0.3,
                            weightDrop: dropout?.weight ?? 0.2)
    }
}
