import Datasets
import Foundation
import Models
import Numerics
import Outcomes
import Specs
import Training

/// A BERT encoder from an installed checkpoint with a token-classification head (`model.kind: bert-tagger`;
/// `BertForTokenClassification`): words split into WordPiece, their BIO labels on the first sub-token or on all
/// (`alignment`), the loss weighted per class as the spec says, scored per entity at each word's first sub-token.
public enum BertTaggerRun: RunKind {
    public static let id = "bert-tagger"

    public struct Model: ModelSection {
        var checkpoint: Located<String>
        var dropout: Double?
        var alignment: LabelAlignment
        var objective: TaggerObjective
        enum Alignment: String, ConfigChoice { case first, all }
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case kind, checkpoint, dropout, alignment, classWeights = "class_weights", effectiveBeta = "effective_beta"
            case outsideWeight = "outside_weight", scheme, focalGamma = "focal_gamma"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            _ = try c.decode(String.self, forKey: .kind)
            checkpoint = try c.decodeIfPresent(Located<String>.self, forKey: .checkpoint) ?? Located("minilm-l6", at: .commandLine("default"), path: "model.checkpoint")
            dropout = try c.decodeIfPresent(.dropout, Valid.fraction, Valid.isFraction)
            alignment = try c.decode(.alignment, or: Alignment.first) == .all ? .all : .first
            objective = try TaggerObjective(c, weighting: .classWeights, beta: .effectiveBeta, outsideWeight: .outsideWeight, scheme: .scheme,
                                            focalGamma: .focalGamma)
        }
    }

    public typealias Config = EncoderRunConfig<Model>

    public static func execute(_ c: Config, context: RunContext) throws -> RunOutcome {
        let start = Date()
        let seed = UInt64(c.run.seed)
        let data = try TaggingData(c.data, run: c.run, store: context.data)
        let pretrained = try PretrainedEncoder(c.model.checkpoint.value, store: context.data, pooler: false, seed: seed)
        let maxLength = min(c.data.maxLength ?? 128, pretrained.encoder.config.maxPositions)
        let labeler = TokenLabeler(labels: data.labels)
        func encode(_ indices: [Int]) -> [EncodedExample] {
            indices.map { i in
                let sentence = data.sentences[i]
                let encoding = pretrained.tokenizer.encode(words: sentence.tokens, maxLength: maxLength)
                let gold = data.labelIDs(sentence)
                let targets = labeler.tokenTargets(wordLabels: gold, wordIds: encoding.wordIds, alignment: c.model.alignment)
                return EncodedExample(ids: encoding.ids, tagging: TaggedTokens(targets: targets, wordIds: encoding.wordIds, gold: gold))
            }
        }
        let examples = (encode(data.split.train), encode(data.split.valid), encode(data.split.test))
        var rng = RandomGenerator(seed: seed).derived("tagger")
        let head = TokenClassificationHead(pretrained.encoder.config, classes: data.labels.count, dropout: c.model.dropout.map(Float.init), rng: &rng)
        let model = BertTokenClassifier(encoder: pretrained.encoder, head: head)
        return try TaggingPipeline.execute(model: model, task: c.model.objective.task(labels: data.labels, train: examples.0), data: data,
                                           examples: examples, train: c.train, run: c.run, vocabulary: pretrained.tokenizer.count,
                                           maxLength: nil, context: context, start: start)
    }

    public static func check(_ c: Config, node: ConfigNode, data: DataStore) -> [String] {
        var problems = c.data.taggingProblems(data)
        problems += installedProblems(c.model.checkpoint.value, at: c.model.checkpoint.location, field: "model.checkpoint", data: data)
        return problems
    }
}
