import Datasets
import Foundation
import Models
import Numerics
import Specs
import Training

/// One run of the Doc2Vec regimes experiment: train a regime over the generic corpus and the
/// domain's training documents, then score the document vectors with a linear probe (inferred
/// vectors for validation and test documents), the word vectors on word similarity, and how far
/// generic-only words drifted from a generic-only model.
public enum Doc2VecRun {
    /// The model section of a run's configuration.
    static func config(_ c: RunConfig) throws -> Doc2VecConfig {
        var d = Doc2VecConfig()
        let mode = try c.string("model.mode", default: d.mode.rawValue)
        guard let parsed = Doc2VecConfig.Mode(rawValue: mode) else {
            throw SpecError(location: c.tree.location, path: "model.mode", message: "unknown Doc2Vec mode '\(mode)' (dbow, dm-mean, dm-concat)")
        }
        d.mode = parsed
        d.trainWords = c.bool("model.train_words", default: d.trainWords)
        d.dimension = try c.int("model.dimension", default: d.dimension)
        d.window = try c.int("model.window", default: d.window)
        d.negative = try c.int("model.negative", default: d.negative)
        d.sample = try c.double("model.sample", default: d.sample)
        d.minCount = try c.int("model.min_count", default: d.minCount)
        d.alpha = Float(try c.double("model.alpha", default: Double(d.alpha)))
        d.minAlpha = Float(try c.double("model.min_alpha", default: Double(d.minAlpha)))
        d.epochs = try c.int("model.epochs", default: d.epochs)
        d.threads = try c.int("model.threads", default: 1)
        d.seed = UInt64(try c.int("run.seed", default: 1))
        return d
    }

    /// The regime section (`regime.kind`: combined, oversampled, sequential).
    static func regime(_ c: RunConfig, model: Doc2VecConfig) throws -> Doc2VecRegime {
        switch try c.string("regime.kind", default: "combined") {
        case "combined": return .combined
        case "oversampled": return .oversampled(factor: try c.int("regime.factor", default: 2))
        case "sequential":
            let policy = try c.string("regime.vocabulary", default: "frozen")
            guard let vocabulary = Doc2VecRegime.VocabularyPolicy(rawValue: policy) else {
                throw SpecError(location: c.tree.location, path: "regime.vocabulary", message: "expected frozen or both, found '\(policy)'")
            }
            let epochs = try c.int("regime.second_epochs", default: model.epochs)
            let second: Doc2VecRegime.SecondSession = try c.string("regime.second_session", default: "restart") == "continue"
                ? .continue(epochs: epochs)
                : .restart(alpha: Float(try c.double("regime.second_alpha", default: Double(model.alpha))), epochs: epochs)
            return .sequential(vocabulary: vocabulary, second: second)
        case let kind:
            throw SpecError(location: c.tree.location, path: "regime.kind", message: "unknown regime '\(kind)' (combined, oversampled, sequential)")
        }
    }

    /// Tokenised generic documents (`generic.corpus`: installed corpus ids).
    static func genericDocuments(_ c: RunConfig, store: DataStore) throws -> [[String]] {
        let ids = c.node("generic.corpus")?.sequence?.compactMap(\.scalar) ?? []
        guard !ids.isEmpty else { throw SpecError(location: c.tree.location, path: "generic.corpus", message: "name the generic corpus (installed corpus ids)") }
        let tokenizer = c.tokenizer
        return try ids.flatMap { try store.documents($0) }.map(tokenizer.tokenize)
    }

