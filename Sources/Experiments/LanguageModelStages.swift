import Autodiff
import Datasets
import Foundation
import Models
import Numerics
import Specs
import Training

/// Language-model stages of the transfer experiments and the artifact they leave: `parameters.*`
/// (a `Checkpoint`), `vocabulary.tsv`, `language-model.json` (the architecture) and `heldout.i32`
/// (held-out generic text, for perplexity before and after transfer).
enum LanguageModelStages {
    struct Artifact {
        let config: LanguageModelConfig
        let vocabulary: Vocabulary
        let heldout: [Int32]
        let folder: URL

        static func load(_ folder: URL) throws -> Artifact {
            let config = try JSONDecoder().decode(LanguageModelConfig.self, from: Data(contentsOf: folder.appendingPathComponent("language-model.json")))
            let vocabulary = try Vocabulary.load(from: folder.appendingPathComponent("vocabulary.tsv"), specials: LanguageModelData.specials)
            let raw = try Data(contentsOf: folder.appendingPathComponent("heldout.i32"))
            let heldout = raw.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
            return Artifact(config: config, vocabulary: vocabulary, heldout: heldout, folder: folder)
        }

        /// A model of this architecture, with the checkpoint's weights unless `random`.
        func model(seed: UInt64, random: Bool = false) throws -> LSTMLanguageModel {
            var rng = RandomGenerator(seed: seed).derived("language model")
            let model = LSTMLanguageModel(config, rng: &rng)
            if !random { try Checkpoint.load(into: model.parameters, from: folder, required: Set(model.parameters.map(\.name))) }
            return model
        }

