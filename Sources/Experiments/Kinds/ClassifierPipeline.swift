import Autodiff
import Datasets
import Foundation
import Outcomes
import Models
import Numerics
import Specs
import Training

/// The configuration of a word-vector text classifier run (kim-cnn, bilstm-max); `Model` is the kind's
/// own `model:` fields.
public struct ClassifierRunConfig<Model: Decodable>: Decodable {
    var run: RunSection
    var data: DataSection
    var embeddings: EmbeddingsSection
    var model: Model
    var train: TrainSection

    enum CodingKeys: String, CodingKey { case run, data, embeddings, model, train, experiment, stages }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        c.allow(.experiment, .stages)
        run = try c.decode(RunSection.self, forKey: .run)
        data = try c.decode(DataSection.self, forKey: .data)
        embeddings = try c.decodeIfPresent(EmbeddingsSection.self, forKey: .embeddings) ?? ConfigDecoder().defaults(EmbeddingsSection.self)
        model = try c.decode(Model.self, forKey: .model)
        train = try c.decodeIfPresent(TrainSection.self, forKey: .train) ?? ConfigDecoder().defaults(TrainSection.self)
    }
}

/// The `model:` fields of a word-vector classifier kind, and the classifier they make.
public protocol ClassifierModel: ModelSection {
    func make(_ table: Tensor, _ channels: EmbeddingChannels, _ classes: Int, _ rng: inout RandomGenerator) -> TextClassifier
}

/// A word-vector classifier kind runs and is checked by `ClassifierPipeline`; only its model differs.
extension RunKind where Config == ClassifierRunConfig<Model>, Model: ClassifierModel {
    public static func check(_ config: Config, node: ConfigNode, data: DataStore) -> [String] {
        ClassifierPipeline.check(config, node: node, data: data, makeModel: config.model.make)
    }

    public static func execute(_ config: Config, context: RunContext) throws -> RunOutcome {
        try ClassifierPipeline.execute(config, context: context, makeModel: config.model.make)
    }
}

/// Trains and evaluates a classifier over word vectors: data, split, vocabulary of the training split,
/// embedding table (pretrained with an OOV policy, or random), model, grouped optimizer, phases.
enum ClassifierPipeline {
    typealias MakeModel = (_ table: Tensor, _ channels: EmbeddingChannels, _ classes: Int, _ rng: inout RandomGenerator) -> TextClassifier

