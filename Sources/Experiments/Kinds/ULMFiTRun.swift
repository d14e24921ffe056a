import Datasets
import Outcomes
import Models
import Numerics
import Specs

/// ULMFiT's classifier (Howard & Ruder 2018): the language model's encoder under a concat-pooling head
/// (`model.kind: ulmfit`).
public enum ULMFiTRun: RunKind {
    public static let id = "ulmfit"

    public struct Model: TransferModel {
        public let from: Located<String>
        public let random: Bool
        var head = ULMFiTClassifier.Config()
        public enum CodingKeys: String, CodingKey, CaseIterable { case kind, from, initialisation = "init", headHidden = "head_hidden", dropout, batchNorm = "batch_norm" }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            _ = try c.decode(String.self, forKey: .kind)
            from = try c.decode(Located<String>.self, forKey: .from)
            random = try c.decode(.initialisation, or: EmbeddingsSection.Initialisation.pretrained) == .random
            head.headHidden = try c.decode(.headHidden, or: head.headHidden, Valid.positive, Valid.atLeast1)
            head.dropout = try c.decode(.dropout, or: head.dropout, Valid.fraction, Valid.isFraction)
            head.batchNorm = try c.decode(.batchNorm, or: head.batchNorm)
        }

        public func make(_ languageModel: LSTMLanguageModel, classes: Int, rng: inout RandomGenerator) -> TextClassifier {
            ULMFiTClassifier(languageModel: languageModel, config: head, classes: classes, rng: &rng)
        }
    }

    public typealias Config = TransferRunConfig<Model>
}
