import Datasets
import Foundation
import Models
import Specs
import Training

/// `lm-pretrain`: a language model on the generic corpus (`language_model.pretrain.corpus`).
public enum LMPretrainStage: StageKind {
    public static let id = "lm-pretrain"

    public struct Config: Decodable {
        var seed: Int
        var languageModel: LanguageModelSection
        var data: StageData

        enum CodingKeys: String, CodingKey { case kind, run, seed, languageModel = "language_model", data }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            c.allow(.kind, .run)
            seed = try c.decode(.seed, or: 1)
            languageModel = try c.decode(.languageModel, or: LanguageModelSection())
            data = try c.decode(.data, or: StageData())
        }
    }

    /// The parts of `data:` a pretraining stage takes in (`inputs: [data.tokenizer, data.split]`).
    struct StageData: Decodable {
        var tokenizer: DataSection.TokenizerFields?
        var split: Located<DataSection.SplitFields>?
        init() {}
        var tokenizerValue: Tokenizer {
            DataSection.TokenizerFields.tokenizer(tokenizer)
        }
    }

    public static func check(_ config: Config, node: ConfigNode, data: DataStore) -> [String] {
        guard let corpus = config.languageModel.pretrain?.corpus else { return [] }
        return corpus.value.flatMap { installedProblems($0, at: corpus.location, field: "language_model.pretrain.corpus", data: data) }
    }

    public static func execute(_ c: Config, into folder: URL, context: RunContext) throws -> [String: Double] {
        let lm = c.languageModel
        guard let corpus = lm.pretrain?.corpus, !corpus.value.isEmpty else {
            throw SpecError(location: SourceLocation(file: "stage", line: 0, column: 0), path: "language_model.pretrain.corpus", message: "name the pretraining corpus")
        }
        let tokenizer = c.data.tokenizerValue
        let documents = try corpus.value.flatMap { try pretrainingTexts($0, c, corpus: corpus, store: context.data) }.map(tokenizer.tokenize)
        let heldoutShare = lm.pretrain?.heldout ?? 0.02
        let cut = documents.count - max(1, Int(Double(documents.count) * heldoutShare))
        let trainDocuments = Array(documents[..<cut]), held = Array(documents[cut...])
        let vocabulary = LanguageModelData.vocabulary(trainDocuments, maxSize: lm.vocabulary ?? 30_000, minCount: lm.minCount ?? 2)
        let stream = LanguageModelData.stream(trainDocuments, vocabulary: vocabulary)
        let heldout = LanguageModelData.stream(held, vocabulary: vocabulary)
        let seed = UInt64(c.seed)
        let artifact = LanguageModelArtifact(config: lm.architecture(vocabulary: vocabulary.count), vocabulary: vocabulary, heldout: heldout, folder: folder)
        let model = try artifact.model(seed: seed, random: true)
        context.observer?.note("pretraining: \(trainDocuments.count) documents, \(stream.count) tokens, vocabulary \(vocabulary.count), \(model.parameterCount) parameters")
        let hyper = OptimizerFields()
        let group = GroupConfig(name: "all", patterns: ["*"], optimizer: hyper.kind(lm.pretrain?.optimizer ?? .adam),
                                learningRate: Float(lm.pretrain?.learningRate ?? 2e-3))
        let (perplexity, earlierSeconds) = try LanguageModelStageTraining.train(
            model, stream: stream, heldout: heldout, groups: [group], epochs: lm.pretrain?.epochs ?? 5, batch: lm.pretrain?.batch ?? 32,
            bptt: lm.bptt, clip: Float(lm.pretrain?.clip ?? 0.25), seed: seed, resume: folder.appendingPathComponent(StageRun.resumeFolder),
            observer: context.observer, label: "pretraining")
        try artifact.save(model, to: folder)
        return ["tokens": Double(stream.count), "vocabulary": Double(vocabulary.count), "heldout_perplexity": perplexity,
                StageRun.earlierSecondsKey: earlierSeconds]
    }

    /// The documents of one pretraining corpus: an installed corpus whole, or — for a domain LM such as a
    /// tweet LM on tweets-sentiment — a labelled dataset's texts in the *training* part of the hold-out split
    /// `data.split` (which the stage must list in its `inputs`), so no validation or test text of the
    /// downstream task is ever seen in pretraining.
    static func pretrainingTexts(_ id: String, _ c: Config, corpus: Located<[String]>, store: DataStore) throws -> [String] {
        guard try store.metadata(id).kind == .classification else { return try store.documents(id) }
        guard let split = c.data.split else {
            throw corpus.error("'\(id)' is labelled data: pretraining on it uses only its training split, so add data.split to the stage's inputs")
        }
        guard split.value.folds == nil else {
            throw SpecError(location: split.location, path: "data.split.folds",
                            message: "under k-fold cross-validation every text of '\(id)' is test text in some fold; pretrain on it only with a hold-out split")
        }
        let spec = DataSection.SplitFields.spec(split.value, folds: nil)
        let examples = try store.examples(id)
        return Splitter.holdout(labels: examples.map(\.label), spec: spec).train.sorted().map { examples[$0].text }
    }
}
