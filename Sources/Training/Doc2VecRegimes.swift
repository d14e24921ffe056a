import Datasets
import Foundation
import Models
import Numerics

/// How a generic and a domain corpus are combined when training Doc2Vec — the question the gensim
/// maintainer answered (see ../shared/REFERENCES.md): train once on both, shuffled; or train on the
/// generic corpus and then "continue" on the domain; or oversample the domain inside one session.
public enum Doc2VecRegime: Equatable, Sendable {
    /// One session over generic + domain documents in a seeded shuffled order; vocabulary over both.
    case combined
    /// One session where each domain document appears `factor` times, the repeats shuffled through
    /// the corpus; the vocabulary (and its counts) come from the un-repeated corpus.
    case oversampled(factor: Int)
    /// A generic session, then a domain session on the same model.
    case sequential(vocabulary: VocabularyPolicy, second: SecondSession)

    public enum VocabularyPolicy: String, Sendable, CaseIterable {
        /// Built on the generic corpus and frozen: words first seen in the domain corpus are dropped.
        case frozen
        /// Built over both corpora before the generic session.
        case both
    }

    /// The domain session's learning rate: restart at a given alpha (gensim's `train()` default), or
    /// continue from where the generic session ended (`start_alpha = min_alpha_yet_reached`).
    public enum SecondSession: Equatable, Sendable {
        case restart(alpha: Float, epochs: Int)
        case `continue`(epochs: Int)
    }
}

/// What a regime produced: the model, the document tags of each corpus, and each session's report.
public struct Doc2VecRegimeResult {
    public let model: Doc2Vec
    public let genericTags: Range<Int>
    public let domainTags: Range<Int>
    public let sessions: [Doc2VecReport]
}

public enum Doc2VecRegimes {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The generic session on its own (the sequential regimes' first step, and the generic-only
    /// reference every regime's drift is measured against). With `vocabularyAlso`, the vocabulary is
    /// counted over those documents too (the `both` policy).
    public static func genericSession(generic: [[String]], vocabularyAlso domain: [[String]] = [], config: Doc2VecConfig,
                                      progress: ((Doc2VecEpoch) -> Void)? = nil) throws -> (Doc2Vec, Doc2VecReport) {
        let vocabulary = Doc2VecData.vocabulary(generic + domain, minCount: config.minCount)
        guard vocabulary.count > 0 else { throw Failure(description: "no word occurs \(config.minCount)+ times in the generic corpus") }
        let model = Doc2VecData.model(config, vocabulary: vocabulary)
        let corpus = Doc2VecData.corpus(generic, model: model)
        return (model, model.train(corpus, session: 0, progress: progress))
    }

    /// The domain session on a model from `genericSession`: new document vectors for `domain`,
    /// unknown words dropped, trained with the second session's rate and epochs.
    public static func domainSession(_ model: Doc2Vec, domain: [[String]], second: Doc2VecRegime.SecondSession,
                                     progress: ((Doc2VecEpoch) -> Void)? = nil) -> (Range<Int>, Doc2VecReport) {
        let corpus = Doc2VecData.corpus(domain, model: model)
        let tags = corpus.tags.first.map { $0..<($0 + corpus.count) } ?? model.documentCount..<model.documentCount
        let report: Doc2VecReport
        switch second {
        case let .restart(alpha, epochs):
            report = model.train(corpus, epochs: epochs, alpha: alpha, minAlpha: model.config.minAlpha, session: 1, progress: progress)
        case let .continue(epochs):
            report = model.train(corpus, epochs: epochs, alpha: model.config.minAlpha, minAlpha: model.config.minAlpha, session: 1, progress: progress)
        }
        return (tags, report)
    }

    /// Trains `regime` from scratch; for `sequential`, `generic` may be a model already trained by
    /// `genericSession` with the matching vocabulary policy (a stage artifact), which is then continued.
    /// `progress` hears each epoch's end (session 0: generic or combined, 1: the domain session).
    public static func train(_ regime: Doc2VecRegime, generic: [[String]], domain: [[String]], config: Doc2VecConfig,
                             pretrained: Doc2Vec? = nil, progress: ((Doc2VecEpoch) -> Void)? = nil) throws -> Doc2VecRegimeResult {
        guard !domain.isEmpty else { throw Failure(description: "the domain corpus has no documents") }
        switch regime {
        case let .sequential(policy, second):
            var sessions: [Doc2VecReport] = []
            let model: Doc2Vec
            if let pretrained { model = pretrained } else {
                let (trained, report) = try genericSession(generic: generic, vocabularyAlso: policy == .both ? domain : [], config: config, progress: progress)
                model = trained
                sessions.append(report)
            }
            let genericTags = 0..<model.documentCount
            let (domainTags, report) = domainSession(model, domain: domain, second: second, progress: progress)
            return Doc2VecRegimeResult(model: model, genericTags: genericTags, domainTags: domainTags, sessions: sessions + [report])
        case .combined, .oversampled:
            let factor: Int
            if case let .oversampled(k) = regime { factor = k } else { factor = 1 }
            guard factor >= 1 else { throw Failure(description: "an oversampling factor must be at least 1") }
            let vocabulary = Doc2VecData.vocabulary(generic + domain, minCount: config.minCount)
            guard vocabulary.count > 0 else { throw Failure(description: "no word occurs \(config.minCount)+ times in the generic and domain corpora") }
            let model = Doc2VecData.model(config, vocabulary: vocabulary)
            let genericTags = model.addDocuments(generic.count)
            let domainTags = model.addDocuments(domain.count)
            var entries: [(tokens: [String], tag: Int)] = zip(generic, genericTags).map { ($0, $1) }
            for _ in 0..<factor { entries += zip(domain, domainTags).map { ($0, $1) } }
            var rng = RandomGenerator(seed: config.seed).derived("regime shuffle")
            for i in stride(from: entries.count - 1, to: 0, by: -1) { entries.swapAt(i, rng.int(below: i + 1)) }
            var corpus = Doc2VecCorpus()
            for entry in entries { corpus.append(model.encode(entry.tokens), tag: entry.tag) }
            let report = model.train(corpus, session: 0, progress: progress)
            return Doc2VecRegimeResult(model: model, genericTags: genericTags, domainTags: domainTags, sessions: [report])
        }
    }

    /// Retention of generic knowledge: for words of `reference` (the generic-only model) that also
    /// have vectors in `model` but never occur in the domain corpus, the mean cosine between their
    /// reference vector, rotated onto `model`'s space by orthogonal Procrustes (fitted on all shared
    /// words), and their vector in `model`. 1 means untouched by the domain training.
    public static func retention(of model: Doc2Vec, reference: Doc2Vec, domainWords: Set<String>) throws -> (cosine: Double, words: Int) {
        let shared = reference.words.filter { model.id($0) != nil }
        guard shared.count >= model.dimension else { return (.nan, 0) }
        let d = model.dimension
        var a: [Float] = [], b: [Float] = []
        a.reserveCapacity(shared.count * d); b.reserveCapacity(shared.count * d)
        for word in shared {
            a += reference.wordVector(Int(reference.id(word)!))
            b += model.wordVector(Int(model.id(word)!))
        }
        let aligned = try Procrustes.align(a, onto: b, rows: shared.count, dimension: d)
        var total = 0.0, count = 0
        for (i, word) in shared.enumerated() where !domainWords.contains(word) {
            total += Double(Doc2VecData.cosine(Array(aligned[(i * d)..<((i + 1) * d)]), Array(b[(i * d)..<((i + 1) * d)])))
            count += 1
        }
        return (count > 0 ? total / Double(count) : .nan, count)
    }
}