    /// The domain dataset: tokens, label ids and names, and the run's split.
    static func domain(_ c: RunConfig, store: DataStore) throws -> (tokens: [[String]], labels: [Int32], names: [String], split: Split) {
        let examples = try c.examples(store)
        let names = Array(Set(examples.map(\.label))).sorted()
        let ids = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Int32($0)) })
        let tokenizer = c.tokenizer
        return (examples.map { tokenizer.tokenize($0.text) }, examples.map { ids[$0.label]! }, names, try c.split(labels: examples.map(\.label)))
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

    /// The `doc2vec-generic` stage: the generic session alone, saved as the artifact.
    static func executeGenericStage(_ c: RunConfig, into folder: URL, store: DataStore, observer: RunObserver?) throws -> [String: Double] {
        let model = try config(c)
        let generic = try genericDocuments(c, store: store)
        var vocabularyAlso: [[String]] = []
        if try c.string("vocabulary", default: "frozen") == "both" {
            let domain = try domain(c, store: store)
            vocabularyAlso = domain.split.train.map { domain.tokens[$0] }
        }
        let (trained, report) = try Doc2VecRegimes.genericSession(generic: generic, vocabularyAlso: vocabularyAlso, config: model,
                                                                  progress: recorder(observer))
        try trained.save(to: folder)
        observer?.note(String(format: "generic session: %d documents, vocabulary %d, %.0f effective words/s", generic.count, trained.words.count, report.effectiveWordsPerSecond))
        return ["documents": Double(generic.count), "vocabulary": Double(trained.words.count), "effective_words_per_second": report.effectiveWordsPerSecond,
                "seconds": report.seconds]
    }

    public static func execute(_ config: ConfigNode, store: DataStore, artifacts: [String: URL], observer: RunObserver?) throws -> RunResult {
        let start = Date()
        let c = RunConfig(tree: config)
        let modelConfig = try Self.config(c)
        let regime = try Self.regime(c, model: modelConfig)
        let generic = try genericDocuments(c, store: store)
        let domain = try domain(c, store: store)
        let domainTrain = domain.split.train.map { domain.tokens[$0] }

        func artifact(_ path: String) throws -> Doc2Vec? {
            guard let value = c.node(path)?.scalar else { return nil }
            guard value.hasPrefix(StagePlanner.prefix), let folder = artifacts[String(value.dropFirst(StagePlanner.prefix.count))] else {
                throw SpecError(location: c.node(path)!.location, path: path, message: "expected stage:NAME of a doc2vec-generic stage")
            }
            return try Doc2Vec.load(from: folder)
        }
        var pretrained: Doc2Vec? = nil
        if case .sequential = regime { pretrained = try artifact("regime.generic_model") }
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
        let inferEpochs = try c.int("evaluation.infer_epochs", default: modelConfig.epochs)
        func inferred(_ indices: [Int]) -> [Float] {
            indices.flatMap { model.inferVector(model.encode(domain.tokens[$0]), epochs: inferEpochs, seed: UInt64($0)) }
        }
        let validFeatures = inferred(domain.split.valid), testFeatures = inferred(domain.split.test)
        let validLabels = domain.split.valid.map { domain.labels[$0] }, testLabels = domain.split.test.map { domain.labels[$0] }
        let strengths = c.node("evaluation.l2")?.sequence?.compactMap { $0.scalar.flatMap(Float.init) } ?? [1e-4, 1e-3, 1e-2, 1e-1]
        var best: (l2: Float, probe: LogisticRegression, valid: ClassificationMetrics)? = nil
        for l2 in strengths {
            let probe = LogisticRegression.fit(features: trainFeatures, labels: trainLabels, dimension: d, classes: domain.names.count, l2: l2)
            let valid = probe.evaluate(validFeatures, labels: validLabels)
            if best == nil || valid.accuracy > best!.valid.accuracy { best = (l2, probe, valid) }
        }
        guard let best else { throw SpecError(location: c.tree.location, path: "evaluation.l2", message: "no L2 strength to try") }
        let test = best.probe.evaluate(testFeatures, labels: testLabels)
        extras["probe_l2"] = Double(best.l2)
        observer?.note(String(format: "probe: L2 %g chosen on validation (accuracy %.3f); test accuracy %.3f", best.l2, best.valid.accuracy, test.accuracy))

        // Generic retention: word similarity, and drift of generic-only words from a generic-only model.
        if modelConfig.mode != .dbow || modelConfig.trainWords {
            let vectors = WordVectors(words: model.words, values: model.wordVectors, dimension: d)
            for set in c.node("evaluation.similarity")?.sequence?.compactMap(\.scalar) ?? [] {
                extras["\(set)_spearman"] = VectorEvaluation.similarity(vectors, pairs: try store.pairs(set)).spearman
            }
            if let reference = try artifact("evaluation.reference") {
                let (cosine, words) = try Doc2VecRegimes.retention(of: model, reference: reference, domainWords: Set(domainTrain.joined()))
                extras["retention_cosine"] = cosine
                extras["retention_words"] = Double(words)
            }
        }
        return RunResult(status: .finished, bestEpoch: 0, epochs: result.sessions.reduce(0) { $0 + $1.epochs }, valid: best.valid, test: test,
                         trainExamples: domainTrain.count, vocabulary: model.words.count, coverage: nil,
                         seconds: Date().timeIntervalSince(start), error: nil,
                         extras: extras.filter { $0.value.isFinite })  // JSON has no NaN: an unmeasurable figure is absent
    }
}
