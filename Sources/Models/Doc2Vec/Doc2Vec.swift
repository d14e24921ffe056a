import CKernels
import Foundation
import Numerics

/// Paragraph vectors (Le & Mikolov 2014, "Distributed Representations of Sentences and Documents"):
/// PV-DBOW (optionally with skip-gram word training, gensim's `dbow_words`) and PV-DM (mean or
/// concatenation of the context), trained with negative sampling, frequent-word sub-sampling and a
/// learning rate decaying linearly from `alpha` to `minAlpha` over each `train` call, as gensim does.
public struct Doc2VecConfig: Codable, Equatable, Sendable {
    public enum Mode: String, Codable, Sendable, CaseIterable { case dbow, dmMean = "dm-mean", dmConcat = "dm-concat" }
    public var mode: Mode = .dbow
    /// PV-DBOW only: also train word vectors skip-gram style, interleaved with the document pairs.
    public var trainWords = false
    public var dimension = 100
    public var window = 5
    public var negative = 5
    /// Sub-sampling threshold (gensim's `sample`); 0 keeps every word.
    public var sample = 1e-3
    public var minCount = 2
    public var alpha: Float = 0.025
    public var minAlpha: Float = 0.0001
    public var epochs = 5
    public var seed: UInt64 = 1
    /// Worker threads; more than one updates the shared weights lock-free (as gensim), so runs are
    /// then no longer bit-exact.
    public var threads = 1
    public init() {}
}

/// Documents as vocabulary ids, flattened: document i is `ids[offsets[i]..<offsets[i+1]]` and trains
/// the document vector `tags[i]`.
public struct Doc2VecCorpus: Sendable {
    public var ids: [Int32] = []
    public var offsets: [Int] = [0]
    public var tags: [Int] = []
    public init() {}
    public var count: Int { tags.count }
    public var words: Int { ids.count }
    public mutating func append(_ document: [Int32], tag: Int) {
        ids += document
        offsets.append(ids.count)
        tags.append(tag)
    }
    public func document(_ i: Int) -> ArraySlice<Int32> { ids[offsets[i]..<offsets[i + 1]] }
}

/// What one `train` call did.
public struct Doc2VecReport: Codable, Sendable {
    public var epochs: Int
    public var rawWords: Int
    /// Words trained on after sub-sampling (what gensim calls effective words).
    public var effectiveWords: Int
    public var seconds: Double
    public var effectiveWordsPerSecond: Double { seconds > 0 ? Double(effectiveWords) / seconds : 0 }
}

/// What one epoch of a `train` call did (reported as it ends).
public struct Doc2VecEpoch: Sendable {
    /// The `session` argument of the `train` call, and the epoch within it (1-based).
    public let session: Int, epoch: Int
    /// Effective words trained on in this epoch, and its wall-clock seconds.
    public let effectiveWords: Int, seconds: Double
    /// The learning rate the epoch ended at.
    public let alpha: Float
}

public final class Doc2Vec: @unchecked Sendable {
    public let config: Doc2VecConfig
    public let words: [String]
    public let counts: [Int]
    public let index: [String: Int32]
    /// Word vectors [words (+1 null word for PV-DM concat), dimension].
    let syn0: UnsafeMutableBufferPointer<Float>
    /// Output weights [words, layer].
    let syn1neg: UnsafeMutableBufferPointer<Float>
    /// Document vectors [documents, dimension]; grows with `addDocuments`.
    private(set) var docs: UnsafeMutableBufferPointer<Float>
    public private(set) var documentCount = 0
    let cumTable: UnsafeMutableBufferPointer<UInt32>
    let keep: UnsafeMutableBufferPointer<UInt32>
    private var initRng: RandomGenerator

    public var dimension: Int { config.dimension }
    var layer: Int { config.mode == .dmConcat ? (1 + 2 * config.window) * config.dimension : config.dimension }
    var nullWord: Int { config.mode == .dmConcat ? words.count : -1 }

