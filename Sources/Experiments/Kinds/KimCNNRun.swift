import Datasets
import Outcomes
import Models
import Numerics
import Specs

/// Kim (2014)'s CNN over word vectors (`model.kind: kim-cnn`).
public enum KimCNNRun: RunKind {
    public static let id = "kim-cnn"

    public struct Model: ClassifierModel {
        var config = KimCNN.Config()
        public enum CodingKeys: String, CodingKey, CaseIterable { case kind, windows, maps, dropout }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            _ = try c.decode(String.self, forKey: .kind)
            config.windows = try c.decode(.windows, or: config.windows, "window widths of at least 1") { !$0.isEmpty && $0.allSatisfy(Valid.atLeast1) }
            config.maps = try c.decode(.maps, or: config.maps, Valid.positive, Valid.atLeast1)
            config.dropout = try c.decode(.dropout, or: config.dropout, Valid.fraction, Valid.isFraction)
        }

        public func make(_ table: Tensor, _ channels: EmbeddingChannels, _ classes: Int, _ rng: inout RandomGenerator) -> TextClassifier {
            var kim = config
            kim.channels = channels
            return KimCNN(config: kim, table: table, classes: classes, rng: &rng)
        }
    }

    public typealias Config = ClassifierRunConfig<Model>
}
