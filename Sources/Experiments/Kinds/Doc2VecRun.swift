import Datasets
import Foundation
import Outcomes
import Models
import Numerics
import Specs
import Training

/// One run of the Doc2Vec regimes experiment (`model.kind: doc2vec`): train a regime over the generic corpus
/// and the domain's training documents, then score the document vectors with a linear probe (inferred
/// vectors for validation and test documents), the word vectors on word similarity, and how far
/// generic-only words drifted from a generic-only model.
public enum Doc2VecRun: RunKind {
    public static let id = "doc2vec"
    public typealias Model = Doc2VecModel

    public struct Config: Decodable {
        var run: RunSection
        var data: DataSection
        var model: Doc2VecModel
        var regime: RegimeFields
        var generic: GenericCorpus
        var evaluation: Evaluation

        enum CodingKeys: String, CodingKey { case run, data, model, regime, generic, evaluation, experiment, stages }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            c.allow(.experiment, .stages)
            run = try c.decode(RunSection.self, forKey: .run)
            data = try c.decode(DataSection.self, forKey: .data)
            model = try c.decode(Doc2VecModel.self, forKey: .model)
            regime = try c.decode(.regime, or: RegimeFields())
            generic = try c.decode(GenericCorpus.self, forKey: .generic)
            evaluation = try c.decode(.evaluation, or: Evaluation())
        }
    }

    /// `regime:`: how the generic corpus meets the domain's (combined, oversampled, sequential).
    struct RegimeFields: Decodable {
        enum Kind: String, ConfigChoice { case combined, oversampled, sequential }
        enum Vocabulary: String, ConfigChoice { case frozen, both }
        enum SecondSession: String, ConfigChoice { case restart, `continue` }
        var kind: Kind = .combined
        var factor: Int?
        var vocabulary: Vocabulary?
        var secondSession: SecondSession?
        var secondAlpha: Double?
        var secondEpochs: Int?
        var genericModel: Located<String>?
        enum CodingKeys: String, CodingKey {
            case kind, factor, vocabulary, secondSession = "second_session", secondAlpha = "second_alpha", secondEpochs = "second_epochs"
            case genericModel = "generic_model"
        }
        init() {}

        func regime(model: Doc2VecConfig) throws -> Doc2VecRegime {
            switch kind {
            case .combined: return .combined
            case .oversampled: return .oversampled(factor: factor ?? 2)
            case .sequential:
                let epochs = secondEpochs ?? model.epochs
                let second: Doc2VecRegime.SecondSession = secondSession == .continue
                    ? .continue(epochs: epochs) : .restart(alpha: Float(secondAlpha ?? Double(model.alpha)), epochs: epochs)
                return .sequential(vocabulary: vocabulary == .both ? .both : .frozen, second: second)
            }
        }
    }

    /// `evaluation:`: word-similarity sets, the generic-only reference model, the probe's L2 strengths.
    struct Evaluation: Decodable {
        var similarity: Located<[String]>?
        var reference: Located<String>?
        /// As written: each is read as a Float directly.
        var l2: [String]?
        var inferEpochs: Int?
        enum CodingKeys: String, CodingKey { case similarity, reference, l2, inferEpochs = "infer_epochs" }
        init() {}
    }

    public static func check(_ config: Config, node: ConfigNode, data: DataStore) -> [String] {
        var problems = config.data.problems(data) + config.generic.problems(data)
        if let sets = config.evaluation.similarity {
            problems += sets.value.flatMap { installedProblems($0, at: sets.location, field: "evaluation.similarity", data: data) }
        }
        return problems
    }

    /// Records each training epoch's end as metrics (`train` split, epochs numbered through the run's
    /// sessions): session, learning rate reached, effective words/s, seconds.
    static func recorder(_ observer: RunObserver?) -> ((Doc2VecEpoch) -> Void)? {
        guard let observer else { return nil }
        var epochs = 0
        return { e in
            epochs += 1
            for (name, value) in [("session", Double(e.session)), ("alpha", Double(e.alpha)), ("seconds", e.seconds),
                                  ("effective_words_per_second", e.seconds > 0 ? Double(e.effectiveWords) / e.seconds : 0)] {
                observer.record(epoch: epochs, split: "train", name: name, value: value)
            }
        }
    }


    public static func execute(_ c: Config, context: RunContext) throws -> RunOutcome {
        let start = Date()
        let (store, observer) = (context.data, context.observer)
        let modelConfig = c.model.config(seed: c.run.seed)
        let regime = try c.regime.regime(model: modelConfig)
        let generic = try c.generic.documents(tokenizer: c.data.tokenizer, store: store)
        let domain = try Domain(c.data, run: c.run, store: store)
        let domainTrain = domain.split.train.map { domain.tokens[$0] }

        func artifact(_ reference: Located<String>?) throws -> Doc2Vec? {
            try reference.map { try Doc2Vec.load(from: try context.artifact($0, of: Doc2VecGenericStage.id)) }
        }
        var pretrained: Doc2Vec? = nil
        if case .sequential = regime { pretrained = try artifact(c.regime.genericModel) }
        let result = try Doc2VecRegimes.train(regime, generic: generic, domain: domainTrain, config: modelConfig, pretrained: pretrained,
                                              progress: recorder(observer))
        let model = result.model
        var extras: [String: Double] = ["vocabulary": Double(model.words.count)]
        for (i, session) in result.sessions.enumerated() {
            extras["session\(i + 1)_effective_words_per_second"] = session.effectiveWordsPerSecond
            observer?.note(String(format: "session %d: %d epochs, %d effective words, %.0f effective words/s", i + 1, session.epochs, session.effectiveWords, session.effectiveWordsPerSecond))
        }
        extras["effective_words_per_second"] = result.sessions.last?.effectiveWordsPerSecond

        // Linear probe: trained vectors for training documents, inferred ones for the rest; the L2
        // strength is chosen on validation.
        let d = model.dimension
        let trainFeatures = result.domainTags.flatMap { model.documentVector($0) }
        let trainLabels = domain.split.train.map { domain.labels[$0] }
        let inferEpochs = c.evaluation.inferEpochs ?? modelConfig.epochs
        func inferred(_ indices: [Int]) -> [Float] {
            indices.flatMap { model.inferVector(model.encode(domain.tokens[$0]), epochs: inferEpochs, seed: UInt64($0)) }
        }
        let validFeatures = inferred(domain.split.valid), testFeatures = inferred(domain.split.test)
        let validLabels = domain.split.valid.map { domain.labels[$0] }, testLabels = domain.split.test.map { domain.labels[$0] }
        let strengths = c.evaluation.l2?.compactMap { Float($0) } ?? [1e-4, 1e-3, 1e-2, 1e-1]
        guard let best = ChosenProbe.fit(train: trainFeatures, trainLabels: trainLabels, valid: validFeatures, validLabels: validLabels,
                                         dimension: d, classes: domain.names.count, strengths: strengths) else { throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "evaluation.l2: no L2 strength to try")) }
        let test = best.probe.evaluate(testFeatures, labels: testLabels)
        extras["probe_l2"] = Double(best.l2)
        observer?.note(String(format: "probe: L2 %g chosen on validation (accuracy %.3f); test accuracy %.3f", best.l2, best.valid.accuracy, test.accuracy))

        // Generic retention: word similarity, and drift of generic-only words from a generic-only model.
        if modelConfig.mode != .dbow || modelConfig.trainWords {
            let vectors = WordVectors(words: model.words, values: model.wordVectors, dimension: d)
            for set in c.evaluation.similarity?.value ?? [] {
                extras["\(set)_spearman"] = VectorEvaluation.similarity(vectors, pairs: try store.pairs(set)).spearman
            }
            if let reference = try artifact(c.evaluation.reference) {
                let (cosine, words) = try Doc2VecRegimes.retention(of: model, reference: reference, domainWords: Set(domainTrain.joined()))
                extras["retention_cosine"] = cosine
                extras["retention_words"] = Double(words)
            }
        }
        return RunOutcome(status: .finished, bestEpoch: 0, epochs: result.sessions.reduce(0) { $0 + $1.epochs }, valid: SplitMetrics(best.valid),
                          test: SplitMetrics(test), trainExamples: domainTrain.count, vocabulary: model.words.count,
                          seconds: Date().timeIntervalSince(start), extras: extras.filter { $0.value.isFinite })  // JSON has no NaN: an unmeasurable figure is absent
    }
}