    /// A model over `words` with their corpus `counts` (which set the noise distribution and the
    /// sub-sampling rates); word vectors start uniform in ±1/dimension (as gensim 4), output weights at zero.
    public init(config: Doc2VecConfig, words: [String], counts: [Int]) {
        precondition(!words.isEmpty && words.count == counts.count, "Doc2Vec needs a non-empty vocabulary with counts")
        self.config = config
        self.words = words
        self.counts = counts
        index = Dictionary(uniqueKeysWithValues: words.enumerated().map { ($1, Int32($0)) })
        let rows = words.count + (config.mode == .dmConcat ? 1 : 0)
        let width = config.mode == .dmConcat ? (1 + 2 * config.window) * config.dimension : config.dimension
        syn0 = .allocate(capacity: rows * config.dimension)
        syn1neg = .allocate(capacity: words.count * width)
        syn1neg.initialize(repeating: 0)
        docs = .allocate(capacity: 0)
        initRng = RandomGenerator(seed: config.seed)
        var wordRng = initRng.derived("words")
        let bound = 1 / Float(config.dimension)
        for i in 0..<syn0.count { syn0[i] = wordRng.uniform(-bound, bound) }
        let (cum, keep) = Self.tables(counts: counts, sample: config.sample)
        cumTable = .allocate(capacity: cum.count); _ = cumTable.initialize(from: cum)
        self.keep = .allocate(capacity: keep.count); _ = self.keep.initialize(from: keep)
    }

    deinit { syn0.deallocate(); syn1neg.deallocate(); docs.deallocate(); cumTable.deallocate(); keep.deallocate() }

    /// Noise table (cumulative count^0.75, scaled to 2³¹ like gensim's `cum_table`) and sub-sampling
    /// thresholds (keep w with probability (√(c/t) + 1)·t/c, t = sample · total words).
    static func tables(counts: [Int], sample: Double) -> (cum: [UInt32], keep: [UInt32]) {
        let powered = counts.map { pow(Double($0), 0.75) }
        let total = powered.reduce(0, +)
        var running = 0.0
        let cum = powered.map { p -> UInt32 in running += p; return UInt32((running / total * 2147483647).rounded()) }
        let words = Double(counts.reduce(0, +))
        let threshold = sample * words
        let keep = counts.map { c -> UInt32 in
            guard sample > 0, c > 0 else { return .max }
            let p = ((Double(c) / threshold).squareRoot() + 1) * threshold / Double(c)
            return p >= 1 ? .max : UInt32(p * 4294967295)
        }
        return (cum, keep)
    }

    /// Appends `count` document vectors (uniform in ±1/dimension, from the model's seed); returns their tags.
    @discardableResult
    public func addDocuments(_ count: Int) -> Range<Int> {
        let d = config.dimension
        let grown = UnsafeMutableBufferPointer<Float>.allocate(capacity: (documentCount + count) * d)
        _ = grown.initialize(from: docs)
        var rng = initRng.derived("documents \(documentCount)")
        let bound = 1 / Float(d)
        for i in (documentCount * d)..<grown.count { grown[i] = rng.uniform(-bound, bound) }
        docs.deallocate()
        docs = grown
        defer { documentCount += count }
        return documentCount..<(documentCount + count)
    }

    public func id(_ word: String) -> Int32? { index[word] }
    public func encode(_ tokens: [String]) -> [Int32] { tokens.compactMap { index[$0] } }

    public func wordVector(_ i: Int) -> [Float] { Array(syn0[(i * dimension)..<((i + 1) * dimension)]) }
    public func documentVector(_ tag: Int) -> [Float] { Array(docs[(tag * dimension)..<((tag + 1) * dimension)]) }
    /// Word vectors of the vocabulary (without PV-DM concat's null word), row-major.
    public var wordVectors: [Float] { Array(syn0.prefix(words.count * dimension)) }
    public var documentVectors: [Float] { Array(docs.prefix(documentCount * dimension)) }

    var kernelModel: tl_d2v_model {
        tl_d2v_model(syn0: syn0.baseAddress, syn1neg: syn1neg.baseAddress, cum_table: cumTable.baseAddress, keep: keep.baseAddress,
                     vocab: words.count, dimension: dimension, layer: layer, negative: Int32(config.negative),
                     window: Int32(config.window), null_word: Int32(nullWord))
    }

