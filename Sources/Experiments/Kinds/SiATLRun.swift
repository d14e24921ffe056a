import Datasets
import Outcomes
import Models
import Numerics
import Specs

/// SiATL's classifier (Chronopoulou et al. 2019): the language model's encoder under a task LSTM with
/// self-attention, trained with the auxiliary LM loss the spec's `train.auxiliary` names (`model.kind: siatl`).
public enum SiATLRun: RunKind {
    public static let id = "siatl"

    public struct Model: TransferModel {
        public let from: Located<String>
        public let random: Bool
        var task = SiATLClassifier.Config()
        public enum CodingKeys: String, CodingKey, CaseIterable { case kind, from, initialisation = "init", taskHidden = "task_hidden", dropout }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            _ = try c.decode(String.self, forKey: .kind)
            from = try c.decode(Located<String>.self, forKey: .from)
            random = try c.decode(.initialisation, or: EmbeddingsSection.Initialisation.pretrained) == .random
            task.taskHidden = try c.decode(.taskHidden, or: task.taskHidden, Valid.positive, Valid.atLeast1)
            task.dropout = try c.decode(.dropout, or: task.dropout, Valid.fraction, Valid.isFraction)
        }

        public func make(_ languageModel: LSTMLanguageModel, classes: Int, rng: inout RandomGenerator) -> TextClassifier {
            SiATLClassifier(languageModel: languageModel, config: task, classes: classes, rng: &rng)
        }
    }

    public typealias Config = TransferRunConfig<Model>
}
