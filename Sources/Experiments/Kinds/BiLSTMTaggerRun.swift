import Datasets
import Foundation
import Models
import Numerics
import Outcomes
import Specs
import Training

/// A bidirectional LSTM tagger over word vectors (`model.kind: bilstm-tagger`; GloVe 50-d unless `embeddings:` says
/// otherwise): the pre-transformer comparison for token classification, one label per word, the loss weighted per
/// class as the spec says, or with `output: crf` a CRF over each sentence (Lample et al. 2016).
public enum BiLSTMTaggerRun: RunKind {
    public static let id = "bilstm-tagger"

    public struct Model: ModelSection {
        enum Output: String, ConfigChoice { case softmax, crf }
        var hidden: Int
        var dropout: Double
        var output: Output
        var objective: TaggerObjective
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case kind, hidden, dropout, output, classWeights = "class_weights", effectiveBeta = "effective_beta", outsideWeight = "outside_weight", scheme
            case focalGamma = "focal_gamma"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            _ = try c.decode(String.self, forKey: .kind)
            hidden = try c.decode(.hidden, or: 100, Valid.positive, Valid.atLeast1)
            dropout = try c.decode(.dropout, or: 0.5, Valid.fraction, Valid.isFraction)
            output = try c.decode(.output, or: .softmax)
            objective = try TaggerObjective(c, weighting: .classWeights, beta: .effectiveBeta, outsideWeight: .outsideWeight, scheme: .scheme,
                                            focalGamma: .focalGamma)
            if output == .crf && objective.weighting != .none {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [CodingKeys.classWeights], debugDescription:
                    "class weights weight a per-token cross-entropy; `output: crf` scores whole sentences (give `class_weights: none`)"))
            }
            if output == .crf && objective.focalGamma != nil {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [CodingKeys.focalGamma], debugDescription:
                    "a focal loss replaces a per-token cross-entropy; `output: crf` scores whole sentences"))
            }
        }
    }

    public typealias Config = ClassifierRunConfig<Model>

    public static func execute(_ c: Config, context: RunContext) throws -> RunOutcome {
        let start = Date()
        let seed = UInt64(c.run.seed)
        let data = try TaggingData(c.data, run: c.run, store: context.data)
        let words = data.sentences.map { $0.tokens.map { $0.lowercased() } }
        let vocabulary = Vocabulary(documents: data.split.train.map { words[$0] }, minCount: c.data.minCount ?? 1)
        let rng = RandomGenerator(seed: seed)
        var embeddingRng = rng.derived("embedding")
        let (table, coverage) = EmbeddingMatrix.build(vocabulary: vocabulary, vectors: try context.data.vectors(c.embeddings.vectorsID),
                                                      oov: c.embeddings.oov, rng: &embeddingRng)
        context.observer?.note(String(format: "vocabulary %d (train split), vector coverage %.1f%% of types, %.1f%% of tokens",
                                      vocabulary.count, 100 * coverage.typeRate, 100 * coverage.tokenRate))
        func encode(_ indices: [Int]) -> [EncodedExample] {
            indices.map { i in
                let gold = data.labelIDs(data.sentences[i])
                // Every word is its own token, unknown ones `<unk>`: the targets are the words' labels.
                return EncodedExample(ids: vocabulary.encode(words[i]), tagging: TaggedTokens(targets: gold, wordIds: gold.indices.map { $0 }, gold: gold))
            }
        }
        let examples = (encode(data.split.train), encode(data.split.valid), encode(data.split.test))
        var modelRng = rng.derived("model")
        let model = BiLSTMTagger(table: table, hidden: c.model.hidden, dropout: Float(c.model.dropout), classes: data.labels.count,
                                 crf: c.model.output == .crf, rng: &modelRng)
        return try TaggingPipeline.execute(model: model, task: c.model.objective.task(labels: data.labels, train: examples.0, crf: model.crf), data: data,
                                           examples: examples, train: c.train, run: c.run, vocabulary: vocabulary.count,
                                           maxLength: nil, context: context, start: start)
    }

    public static func check(_ c: Config, node: ConfigNode, data: DataStore) -> [String] {
        var problems = c.data.taggingProblems(data)
        problems += installedProblems(c.embeddings.vectorsID, at: c.embeddings.vectors?.location ?? node.location, field: "embeddings.vectors", data: data)
        var rng = RandomGenerator(seed: 0)
        let model = BiLSTMTagger(table: Tensor(zeros: [4, 4]), hidden: 2, dropout: 0, classes: 3, rng: &rng)
        do {
            try c.train.checkGroups(against: model.parameters, groups: try c.train.groupConfigs(totalSteps: 10), at: node.location)
        } catch {
            problems.append("\(error)")
        }
        return problems
    }
}
