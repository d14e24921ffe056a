import Datasets
import Foundation
import Models
import Specs
import Training

/// `doc2vec-generic`: the generic Doc2Vec session alone, saved as the artifact (its model and corpus come
/// in through `inputs`); with `vocabulary: both` its vocabulary also counts the domain's training documents.
public enum Doc2VecGenericStage: StageKind {
    public static let id = "doc2vec-generic"

    public struct Config: Decodable {
        enum Vocabulary: String, ConfigChoice { case frozen, both }
        var vocabulary: Vocabulary
        var model: Doc2VecModel
        var generic: GenericCorpus
        var run: RunSection
        /// The domain's data (`inputs: [data]`), or its tokenizer alone.
        var data: DataSection?
        var tokenizer: LMPretrainStage.StageData

        enum CodingKeys: String, CodingKey { case kind, vocabulary, model, generic, run, data }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            c.allow(.kind)
            vocabulary = try c.decode(.vocabulary, or: .frozen)
            model = try c.decode(Doc2VecModel.self, forKey: .model)
            generic = try c.decode(GenericCorpus.self, forKey: .generic)
            run = try c.decode(.run, or: RunSection(seed: 1))
            if vocabulary == .both { data = try c.decode(DataSection.self, forKey: .data); tokenizer = LMPretrainStage.StageData() } else {
                tokenizer = try c.decode(.data, or: LMPretrainStage.StageData())
            }
        }

        var tokenizerValue: Tokenizer { data?.tokenizer ?? tokenizer.tokenizerValue }
    }

    public static func check(_ config: Config, node: ConfigNode, data: DataStore) -> [String] {
        config.generic.problems(data) + (config.data?.problems(data) ?? [])
    }

    public static func execute(_ c: Config, into folder: URL, context: RunContext) throws -> [String: Double] {
        let model = c.model.config(seed: c.run.seed)
        let generic = try c.generic.documents(tokenizer: c.tokenizerValue, store: context.data)
        var vocabularyAlso: [[String]] = []
        if let data = c.data {
            var run = c.run
            run.fold = nil
            run.trainingSize = nil
            let domain = try Domain(data, run: run, store: context.data)
            vocabularyAlso = domain.split.train.map { domain.tokens[$0] }
        }
        let (trained, report) = try Doc2VecRegimes.genericSession(generic: generic, vocabularyAlso: vocabularyAlso, config: model,
                                                                  progress: Doc2VecRun.recorder(context.observer))
        try trained.save(to: folder)
        context.observer?.note(String(format: "generic session: %d documents, vocabulary %d, %.0f effective words/s", generic.count, trained.words.count, report.effectiveWordsPerSecond))
        return ["documents": Double(generic.count), "vocabulary": Double(trained.words.count), "effective_words_per_second": report.effectiveWordsPerSecond,
                "seconds": report.seconds]
    }
}
