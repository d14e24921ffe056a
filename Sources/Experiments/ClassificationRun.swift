import Autodiff
import Datasets
import Foundation
import Models
import Numerics
import Specs
import Training

/// What a finished run reports (also what the results table stores).
public struct RunResult: Codable, Equatable, Sendable {
    public enum Status: String, Codable, Sendable { case finished, diverged, failed }
    public var status: Status
    public var bestEpoch: Int
    public var epochs: Int
    public var valid: ClassificationMetrics?
    public var test: ClassificationMetrics?
    public var trainExamples: Int
    public var vocabulary: Int
    public var coverage: Coverage?
    /// Wall-clock seconds; for a resumed run, plus the training its earlier attempts did up to the state it resumed from.
    public var seconds: Double
    public var error: String?
    /// Further named results of runs that are more than a classifier (e.g. word-similarity ρ).
    public var extras: [String: Double]? = nil
}

/// Observes a run as it goes: per-epoch metrics and optimizer events.
public protocol RunObserver: AnyObject {
    func epochEnded(_ record: EpochRecord)
    func note(_ message: String)
    /// One named metric at an epoch (language-model stages: loss, perplexity, tokens/s).
    func record(epoch: Int, split: String, name: String, value: Double)
}

extension RunObserver {
    public func record(epoch: Int, split: String, name: String, value: Double) {}
}

/// Trains and evaluates one text classifier from a resolved run configuration.
public enum ClassificationRun {
    /// `artifacts`: the folders of the stages the configuration uses (`stage:NAME` values).
    public static func execute(_ config: ConfigNode, store: DataStore, artifacts: [String: URL] = [:], observer: RunObserver? = nil,
                               resume: URL? = nil) throws -> RunResult {
        let start = Date()
        let c = RunConfig(tree: config)
        let seed = UInt64(try c.int("run.seed", default: 0))
        let rng = RandomGenerator(seed: seed)

        // Data, split, training-set size.
        let examples = try c.examples(store)
        let labelNames = Array(Set(examples.map(\.label))).sorted()
        let labelIDs = Dictionary(uniqueKeysWithValues: labelNames.enumerated().map { ($1, Int32($0)) })
        let labels = examples.map(\.label)
        let split = try c.split(labels: labels)

        // Tokens, vocabulary (training split only), embedding table.
        let tokenizer = c.tokenizer
        let tokens = examples.map { tokenizer.tokenize($0.text) }
        let vocabulary = Vocabulary(documents: split.train.map { tokens[$0] }, minCount: try c.int("data.min_count", default: 1))
        let vectorsID = try c.string("embeddings.vectors", default: "glove-6b-50d")
        let vectors: WordVectors
        if vectorsID.hasPrefix(StagePlanner.prefix) {
            let name = String(vectorsID.dropFirst(StagePlanner.prefix.count))
            guard let folder = artifacts[name] else { throw SpecError(location: config.location, path: "embeddings.vectors", message: "stage '\(name)' made no artifact") }
            vectors = try WordVectors(mappingFolder: folder)
        } else {
            vectors = try store.vectors(vectorsID)
        }
        let oov = OOVPolicy(rawValue: try c.string("embeddings.oov", default: "uniform")) ?? .uniform
        var embeddingRng = rng.derived("embedding")
        var (table, coverage) = EmbeddingMatrix.build(vocabulary: vocabulary, vectors: vectors, oov: oov, rng: &embeddingRng)
        if try c.string("embeddings.init", default: "pretrained") == "random" {
            // CNN-rand: every word random, with the pretrained vectors' variance (the OOV policy's rows).
            let bound = Float((3 * vectors.moments().variance).squareRoot())
            for i in vectors.dimension..<table.count { table[i] = embeddingRng.uniform(-bound, bound) }
            coverage = Coverage(typesCovered: 0, types: coverage.types, tokensCovered: 0, tokens: coverage.tokens)
        }
        observer?.note(String(format: "vocabulary %d (train split), GloVe coverage %.1f%% of types, %.1f%% of tokens",
                              vocabulary.count, 100 * coverage.typeRate, 100 * coverage.tokenRate))

        // Model and optimizer.
        var modelRng = rng.derived("model")
        let model = try makeModel(c, table: table, classes: labelNames.count, rng: &modelRng)
        let groups = try c.groups
        let optimizer = try GroupedOptimizer(parameters: model.parameters, groups: groups)
        var training = ClassifierTrainingConfig()
        training.batchSize = try c.int("train.batch_size", default: 50)
        training.phases = try c.phases(groups: groups)
        training.patience = c.node("train.patience")?.scalar.flatMap(Int.init)
        training.clipNorm = c.node("train.clip_norm")?.scalar.flatMap(Float.init)
        training.seed = seed
        let trainer = ClassifierTrainer(model: model, optimizer: optimizer, config: training, classes: labelNames.count)
        trainer.maxLength = c.node("data.max_length")?.scalar.flatMap(Int.init) ?? 400
        func encode(_ indices: [Int]) -> [EncodedExample] {
            indices.map { EncodedExample(ids: vocabulary.encode(tokens[$0]), label: labelIDs[labels[$0]]!) }
        }
        let (train, valid, test) = (encode(split.train), encode(split.valid), encode(split.test))
        observer?.note("train \(train.count), valid \(valid.count), test \(test.count); groups: \(optimizer.assignmentLog.count) parameters in \(groups.map(\.name).joined(separator: ", "))")

        let fit = try trainer.fit(train: train, valid: valid, resume: resume) { observer?.epochEnded($0) }
        for event in fit.events { observer?.note("\(event.kind.rawValue) \(event.group) at step \(event.step)\(event.resetMoments ? " (moments reset)" : "")") }
        var result = RunResult(status: .finished, bestEpoch: fit.bestEpoch, epochs: fit.epochs.count,
                               valid: fit.epochs.first { $0.epoch == fit.bestEpoch }?.valid, test: nil,
                               trainExamples: train.count, vocabulary: vocabulary.count, coverage: coverage,
                               seconds: 0, error: nil)
        if case let .diverged(epoch, step) = fit.outcome {
            result.status = .diverged
            result.error = "non-finite loss at epoch \(epoch), step \(step)"
        } else {
            result.test = trainer.evaluate(test)
        }
        result.seconds = Date().timeIntervalSince(start) + fit.earlierSeconds  // a resumed run: its earlier attempts' training too
        return result
    }

