import Autodiff
import Datasets
import Foundation
import Models
import Numerics
import Specs
import Training

/// One run of the LM-transfer experiment: a ULMFiT or SiATL classifier around a language model from a
/// stage artifact (`model.from`), trained by the spec's groups, unfreezing, discriminative rates,
/// schedules and auxiliary loss; the language model's held-out generic perplexity is measured before
/// and after, as forgetting.
public enum TransferRun {
    public static func execute(_ config: ConfigNode, store: DataStore, artifacts: [String: URL], observer: RunObserver?, resume: URL? = nil) throws -> RunResult {
        let start = Date()
        let c = RunConfig(tree: config)
        let seed = UInt64(try c.int("run.seed", default: 0))
        let from = try c.string("model.from")
        guard from.hasPrefix(StagePlanner.prefix), let folder = artifacts[String(from.dropFirst(StagePlanner.prefix.count))] else {
            throw SpecError(location: c.node("model.from")?.location ?? config.location, path: "model.from", message: "expected stage:NAME of a language-model stage")
        }
        let artifact = try LanguageModelStages.Artifact.load(folder)
        let random = try c.string("model.init", default: "pretrained") == "random"
        let lm = try artifact.model(seed: seed, random: random)
        let before = LanguageModelData.perplexity(lm, stream: artifact.heldout)

        let examples = try c.examples(store)
        let labelNames = Array(Set(examples.map(\.label))).sorted()
        let labelIDs = Dictionary(uniqueKeysWithValues: labelNames.enumerated().map { ($1, Int32($0)) })
        let split = try c.split(labels: examples.map(\.label))
        let tokenizer = c.tokenizer
        func encode(_ indices: [Int]) -> [EncodedExample] {
            indices.map { EncodedExample(ids: artifact.vocabulary.encode(tokenizer.tokenize(examples[$0].text)), label: labelIDs[examples[$0].label]!) }
        }
        let (train, valid, test) = (encode(split.train), encode(split.valid), encode(split.test))

        var rng = RandomGenerator(seed: seed).derived("classifier")
        let model = try makeModel(c, languageModel: lm, classes: labelNames.count, rng: &rng)
        var training = ClassifierTrainingConfig()
        training.batchSize = try c.int("train.batch_size", default: 32)
        let epochs = try c.int("train.epochs", default: 10)
        let steps = epochs * ((train.count + training.batchSize - 1) / training.batchSize)
        let groups = try c.groups(totalSteps: steps)
        let optimizer = try GroupedOptimizer(parameters: model.parameters, groups: groups)
        training.phases = try c.phases(groups: groups)
        training.patience = c.node("train.patience")?.scalar.flatMap(Int.init)
        training.clipNorm = c.node("train.clip_norm")?.scalar.flatMap(Float.init)
        training.seed = seed
        if try c.string("train.auxiliary", default: "none") == "siatl" { training.auxiliaryWeights = SiATLWeight.schedule(epochs: epochs) }
        training.selectBy = try c.string("train.select_by", default: "accuracy") == "loss" ? .loss : .accuracy
        let trainer = ClassifierTrainer(model: model, optimizer: optimizer, config: training, classes: labelNames.count)
        trainer.maxLength = c.node("data.max_length")?.scalar.flatMap(Int.init) ?? 200
        observer?.note("train \(train.count), valid \(valid.count), test \(test.count); \(random ? "random" : "pretrained") LM from \(from); groups "
                       + groups.map { String(format: "%@ %.2e", $0.name, $0.learningRate) }.joined(separator: ", ")
                       + "; phases " + training.phases.map { "\($0.epochs)×frozen[\($0.frozen.joined(separator: ","))]" }.joined(separator: " "))
        let fit = try trainer.fit(train: train, valid: valid, resume: resume) { observer?.epochEnded($0) }
        for event in fit.events { observer?.note("\(event.kind.rawValue) \(event.group) at step \(event.step)") }
        var result = RunResult(status: .finished, bestEpoch: fit.bestEpoch, epochs: fit.epochs.count,
                               valid: fit.epochs.first { $0.epoch == fit.bestEpoch }?.valid, test: nil,
                               trainExamples: train.count, vocabulary: artifact.vocabulary.count, coverage: nil, seconds: 0, error: nil)
        if case let .diverged(epoch, step) = fit.outcome {
            result.status = .diverged
            result.error = "non-finite loss at epoch \(epoch), step \(step)"
        } else {
            result.test = trainer.evaluate(test)
        }
        // Forgetting: the language model (sharing the classifier's embedding and encoder) on held-out generic text.
        let after = LanguageModelData.perplexity(lm, stream: artifact.heldout)
        result.extras = ["generic_perplexity_before": before, "generic_perplexity_after": after, "forgetting_ratio": after / before]
            .filter { $0.value.isFinite }
        result.seconds = Date().timeIntervalSince(start) + fit.earlierSeconds  // a resumed run: its earlier attempts' training too
        return result
    }

    static func makeModel(_ c: RunConfig, languageModel lm: LSTMLanguageModel, classes: Int, rng: inout RandomGenerator) throws -> TextClassifier {
        switch try c.string("model.kind") {
        case "ulmfit":
            var head = ULMFiTClassifier.Config()
            head.headHidden = try c.int("model.head_hidden", default: head.headHidden)
            head.dropout = Float(try c.double("model.dropout", default: Double(head.dropout)))
            head.batchNorm = c.bool("model.batch_norm", default: head.batchNorm)
            return ULMFiTClassifier(languageModel: lm, config: head, classes: classes, rng: &rng)
        case "siatl":
            var task = SiATLClassifier.Config()
            task.taskHidden = try c.int("model.task_hidden", default: task.taskHidden)
            task.dropout = Float(try c.double("model.dropout", default: Double(task.dropout)))
            return SiATLClassifier(languageModel: lm, config: task, classes: classes, rng: &rng)
        case let kind:
            throw SpecError(location: c.tree.location, path: "model.kind", message: "unknown transfer model '\(kind)'")
        }
    }

    /// Checks, without data, that the groups, unfreezing order and discriminative order fit the
    /// classifier's parameters (a tiny model of the spec's architecture).
    static func checkGroups(_ config: ConfigNode) throws {
        let c = RunConfig(tree: config)
        var rng = RandomGenerator(seed: 0)
        let lm = LSTMLanguageModel(try LanguageModelStages.architecture(c, vocabulary: 8), rng: &rng)
        let model = try makeModel(c, languageModel: lm, classes: 2, rng: &rng)
        try c.checkGroups(against: model.parameters, groups: try c.groups(totalSteps: 10))
    }
}