    static func execute<Model>(_ c: ClassifierRunConfig<Model>, context: RunContext, makeModel: MakeModel) throws -> RunOutcome {
        let start = Date()
        let observer = context.observer
        let seed = UInt64(c.run.seed)
        let rng = RandomGenerator(seed: seed)

        // Data, split, training-set size.
        let examples = try c.data.examples(context.data)
        let labelNames = Array(Set(examples.map(\.label))).sorted()
        let labelIDs = Dictionary(uniqueKeysWithValues: labelNames.enumerated().map { ($1, Int32($0)) })
        let labels = examples.map(\.label)
        let split = c.data.split(labels: labels, run: c.run)

        // Tokens, vocabulary (training split only), embedding table.
        let tokenizer = c.data.tokenizer
        let tokens = examples.map { tokenizer.tokenize($0.text) }
        let vocabulary = Vocabulary(documents: split.train.map { tokens[$0] }, minCount: c.data.minCount ?? 1)
        let vectors: WordVectors
        if let reference = c.embeddings.vectors, reference.value.hasPrefix(StagePlanner.prefix) {
            vectors = try WordVectors(mappingFolder: try context.artifact(reference, of: "glove"))
        } else {
            vectors = try context.data.vectors(c.embeddings.vectorsID)
        }
        var embeddingRng = rng.derived("embedding")
        var (table, coverage) = EmbeddingMatrix.build(vocabulary: vocabulary, vectors: vectors, oov: c.embeddings.oov, rng: &embeddingRng)
        if c.embeddings.initialisation == .random {
            // CNN-rand: every word random, with the pretrained vectors' variance (the OOV policy's rows).
            let bound = Float((3 * vectors.moments().variance).squareRoot())
            for i in vectors.dimension..<table.count { table[i] = embeddingRng.uniform(-bound, bound) }
            coverage = Coverage(typesCovered: 0, types: coverage.types, tokensCovered: 0, tokens: coverage.tokens)
        }
        observer?.note(String(format: "vocabulary %d (train split), GloVe coverage %.1f%% of types, %.1f%% of tokens",
                              vocabulary.count, 100 * coverage.typeRate, 100 * coverage.tokenRate))

        func encode(_ indices: [Int]) -> [EncodedExample] {
            indices.map { EncodedExample(ids: vocabulary.encode(tokens[$0]), label: labelIDs[labels[$0]]!) }
        }
        let (train, valid, test) = (encode(split.train), encode(split.valid), encode(split.test))

        // Model and optimizer.
        var modelRng = rng.derived("model")
        let model = makeModel(table, c.embeddings.channels.model, labelNames.count, &modelRng)
        let (trainer, groups) = try c.train.classifierTrainer(model, trainExamples: train.count, classes: labelNames.count, seed: seed, batchSize: 50)
        trainer.maxLength = c.data.maxLength ?? 400
        observer?.note("train \(train.count), valid \(valid.count), test \(test.count); groups: \(trainer.optimizer.assignmentLog.count) parameters in \(groups.map(\.name).joined(separator: ", "))")

        let fit = try trainer.fit(train: train, valid: valid, resume: context.resume) { observer?.epochEnded($0) }
        for event in fit.events { observer?.note("\(event.kind.rawValue) \(event.group) at step \(event.step)\(event.resetMoments ? " (moments reset)" : "")") }
        var result = RunOutcome(fit: fit, trainExamples: train.count, vocabulary: vocabulary.count, coverage: coverage) { trainer.evaluate(test) }
        result.seconds = Date().timeIntervalSince(start) + fit.earlierSeconds  // a resumed run: its earlier attempts' training too
        return result
    }

    /// The dataset and vectors installed, and the groups and phases fitting the model (a tiny one of the
    /// spec's architecture, so no data is read).
    static func check<Model>(_ c: ClassifierRunConfig<Model>, node: ConfigNode, data: DataStore, makeModel: MakeModel) -> [String] {
        var problems = c.data.problems(data)
        if !c.embeddings.vectorsID.hasPrefix(StagePlanner.prefix) {
            problems += installedProblems(c.embeddings.vectorsID, at: c.embeddings.vectors?.location ?? node.location, field: "embeddings.vectors", data: data)
        }
        var rng = RandomGenerator(seed: 0)
        let model = makeModel(Tensor(zeros: [4, 4]), c.embeddings.channels.model, 2, &rng)
        do {
            try c.train.checkGroups(against: model.parameters, groups: try c.train.groupConfigs(totalSteps: 10), at: node.location)
        } catch {
            problems.append("\(error)")
        }
        return problems
    }
}

extension EmbeddingsSection.Channels {
    var model: EmbeddingChannels { self == .multichannel ? .multichannel : .single }
}

/// The problem with installed dataset `id` named at `location`, if it is unknown or not installed.
func installedProblems(_ id: String, at location: SourceLocation, field: String, data: DataStore) -> [String] {
    do {
        _ = try DatasetCatalog.entry(id)
        return data.isInstalled(id) ? [] : ["\(location): \(field): \(DataError.notInstalled(id))"]
    } catch {
        return ["\(location): \(field): \(error)"]
    }
}

extension DataSection {
    /// The run's dataset is installed, or its user file exists.
    func problems(_ data: DataStore) -> [String] {
        switch source.value {
        case let .installed(id, _): return installedProblems(id, at: source.location, field: "data.datasets", data: data)
        case let .file(file, _):
            guard FileManager.default.fileExists(atPath: file.path) else {
                return ["\(source.location): data.datasets: no file '\(file.path)' (paths are relative to the current folder)"]
            }
            // Read and checked now, not when a run reaches it.
            do { _ = try examples(data) } catch { return ["\(source.location): data.datasets: \(error)"] }
            return []
        }
    }
}