        func save(_ model: LSTMLanguageModel, to folder: URL) throws {
            try Checkpoint.save(model.parameters, to: folder)
            try vocabulary.save(to: folder.appendingPathComponent("vocabulary.tsv"))
            try JSONEncoder().encode(config).write(to: folder.appendingPathComponent("language-model.json"))
            try heldout.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: folder.appendingPathComponent("heldout.i32"))
        }
    }

    static func architecture(_ c: RunConfig, vocabulary: Int) throws -> LanguageModelConfig {
        LanguageModelConfig(
            vocabulary: vocabulary, embedding: try c.int("language_model.embedding", default: 200), hidden: try c.int("language_model.hidden", default: 400),
            layers: try c.int("language_model.layers", default: 2), tied: c.bool("language_model.tied", default: true),
            embeddingDropout: Float(try c.double("language_model.dropout.embedding", default: 0.1)),
            inputDropout: Float(try c.double("language_model.dropout.input", default: 0.3)),
            interLayerDropout: Float(try c.double("language_model.dropout.inter_layer", default: 0.2)),
            outputDropout: Float(try c.double("language_model.dropout.output", default: 0.3)),
            weightDrop: Float(try c.double("language_model.dropout.weight", default: 0.2)))
    }

    /// What one epoch of language-model training measured (kept in the resume folder, so a resumed
    /// stage still records every epoch).
    struct EpochMetrics: Codable {
        var epoch: Int
        var loss: Double
        var tokensPerSecond: Double
        var perplexity: Double
        /// The epoch's wall-clock seconds, held-out evaluation included (absent in states saved before it was kept).
        var seconds: Double?
    }

    /// Trains `model` on `stream` for `epochs`, recording training loss and held-out perplexity per
    /// epoch. After each epoch the weights, optimizer state and metrics go to `resume` (when given);
    /// a later attempt finds them there and continues with the next epoch. Each epoch's dropout
    /// stream is derived from (seed, epoch), so a resumed run computes what an uninterrupted one would.
    /// Returns the last held-out perplexity and the seconds that earlier attempts spent on the epochs resumed from.
    static func train(_ model: LSTMLanguageModel, stream: [Int32], heldout: [Int32], groups: [GroupConfig], epochs: Int, batch: Int, bptt: Int,
                      clip: Float?, seed: UInt64, resume: URL?, observer: RunObserver?, label: String) throws -> (perplexity: Double, earlierSeconds: Double) {
        let optimizer = try GroupedOptimizer(parameters: model.parameters, groups: groups)
        var trainer = LanguageModelTrainer(model: model, optimizer: optimizer, clipNorm: clip, seed: seed)
        let batches = BPTTBatches(stream: stream, batch: batch, bptt: bptt)
        var history: [EpochMetrics] = []
        if let resume, ResumeState.isResumable(resume), let data = try? Data(contentsOf: resume.appendingPathComponent("history.json")),
           let saved = try? JSONDecoder().decode([EpochMetrics].self, from: data), !saved.isEmpty {
            try Checkpoint.load(into: model.parameters, from: resume.appendingPathComponent("model"), required: Set(model.parameters.map(\.name)))
            optimizer.restore(try Checkpoint.read(from: resume.appendingPathComponent("optimizer")))
            history = saved
            observer?.note("\(label): resumed after epoch \(saved.count) from an interrupted attempt")
        }
        if history.isEmpty { observer?.record(epoch: 0, split: "heldout", name: "perplexity", value: LanguageModelData.perplexity(model, stream: heldout)) }
        func report(_ m: EpochMetrics) {
            observer?.record(epoch: m.epoch, split: "train", name: "loss", value: m.loss)
            observer?.record(epoch: m.epoch, split: "train", name: "tokens_per_second", value: m.tokensPerSecond)
            observer?.record(epoch: m.epoch, split: "heldout", name: "perplexity", value: m.perplexity)
            observer?.note(String(format: "%@ epoch %d: train loss %.3f, held-out perplexity %.1f, %.0f tokens/s", label, m.epoch, m.loss, m.perplexity, m.tokensPerSecond))
        }
        history.forEach(report)
        let earlierSeconds = history.reduce(0) { $0 + ($1.seconds ?? Double(stream.count) / $1.tokensPerSecond) }
        for epoch in (history.count + 1)..<(max(epochs, 1) + 1) {
            let start = Date()
            trainer.rng = RandomGenerator(seed: seed).derived("dropout epoch \(epoch)")
            let losses = trainer.trainEpoch(batches)
            let mean = Double(losses.reduce(0, +)) / Double(max(losses.count, 1))
            guard mean.isFinite else { throw StageFailure(message: "\(label): non-finite loss in epoch \(epoch)") }
            let tokensPerSecond = Double(stream.count) / Date().timeIntervalSince(start)
            let perplexity = LanguageModelData.perplexity(model, stream: heldout)
            let metrics = EpochMetrics(epoch: epoch, loss: mean, tokensPerSecond: tokensPerSecond, perplexity: perplexity, seconds: Date().timeIntervalSince(start))
            history.append(metrics)
            report(metrics)
            if let resume, epoch < epochs {
                try ResumeState.save(to: resume) { next in
                    try Checkpoint.save(model.parameters, to: next.appendingPathComponent("model"))
                    try Checkpoint.save(optimizer.stateTensors, to: next.appendingPathComponent("optimizer"))
                    try JSONEncoder().encode(history).write(to: next.appendingPathComponent("history.json"))
                }
            }
        }
        return (history.last?.perplexity ?? .nan, earlierSeconds)
    }

    /// `lm-pretrain`: a language model on the generic corpus (`language_model.pretrain.corpus`).
    static func pretrain(_ c: RunConfig, into folder: URL, store: DataStore, observer: RunObserver?) throws -> [String: Double] {
        let ids = c.node("language_model.pretrain.corpus")?.sequence?.compactMap(\.scalar) ?? []
        guard !ids.isEmpty else { throw SpecError(location: c.tree.location, path: "language_model.pretrain.corpus", message: "name the pretraining corpus") }
        let tokenizer = c.tokenizer
        let documents = try ids.flatMap { try pretrainingTexts($0, c, store: store) }.map(tokenizer.tokenize)
        let heldoutShare = try c.double("language_model.pretrain.heldout", default: 0.02)
        let cut = documents.count - max(1, Int(Double(documents.count) * heldoutShare))
        let trainDocuments = Array(documents[..<cut]), held = Array(documents[cut...])
        let vocabulary = LanguageModelData.vocabulary(trainDocuments, maxSize: try c.int("language_model.vocabulary", default: 30_000),
                                                      minCount: try c.int("language_model.min_count", default: 2))
        let stream = LanguageModelData.stream(trainDocuments, vocabulary: vocabulary)
        let heldout = LanguageModelData.stream(held, vocabulary: vocabulary)
        let seed = UInt64(try c.int("seed", default: 1))
        let artifact = Artifact(config: try architecture(c, vocabulary: vocabulary.count), vocabulary: vocabulary, heldout: heldout, folder: folder)
        let model = try artifact.model(seed: seed, random: true)
        observer?.note("pretraining: \(trainDocuments.count) documents, \(stream.count) tokens, vocabulary \(vocabulary.count), \(model.parameterCount) parameters")
        let kind = try c.string("language_model.pretrain.optimizer", default: "adam")
        let group = GroupConfig(name: "all", patterns: ["*"], optimizer: try c.optimizer(kind, at: "language_model.pretrain"),
                                learningRate: Float(try c.double("language_model.pretrain.learning_rate", default: 2e-3)))
        let (perplexity, earlierSeconds) = try train(model, stream: stream, heldout: heldout, groups: [group], epochs: try c.int("language_model.pretrain.epochs", default: 5),
                                   batch: try c.int("language_model.pretrain.batch", default: 32), bptt: try c.int("language_model.pretrain.bptt", default: 70),
                                   clip: Float(try c.double("language_model.pretrain.clip", default: 0.25)), seed: seed,
                                   resume: folder.appendingPathComponent(StageRun.resumeFolder), observer: observer, label: "pretraining")
        try artifact.save(model, to: folder)
        return ["tokens": Double(stream.count), "vocabulary": Double(vocabulary.count), "heldout_perplexity": perplexity,
                StageRun.earlierSecondsKey: earlierSeconds]
    }

    /// The documents of one pretraining corpus: an installed corpus whole, or — for a domain LM such
    /// as a tweet LM on tweets-sentiment — a labelled dataset's texts in the *training* part of the
    /// hold-out split `data.split` (which the stage must list in its `inputs`), so no validation or
    /// test text of the downstream task is ever seen in pretraining.
    static func pretrainingTexts(_ id: String, _ c: RunConfig, store: DataStore) throws -> [String] {
        guard try store.metadata(id).kind == .classification else { return try store.documents(id) }
        let path = "language_model.pretrain.corpus"
        guard let split = c.node("data.split") else {
            throw SpecError(location: c.node(path)?.location ?? c.tree.location, path: path,
                            message: "'\(id)' is labelled data: pretraining on it uses only its training split, so add data.split to the stage's inputs")
        }
        let spec = try c.splitSpec
        guard spec.folds == nil else {
            throw SpecError(location: split.location, path: "data.split.folds",
                            message: "under k-fold cross-validation every text of '\(id)' is test text in some fold; pretrain on it only with a hold-out split")
        }
        let examples = try store.examples(id)
        return Splitter.holdout(labels: examples.map(\.label), spec: spec).train.sorted().map { examples[$0].text }
    }

    /// `lm-finetune`: ULMFiT's target-task LM fine-tuning (Howard & Ruder 2018, §3.2) of the stage
    /// named by `from`, on the run's training text, with discriminative rates (÷ factor per layer
    /// from the top) and slanted triangular rates.
    static func finetune(_ c: RunConfig, into folder: URL, store: DataStore, artifacts: [String: URL], observer: RunObserver?) throws -> [String: Double] {
        guard let from = c.node("from")?.scalar, from.hasPrefix(StagePlanner.prefix), let source = artifacts[String(from.dropFirst(StagePlanner.prefix.count))] else {
            throw SpecError(location: c.tree.location, path: "from", message: "an lm-finetune stage starts from stage:NAME (an lm-pretrain stage)")
        }
        let pretrained = try Artifact.load(source)
        let seed = UInt64(try c.int("run.seed", default: 1))
        let model = try pretrained.model(seed: seed)
        let examples = try c.examples(store)
        var split = try c.split(labels: examples.map(\.label))
        if try c.string("language_model.finetune.text", default: "labelled") == "train-split" {
            split = try RunConfig(tree: c.tree.setting(["run", "training_size"], to: ConfigNode(.scalar("all", quoted: false), at: c.tree.location))).split(labels: examples.map(\.label))
        }
        let tokenizer = c.tokenizer
        let stream = LanguageModelData.stream(split.train.map { tokenizer.tokenize(examples[$0].text) }, vocabulary: pretrained.vocabulary)
        let epochs = try c.int("language_model.finetune.epochs", default: 2)
        let batch = min(try c.int("language_model.finetune.batch", default: 32), max(stream.count / 80, 1))
        let bptt = try c.int("language_model.pretrain.bptt", default: 70)
        let steps = epochs * BPTTBatches(stream: stream, batch: batch, bptt: bptt).count
        let rate = Float(try c.double("language_model.finetune.learning_rate", default: 4e-3))
        let factor = Float(try c.double("language_model.finetune.discriminative", default: 2.6))
        let stlr = Schedule.slantedTriangular(totalSteps: steps, cutFraction: Float(try c.double("language_model.finetune.cut_fraction", default: 0.1)),
                                              ratio: Float(try c.double("language_model.finetune.ratio", default: 32)))
        // Layers bottom → top: embedding (tied with the decoder), each LSTM layer, the decoder bias.
        let layers = [("embedding", ["embedding.*"])] + (0..<model.config.layers).map { ("encoder.\($0)", ["encoder.\($0).*"]) } + [("decoder", ["decoder.*"])]
        let groups = GroupConfig.discriminative(layers, topRate: rate, factor: factor, optimizer: .adam(beta1: 0.8, beta2: 0.99), schedule: stlr)
        observer?.note("target LM fine-tuning: \(stream.count) tokens, \(steps) steps, rates " + groups.map { String(format: "%@ %.2e", $0.name, $0.learningRate) }.joined(separator: ", "))
        let before = LanguageModelData.perplexity(model, stream: pretrained.heldout)
        let (after, earlierSeconds) = try train(model, stream: stream, heldout: pretrained.heldout, groups: groups, epochs: epochs, batch: batch, bptt: bptt,
                              clip: 0.25, seed: seed, resume: folder.appendingPathComponent(StageRun.resumeFolder), observer: observer, label: "fine-tuning")
        try pretrained.save(model, to: folder)
        return ["tokens": Double(stream.count), "generic_perplexity_before": before, "generic_perplexity_after": after,
                StageRun.earlierSecondsKey: earlierSeconds]
    }
}