    /// One training session over `corpus` (gensim's `train()`): `epochs` passes in corpus order, the
    /// rate decaying linearly from `alpha` to `minAlpha` over the whole session by words processed.
    /// Documents are cut into jobs of ≥10,000 words that `config.threads` threads take in turn; each
    /// document's random stream depends only on (seed, session, epoch, document), so one thread is
    /// bit-reproducible.
    @discardableResult
    public func train(_ corpus: Doc2VecCorpus, epochs: Int? = nil, alpha: Float? = nil, minAlpha: Float? = nil,
                      session: Int = 0, progress: ((Doc2VecEpoch) -> Void)? = nil) -> Doc2VecReport {
        precondition(corpus.tags.allSatisfy { $0 < documentCount }, "corpus tags beyond the model's documents: call addDocuments first")
        let epochs = epochs ?? config.epochs, alpha = alpha ?? config.alpha, minAlpha = minAlpha ?? config.minAlpha
        let start = Date()
        var jobs: [(range: Range<Int>, wordsBefore: Int)] = []
        var first = 0, wordsBefore = 0
        while first < corpus.count {
            var last = first, words = 0
            while last < corpus.count && words < 10_000 { words += corpus.offsets[last + 1] - corpus.offsets[last]; last += 1 }
            jobs.append((first..<last, wordsBefore))
            wordsBefore += words
            first = last
        }
        var effective = 0
        corpus.ids.withUnsafeBufferPointer { ids in
            for epoch in 0..<epochs {
                let epochStart = Date()
                let work = EpochWork(model: self, corpus: corpus, ids: ids, jobs: jobs, epoch: epoch, epochs: epochs,
                                     alpha: alpha, minAlpha: minAlpha, session: session)
                let threads = max(1, config.threads)
                if threads == 1 { work.run(0) } else { DispatchQueue.concurrentPerform(iterations: threads) { work.run($0) } }
                effective += work.kept
                progress?(Doc2VecEpoch(session: session, epoch: epoch + 1, effectiveWords: work.kept, seconds: Date().timeIntervalSince(epochStart),
                                       alpha: alpha - (alpha - minAlpha) * Float(epoch + 1) / Float(epochs)))
            }
        }
        return Doc2VecReport(epochs: epochs, rawWords: corpus.words * epochs, effectiveWords: effective,
                             seconds: Date().timeIntervalSince(start))
    }

    /// One epoch's jobs, taken in turn by the training threads, which share the weights without
    /// locks (Hogwild, Recht et al. 2011; gensim's workers do the same).
    private final class EpochWork: @unchecked Sendable {
        let model: Doc2Vec, corpus: Doc2VecCorpus, ids: UnsafeBufferPointer<Int32>
        let jobs: [(range: Range<Int>, wordsBefore: Int)]
        let epoch: Int, epochs: Int, alpha: Float, minAlpha: Float, session: Int
        let longest: Int
        private let lock = NSLock()
        private var next = 0
        private(set) var kept = 0

        init(model: Doc2Vec, corpus: Doc2VecCorpus, ids: UnsafeBufferPointer<Int32>, jobs: [(range: Range<Int>, wordsBefore: Int)],
             epoch: Int, epochs: Int, alpha: Float, minAlpha: Float, session: Int) {
            self.model = model; self.corpus = corpus; self.ids = ids; self.jobs = jobs; self.epoch = epoch; self.epochs = epochs
            self.alpha = alpha; self.minAlpha = minAlpha; self.session = session
            longest = (0..<corpus.count).map { corpus.offsets[$0 + 1] - corpus.offsets[$0] }.max() ?? 0
        }

