import Datasets
import Foundation
import Models
import Specs
import Training

/// `glove`: GloVe vectors (Pennington et al. 2014) trained on installed corpora; the artifact is the vectors in our format.
public enum GloVeStage: StageKind {
    public static let id = "glove"

    public struct Config: Decodable {
        var glove = GloVeConfig()
        var corpus: Located<[String]>

        enum CodingKeys: String, CodingKey {
            case kind, run, corpus, dimension, window, xMax = "x_max", alpha, iterations, minCount = "min_count", learningRate = "learning_rate", seed
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            c.allow(.kind, .run)
            corpus = try c.decode(Located<[String]>.self, forKey: .corpus)
            glove.dimension = try c.decode(.dimension, or: glove.dimension)
            glove.window = try c.decode(.window, or: glove.window)
            glove.xMax = try c.decode(.xMax, or: glove.xMax)
            glove.alpha = try c.decode(.alpha, or: glove.alpha)
            glove.learningRate = try c.decode(.learningRate, or: glove.learningRate)
            glove.iterations = try c.decode(.iterations, or: glove.iterations)
            glove.minCount = try c.decode(.minCount, or: glove.minCount)
            glove.seed = try c.decode(.seed, or: 1)
        }
    }

    public static func check(_ config: Config, node: ConfigNode, data: DataStore) -> [String] {
        config.corpus.value.flatMap { installedProblems($0, at: config.corpus.location, field: "corpus", data: data) }
    }

    public static func execute(_ c: Config, into folder: URL, context: RunContext) throws -> [String: Double] {
        guard !c.corpus.value.isEmpty else { throw c.corpus.error("a glove stage needs installed corpus ids") }
        let documents = try c.corpus.value.flatMap { try context.data.documents($0) }
        let result = GloVePipeline(config: c.glove, log: { context.observer?.note($0.trimmingCharacters(in: .whitespaces)) }).run(documents: documents)
        try result.vectors.write(to: folder)
        return ["tokens": Double(result.tokens), "vocabulary": Double(result.vectors.count),
                "cooccurrences": Double(result.cooccurrences), "final_cost": result.costs.last ?? .nan]
    }
}
