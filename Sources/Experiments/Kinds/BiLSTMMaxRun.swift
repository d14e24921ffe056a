import Datasets
import Outcomes
import Models
import Numerics
import Specs

/// A bidirectional LSTM with max-over-time pooling over word vectors (`model.kind: bilstm-max`; Conneau et al. 2017).
public enum BiLSTMMaxRun: RunKind {
    public static let id = "bilstm-max"

    public struct Model: ClassifierModel {
        var config = BiLSTMClassifier.Config()
        public enum CodingKeys: String, CodingKey, CaseIterable { case kind, hidden, dropout }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            _ = try c.decode(String.self, forKey: .kind)
            config.hidden = try c.decode(.hidden, or: config.hidden, Valid.positive, Valid.atLeast1)
            config.dropout = try c.decode(.dropout, or: config.dropout, Valid.fraction, Valid.isFraction)
        }

        public func make(_ table: Tensor, _ channels: EmbeddingChannels, _ classes: Int, _ rng: inout RandomGenerator) -> TextClassifier {
            var bilstm = config
            bilstm.channels = channels
            return BiLSTMClassifier(config: bilstm, table: table, classes: classes, rng: &rng)
        }
    }

    public typealias Config = ClassifierRunConfig<Model>
}