        func run(_ thread: Int) {
            var kernel = model.kernelModel
            let scratch = UnsafeMutablePointer<Int32>.allocate(capacity: max(longest, 1))
            let work = UnsafeMutablePointer<Float>.allocate(capacity: 2 * model.layer)
            defer { scratch.deallocate(); work.deallocate() }
            let total = Double(max(corpus.words, 1) * epochs)
            var mine = 0
            while true {
                lock.lock(); let j = next; next += 1; lock.unlock()
                guard j < jobs.count else { break }
                let progress = (Double(epoch * corpus.words) + Double(jobs[j].wordsBefore)) / total
                let rate = alpha - (alpha - minAlpha) * Float(progress)
                for i in jobs[j].range {
                    var rng = Doc2Vec.documentSeed(model.config.seed, session: session, epoch: epoch, document: i)
                    let doc = model.docs.baseAddress! + corpus.tags[i] * model.dimension
                    mine += model.trainDocument(&kernel, ids.baseAddress! + corpus.offsets[i], corpus.offsets[i + 1] - corpus.offsets[i],
                                                doc, rate, &rng, learnDoc: true, learnHidden: true, learnWords: true, scratch, work)
                }
            }
            lock.lock(); kept += mine; lock.unlock()
        }
    }

    fileprivate func trainDocument(_ model: inout tl_d2v_model, _ words: UnsafePointer<Int32>, _ n: Int, _ doc: UnsafeMutablePointer<Float>,
                               _ alpha: Float, _ rng: inout UInt64, learnDoc: Bool, learnHidden: Bool, learnWords: Bool,
                               _ scratch: UnsafeMutablePointer<Int32>, _ work: UnsafeMutablePointer<Float>) -> Int {
        switch config.mode {
        case .dbow:
            return tl_d2v_dbow(&model, words, n, doc, alpha, &rng, config.trainWords && learnWords ? 1 : 0, learnDoc ? 1 : 0,
                               learnHidden ? 1 : 0, learnWords ? 1 : 0, scratch, work)
        case .dmMean, .dmConcat:
            return tl_d2v_dm(&model, words, n, doc, alpha, &rng, config.mode == .dmConcat ? 1 : 0, learnDoc ? 1 : 0,
                             learnHidden ? 1 : 0, learnWords ? 1 : 0, scratch, work)
        }
    }

    /// word2vec's generator state for one document of one epoch (splitmix64 of the coordinates).
    static func documentSeed(_ seed: UInt64, session: Int, epoch: Int, document: Int) -> UInt64 {
        var z = seed &+ 0x9E3779B97F4A7C15 &* UInt64(1 + document) &+ UInt64(truncatingIfNeeded: epoch) << 40
            &+ UInt64(truncatingIfNeeded: session) << 56
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return (z ^ (z >> 31)) & 0xFFFFFFFFFFFF
    }

    /// A vector for an unseen document (gensim's `infer_vector`): a fresh vector trained on the
    /// document alone with word vectors and output weights fixed, `epochs` passes with the rate
    /// stepping linearly from `alpha` to `minAlpha`. Deterministic for a seed.
    public func inferVector(_ document: [Int32], epochs: Int? = nil, alpha: Float? = nil, minAlpha: Float? = nil, seed: UInt64 = 1) -> [Float] {
        let epochs = epochs ?? config.epochs, alpha = alpha ?? config.alpha, minAlpha = minAlpha ?? config.minAlpha
        var start = RandomGenerator(seed: seed ^ config.seed)
        let bound = 1 / Float(dimension)
        var vector = (0..<dimension).map { _ in start.uniform(-bound, bound) }
        guard !document.isEmpty else { return vector }
        var model = kernelModel
        let scratch = UnsafeMutablePointer<Int32>.allocate(capacity: document.count)
        let work = UnsafeMutablePointer<Float>.allocate(capacity: 2 * layer)
        defer { scratch.deallocate(); work.deallocate() }
        let step = (alpha - minAlpha) / Float(max(epochs - 1, 1))
        document.withUnsafeBufferPointer { words in
            vector.withUnsafeMutableBufferPointer { v in
                for epoch in 0..<epochs {
                    var rng = Self.documentSeed(seed, session: -1, epoch: epoch, document: 0)
                    _ = trainDocument(&model, words.baseAddress!, words.count, v.baseAddress!, alpha - step * Float(epoch), &rng,
                                      learnDoc: true, learnHidden: false, learnWords: false, scratch, work)
                }
            }
        }
        return vector
    }
}