    /// The classifier a configuration names, with its embedding initialised from `table`.
    static func makeModel(_ c: RunConfig, table: Tensor, classes: Int, rng: inout RandomGenerator) throws -> TextClassifier {
        switch try c.string("model.kind") {
        case "kim-cnn":
            var kim = KimCNN.Config()
            kim.windows = c.node("model.windows")?.sequence?.compactMap { $0.scalar.flatMap(Int.init) } ?? kim.windows
            kim.maps = try c.int("model.maps", default: kim.maps)
            kim.dropout = Float(try c.double("model.dropout", default: Double(kim.dropout)))
            kim.channels = try c.string("embeddings.channels", default: "single") == "multichannel" ? .multichannel : .single
            return KimCNN(config: kim, table: table, classes: classes, rng: &rng)
        case "bilstm-max":
            var bilstm = BiLSTMClassifier.Config()
            bilstm.hidden = try c.int("model.hidden", default: bilstm.hidden)
            bilstm.dropout = Float(try c.double("model.dropout", default: Double(bilstm.dropout)))
            bilstm.channels = try c.string("embeddings.channels", default: "single") == "multichannel" ? .multichannel : .single
            return BiLSTMClassifier(config: bilstm, table: table, classes: classes, rng: &rng)
        case let kind:
            throw SpecError(location: c.tree.location, path: "model.kind", message: "unknown model '\(kind)'")
        }
    }

    /// Checks, without data, that the configuration's parameter groups and phases fit its model:
    /// every pattern matches a parameter, every parameter is in one group, phases name real groups.
    public static func checkGroups(_ config: ConfigNode) throws {
        let c = RunConfig(tree: config)
        var rng = RandomGenerator(seed: 0)
        let model = try makeModel(c, table: Tensor(zeros: [4, 4]), classes: 2, rng: &rng)
        try c.checkGroups(against: model.parameters, groups: try c.groups)
    }
}
