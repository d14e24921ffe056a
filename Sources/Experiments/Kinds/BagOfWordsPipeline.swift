import Datasets
import Foundation
import Outcomes
import Specs
import Training

/// The configuration of a bag-of-words baseline run (tfidf-lr, nbsvm): the run's coordinates, its data and the kind's
/// own fields; a baseline trains with nothing else of the spec.
public struct BaselineRunConfig<Model: Decodable>: Decodable, OpenConfig {
    var run: RunSection
    var data: DataSection
    var model: Model
}

/// The `model:` fields of a bag-of-words baseline kind, and the classifier it fits for one C.
public protocol BaselineModel: ModelSection {
    /// N-grams in fewer training documents are dropped.
    var minCount: Int { get }
    /// Word n-gram orders 1…`order`.
    var order: Int { get }
    /// The regularisation strengths tried; the one best on validation is kept.
    var cs: [Double] { get }
    /// Fits on the training rows and returns a scorer of rows built like them.
    func fit(_ features: NGramFeatures, train: [[String]], labels: [Int32], classes: Int, c: Double) -> (([[String]], [Int32]) -> ClassificationMetrics, converged: Bool)
}

/// The shared fields: `min_count`, `order`, `c` (a list of strengths).
struct BaselineFields {
    var minCount = 1, order = 2
    var cs = [0.01, 0.1, 1, 10, 100]

    init<Key: CodingKey>(_ c: KeyedDecodingContainer<Key>, minCount: Key, order: Key, cs: Key) throws {
        self.minCount = try c.decode(minCount, or: self.minCount, Valid.positive, Valid.atLeast1)
        self.order = try c.decode(order, or: self.order, "1 to 3") { (n: Int) in (1...3).contains(n) }
        self.cs = try c.decode(cs, or: self.cs, "positive strengths") { (list: [Double]) in !list.isEmpty && list.allSatisfy { $0 > 0 && $0.isFinite } }
    }
}

/// A bag-of-words baseline kind runs and is checked by `BagOfWordsPipeline`.
extension RunKind where Config == BaselineRunConfig<Model>, Model: BaselineModel {
    public static func check(_ config: Config, node: ConfigNode, data: DataStore) -> [String] { config.data.problems(data) }
    public static func execute(_ config: Config, context: RunContext) throws -> RunOutcome { try BagOfWordsPipeline.execute(config, context: context) }
}

/// Fits a bag-of-words baseline on exactly the split, fold and training-set size the spec's other arms use, the
/// documents cut at the same length (`data.max_length`, else the word-vector classifiers' 400 tokens), each
/// regularisation strength tried and the best on validation accuracy kept (the first of equals: the strongest).
enum BagOfWordsPipeline {
    /// The share of the most frequent label: the accuracy of always answering it (chance level, for the reports' checks).
    static func majority(_ labels: [Int32]) -> Double {
        Double(Dictionary(grouping: labels, by: { $0 }).values.map(\.count).max() ?? 0) / Double(max(labels.count, 1))
    }

    static func execute<Model: BaselineModel>(_ c: BaselineRunConfig<Model>, context: RunContext) throws -> RunOutcome {
        let start = Date()
        let examples = try c.data.examples(context.data)
        let labelNames = Array(Set(examples.map(\.label))).sorted()
        let labelIDs = Dictionary(uniqueKeysWithValues: labelNames.enumerated().map { ($1, Int32($0)) })
        let labels = examples.map { labelIDs[$0.label]! }
        let split = c.data.split(labels: examples.map(\.label), run: c.run)
        let tokenizer = c.data.tokenizer, maxLength = c.data.maxLength ?? 400
        let tokens = examples.map { Array(tokenizer.tokenize($0.text).prefix(maxLength)) }
        func part(_ indices: [Int]) -> ([[String]], [Int32]) { (indices.map { tokens[$0] }, indices.map { labels[$0] }) }
        let (train, valid, test) = (part(split.train), part(split.valid), part(split.test))

        let features = NGramFeatures(documents: train.0, orders: 1...c.model.order, minCount: c.model.minCount, sublinear: true)
        context.observer?.note("train \(train.0.count), valid \(valid.0.count), test \(test.0.count); \(features.count) n-gram features (1–\(c.model.order)-grams in ≥ \(c.model.minCount) training documents)")
        var best: (c: Double, valid: ClassificationMetrics, score: ([[String]], [Int32]) -> ClassificationMetrics)?
        var unconverged: [Double] = []
        for (i, strength) in c.model.cs.enumerated() {
            let (score, converged) = c.model.fit(features, train: train.0, labels: train.1, classes: labelNames.count, c: strength)
            if !converged { unconverged.append(strength) }
            let metrics = score(valid.0, valid.1)
            context.observer?.record(epoch: i + 1, split: "valid", name: "accuracy", value: metrics.accuracy)
            context.observer?.note("C \(strength): valid accuracy \(String(format: "%.4f", metrics.accuracy))\(converged ? "" : " (not converged)")")
            if best == nil || metrics.accuracy > best!.valid.accuracy { best = (strength, metrics, score) }
        }
        let chosen = best!
        var outcome = RunOutcome(status: .finished, valid: SplitMetrics(chosen.valid), test: SplitMetrics(chosen.score(test.0, test.1)),
                                 trainExamples: train.0.count, vocabulary: features.count,
                                 extras: ["c": chosen.c, "features": Double(features.count), "majority": majority(test.1)])
        if !unconverged.isEmpty { outcome.error = "L-BFGS did not converge for C \(unconverged.map { "\($0)" }.joined(separator: ", "))" }
        outcome.seconds = Date().timeIntervalSince(start)
        return outcome
    }
}
