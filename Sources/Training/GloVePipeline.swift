import Datasets
import Foundation
import Models
import Numerics

/// GloVe from text to vectors, with each stage timed (`tlab glove train`, `tlab bench glove`).
public struct GloVePipeline {
    public struct Timings: Sendable {
        public var tokenize = 0.0, vocabulary = 0.0, cooccur = 0.0, train = 0.0
    }

    public struct Result {
        public let vectors: WordVectors
        public let costs: [Double]
        public let cooccurrences: Int
        public let tokens: Int
        public let timings: Timings
    }

    public let config: GloVeConfig
    public var tokenizer = Tokenizer()
    public var log: (String) -> Void

    public init(config: GloVeConfig, log: @escaping (String) -> Void = { print($0) }) {
        self.config = config
        self.log = log
    }

    public func run(documents: [String]) -> Result {
        var timings = Timings()
        var start = Date()
        let tokenized = documents.map(tokenizer.tokenize)
        timings.tokenize = Date().timeIntervalSince(start)
        start = Date()
        let vocabulary = Vocabulary(documents: tokenized, minCount: config.minCount, specials: [])
        let ids = tokenized.map { doc in doc.map { vocabulary.id($0) ?? -1 } }
        timings.vocabulary = Date().timeIntervalSince(start)
        let tokens = tokenized.reduce(0) { $0 + $1.count }
        log("  \(documents.count) documents, \(tokens) tokens, vocabulary \(vocabulary.count) (min count \(config.minCount))")
        start = Date()
        let matrix = CooccurrenceMatrix(documents: ids, vocabulary: vocabulary.count, window: config.window)
        timings.cooccur = Date().timeIntervalSince(start)
        log("  \(matrix.count) non-zero co-occurrences (window \(config.window))")
        start = Date()
        let trainer = GloVeTrainer(vocabulary: vocabulary.count, config: config)
        let costs = trainer.train(matrix) { iteration, cost in
            self.log(String(format: "  iteration %2d  cost %.5f", iteration, cost))
        }
        timings.train = Date().timeIntervalSince(start)
        let vectors = WordVectors(words: vocabulary.tokens, values: trainer.vectors(), dimension: config.dimension)
        return Result(vectors: vectors, costs: costs, cooccurrences: matrix.count, tokens: tokens, timings: timings)
    }
}
