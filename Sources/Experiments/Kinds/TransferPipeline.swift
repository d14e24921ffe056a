import Autodiff
import Datasets
import Foundation
import Outcomes
import Models
import Numerics
import Specs
import Training

/// The configuration of an LM-transfer classifier run (ulmfit, siatl); `Model` is the kind's own
/// `model:` fields.
public struct TransferRunConfig<Model: TransferModel>: Decodable {
    var run: RunSection
    var data: DataSection
    var model: Model
    var train: TrainSection
    var languageModel: LanguageModelSection

    enum CodingKeys: String, CodingKey { case run, data, model, train, languageModel = "language_model", experiment, stages }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        c.allow(.experiment, .stages)
        run = try c.decode(RunSection.self, forKey: .run)
        data = try c.decode(DataSection.self, forKey: .data)
        model = try c.decode(Model.self, forKey: .model)
        train = try c.decodeIfPresent(TrainSection.self, forKey: .train) ?? ConfigDecoder().defaults(TrainSection.self)
        languageModel = try c.decode(.languageModel, or: LanguageModelSection())
    }
}

/// The `model:` fields every LM-transfer kind has: the language-model stage to start from and its initialisation.
public protocol TransferModel: ModelSection {
    var from: Located<String> { get }
    var random: Bool { get }
    func make(_ languageModel: LSTMLanguageModel, classes: Int, rng: inout RandomGenerator) -> TextClassifier
}

/// An LM-transfer kind runs and is checked by `TransferPipeline`; only its model differs.
extension RunKind where Config == TransferRunConfig<Model>, Model: TransferModel {
    public static func check(_ config: Config, node: ConfigNode, data: DataStore) -> [String] {
        TransferPipeline.check(config, node: node, data: data)
    }

    public static func execute(_ config: Config, context: RunContext) throws -> RunOutcome {
        try TransferPipeline.execute(config, context: context)
    }
}

/// One run of the LM-transfer experiment: a classifier around a language model from a stage artifact
/// (`model.from`), trained by the spec's groups, unfreezing, discriminative rates, schedules and auxiliary
/// loss; the language model's held-out generic perplexity is measured before and after, as forgetting.
enum TransferPipeline {
    static func execute<Model>(_ c: TransferRunConfig<Model>, context: RunContext) throws -> RunOutcome {
        let start = Date()
        let observer = context.observer
        let seed = UInt64(c.run.seed)
        let artifact = try LanguageModelArtifact.load(try context.artifact(c.model.from, of: "language-model"))
        let lm = try artifact.model(seed: seed, random: c.model.random)
        let before = LanguageModelData.perplexity(lm, stream: artifact.heldout)

        let examples = try c.data.examples(context.data)
        let labelNames = Array(Set(examples.map(\.label))).sorted()
        let labelIDs = Dictionary(uniqueKeysWithValues: labelNames.enumerated().map { ($1, Int32($0)) })
        let split = c.data.split(labels: examples.map(\.label), run: c.run)
        let tokenizer = c.data.tokenizer
        func encode(_ indices: [Int]) -> [EncodedExample] {
            indices.map { EncodedExample(ids: artifact.vocabulary.encode(tokenizer.tokenize(examples[$0].text)), label: labelIDs[examples[$0].label]!) }
        }
        let (train, valid, test) = (encode(split.train), encode(split.valid), encode(split.test))

        var rng = RandomGenerator(seed: seed).derived("classifier")
        let model = c.model.make(lm, classes: labelNames.count, rng: &rng)
        let (trainer, groups) = try c.train.classifierTrainer(model, trainExamples: train.count, classes: labelNames.count, seed: seed, batchSize: 32)
        let training = trainer.config
        trainer.maxLength = c.data.maxLength ?? 200
        observer?.note("train \(train.count), valid \(valid.count), test \(test.count); \(c.model.random ? "random" : "pretrained") LM from \(c.model.from.value); groups "
                       + groups.map { String(format: "%@ %.2e", $0.name, $0.learningRate) }.joined(separator: ", ")
                       + "; phases " + training.phases.map { "\($0.epochs)×frozen[\($0.frozen.joined(separator: ","))]" }.joined(separator: " "))
        let fit = try trainer.fit(train: train, valid: valid, resume: context.resume) { observer?.epochEnded($0) }
        for event in fit.events { observer?.note("\(event.kind.rawValue) \(event.group) at step \(event.step)") }
        var result = RunOutcome(fit: fit, trainExamples: train.count, vocabulary: artifact.vocabulary.count, coverage: nil) { trainer.evaluate(test) }
        // Forgetting: the language model (sharing the classifier's embedding and encoder) on held-out generic text.
        let after = LanguageModelData.perplexity(lm, stream: artifact.heldout)
        result.extras = ["generic_perplexity_before": before, "generic_perplexity_after": after, "forgetting_ratio": after / before]
            .filter { $0.value.isFinite }
        result.seconds = Date().timeIntervalSince(start) + fit.earlierSeconds  // a resumed run: its earlier attempts' training too
        return result
    }

    /// The dataset installed, and the groups, unfreezing order and discriminative order fitting the
    /// classifier's parameters (a tiny model of the spec's architecture).
    static func check<Model>(_ c: TransferRunConfig<Model>, node: ConfigNode, data: DataStore) -> [String] {
        var problems = c.data.problems(data)
        var rng = RandomGenerator(seed: 0)
        let lm = LSTMLanguageModel(c.languageModel.architecture(vocabulary: 8), rng: &rng)
        let model = c.model.make(lm, classes: 2, rng: &rng)
        do {
            try c.train.checkGroups(against: model.parameters, groups: try c.train.groupConfigs(totalSteps: 10), at: node.location)
        } catch {
            problems.append("\(error)")
        }
        return problems
    }
}
