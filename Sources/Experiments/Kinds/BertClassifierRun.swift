import Autodiff
import Datasets
import Foundation
import Models
import Numerics
import Outcomes
import Specs
import Training

/// A BERT encoder from an installed checkpoint (or its architecture from random weights) with a sequence-
/// classification head (`model.kind: bert-classifier`). What "fine-tuning" means — everything, the top layers,
/// a head on a frozen encoder, linear probing then fine-tuning, layer-wise rates, biases only, adapters, LoRA,
/// a soft prompt — is spec data: additions to the encoder, groups over Hugging Face's and peft's parameter names,
/// phases and discriminative rates (docs/specs.md).
public enum BertClassifierRun: RunKind {
    public static let id = "bert-classifier"

    public struct Model: ModelSection {
        /// The installed checkpoint (`tlab data install minilm-l6`).
        var checkpoint: Located<String>
        /// `random`: the checkpoint's architecture from fresh weights (training from scratch).
        var random: Bool
        var pooling: SequencePooling
        var dropout: Double?
        /// Top layers (and the pooler) re-initialised before fine-tuning (Zhang et al. 2021).
        var reinitialiseTop: Int
        var additions: EncoderAdditions
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case kind, checkpoint, initialisation = "init", pooling, dropout, reinitialiseTop = "reinit_top", adapters, lora, prompt
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            _ = try c.decode(String.self, forKey: .kind)
            checkpoint = try c.decodeIfPresent(Located<String>.self, forKey: .checkpoint) ?? Located("minilm-l6", at: .commandLine("default"), path: "model.checkpoint")
            random = try c.decode(.initialisation, or: EmbeddingsSection.Initialisation.pretrained) == .random
            pooling = try c.decode(.pooling, or: SequencePooling.cls)
            dropout = try c.decodeIfPresent(.dropout, Valid.fraction, Valid.isFraction)
            reinitialiseTop = try c.decode(.reinitialiseTop, or: 0, "a layer count of at least 0") { $0 >= 0 }
            additions = EncoderAdditions(adapters: try c.decodeIfPresent(EncoderAdditions.Adapters.self, forKey: .adapters),
                                         lowRank: try c.decodeIfPresent(EncoderAdditions.LowRank.self, forKey: .lora),
                                         prompt: try c.decodeIfPresent(EncoderAdditions.Prompt.self, forKey: .prompt))
        }
    }

    public typealias Config = EncoderRunConfig<Model>

    public static func execute(_ c: Config, context: RunContext) throws -> RunOutcome {
        let start = Date()
        let observer = context.observer
        let seed = UInt64(c.run.seed)
        let pretrained = try PretrainedEncoder(c.model.checkpoint.value, store: context.data, pooler: c.model.pooling == .cls, seed: seed)
        var rng = RandomGenerator(seed: seed).derived("classifier")
        let encoder = c.model.random ? BertEncoder(pretrained.encoder.config, pooler: pretrained.encoder.pooler != nil, rng: &rng) : pretrained.encoder
        if c.model.reinitialiseTop > 0 { encoder.reinitialiseTop(c.model.reinitialiseTop, rng: &rng) }

        let examples = try c.data.examples(context.data)
        let labelNames = Array(Set(examples.map(\.label))).sorted()
        let labelIDs = Dictionary(uniqueKeysWithValues: labelNames.enumerated().map { ($1, Int32($0)) })
        let split = c.data.split(labels: examples.map(\.label), run: c.run)
        let maxLength = min(c.data.maxLength ?? 128, encoder.config.maxPositions)
        func encode(_ indices: [Int]) -> [EncodedExample] {
            indices.map { EncodedExample(ids: pretrained.tokenizer.encode(examples[$0].text, maxLength: maxLength).ids, label: labelIDs[examples[$0].label]!) }
        }
        let (train, valid, test) = (encode(split.train), encode(split.valid), encode(split.test))
        let tokenizer = pretrained.tokenizer
        c.model.additions.attach(to: encoder, trainingTokens: train.map(\.ids), rng: &rng,
                                 special: [tokenizer.padding, tokenizer.unknown, tokenizer.classifier, tokenizer.separator, tokenizer.mask])
        let head = SequenceClassificationHead(encoder.config, classes: labelNames.count, pooling: c.model.pooling,
                                              dropout: c.model.dropout.map(Float.init), rng: &rng)
        let model = BertClassifier(encoder: encoder, head: head)

        let (trainer, groups) = try c.train.classifierTrainer(model, trainExamples: train.count, classes: labelNames.count, seed: seed, batchSize: 32)
        let trainable = trainableParameters(model, groups: groups, phases: trainer.config.phases)
        observer?.note("train \(train.count), valid \(valid.count), test \(test.count); \(c.model.random ? "random weights in" : "pretrained") "
                       + "\(c.model.checkpoint.value); \(trainable) of \(model.parameterCount) parameters trained; groups "
                       + groups.map { String(format: "%@ %.2e%@", $0.name, $0.learningRate, $0.frozen ? " (frozen)" : "") }.joined(separator: ", ")
                       + "; phases " + trainer.config.phases.map { "\($0.epochs)×frozen[\($0.frozen.joined(separator: ","))]" }.joined(separator: " "))
        let fit = try trainer.fit(train: train, valid: valid, resume: context.resume) { observer?.epochEnded($0) }
        for event in fit.events { observer?.note("\(event.kind.rawValue) \(event.group) at step \(event.step)") }
        var result = RunOutcome(fit: fit, trainExamples: train.count, vocabulary: pretrained.tokenizer.count, coverage: nil) { trainer.evaluate(test) }
        let trainingSeconds = fit.epochs.reduce(0) { $0 + $1.seconds }
        result.extras = ["trainable_parameters": Double(trainable), "parameters": Double(model.parameterCount), "training_seconds": trainingSeconds]
        result.seconds = Date().timeIntervalSince(start) + fit.earlierSeconds
        return result
    }

    /// Parameters trained in at least one phase: in a group that is not frozen throughout.
    static func trainableParameters(_ model: BertClassifier, groups: [GroupConfig], phases: [Phase]) -> Int {
        let trained = Set(groups.map(\.name).filter { name in phases.contains { !$0.frozen.contains(name) } })
        guard let assignment = try? GroupAssignment.assign(model.parameters, to: groups) else { return 0 }
        return zip(groups, assignment).filter { trained.contains($0.0.name) }.reduce(0) { $0 + $1.1.reduce(0) { $0 + $1.count } }
    }

    /// The dataset and checkpoint installed, and the groups and phases fitting the parameter names of an encoder
    /// with the checkpoint's layer count (a tiny width, so no weights are read).
    public static func check(_ c: Config, node: ConfigNode, data: DataStore) -> [String] {
        var problems = c.data.problems(data)
        let id = c.model.checkpoint
        let installed = installedProblems(id.value, at: id.location, field: "model.checkpoint", data: data)
        problems += installed
        guard installed.isEmpty else { return problems }
        do {
            let full = try JSONDecoder().decode(BertConfig.self, from: Data(contentsOf: data.folder(id.value).appendingPathComponent("config.json")))
            let tiny = BertConfig(vocabularySize: 8, hidden: 4, layers: full.layers, heads: 1, intermediate: 4, maxPositions: 4)
            var rng = RandomGenerator(seed: 0)
            let encoder = BertEncoder(tiny, pooler: c.model.pooling == .cls, rng: &rng)
            c.model.additions.attach(to: encoder, trainingTokens: [[5, 6, 7]], rng: &rng, special: [])
            let model = BertClassifier(encoder: encoder, head: SequenceClassificationHead(tiny, classes: 2, rng: &rng))
            try c.train.checkGroups(against: model.parameters, groups: try c.train.groupConfigs(totalSteps: 10), at: node.location)
        } catch {
            problems.append("\(error)")
        }
        return problems
    }
}
