import Autodiff
import Datasets
import Foundation
import Models
import Numerics
import Specs
import Training

/// The artifact of the language-model stages (`lm-pretrain`, `lm-finetune`): `parameters.*`
/// (a `Checkpoint`), `vocabulary.tsv`, `language-model.json` (the architecture) and `heldout.i32`
/// (held-out generic text, for perplexity before and after transfer).
struct LanguageModelArtifact {
    var config: LanguageModelConfig
    var vocabulary: Vocabulary
    let heldout: [Int32]
    let folder: URL

    static func load(_ folder: URL) throws -> LanguageModelArtifact {
        let config = try JSONDecoder().decode(LanguageModelConfig.self, from: Data(contentsOf: folder.appendingPathComponent("language-model.json")))
        let vocabulary = try Vocabulary.load(from: folder.appendingPathComponent("vocabulary.tsv"), specials: LanguageModelData.specials)
        let raw = try Data(contentsOf: folder.appendingPathComponent("heldout.i32"))
        let heldout = raw.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
        return LanguageModelArtifact(config: config, vocabulary: vocabulary, heldout: heldout, folder: folder)
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // the same bytes every time: an artifact's digest is reproducible
        try encoder.encode(config).write(to: folder.appendingPathComponent("language-model.json"))
        try heldout.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: folder.appendingPathComponent("heldout.i32"))
    }
}

/// Resumable language-model training, shared by the language-model stages.
enum LanguageModelStageTraining {
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

    /// Where an interrupted epoch stood (kept beside the weights when a state is saved mid-epoch).
    struct PartialEpoch: Codable {
        var epoch: Int
        var windows: Int
        var losses: [Float]
        var rng: RandomGenerator
        /// Seconds of training the epoch has had up to this state.
        var seconds: Double
    }

    /// Trains `model` on `stream` for `epochs`, recording training loss and held-out perplexity per
    /// epoch. After each epoch, and every `checkpointInterval` seconds within one (an epoch of a large corpus
    /// can outlast a working session), the weights, optimizer
    /// state and metrics go to `resume` (when given), with the carried LSTM state and dropout stream when
    /// mid-epoch; a later attempt continues from there. Each epoch's dropout stream is derived from
    /// (seed, epoch), so a resumed run computes what an uninterrupted one would.
    /// Returns the last held-out perplexity and the seconds that earlier attempts spent on the epochs resumed from.
    static func train(_ model: LSTMLanguageModel, stream: [Int32], heldout: [Int32], groups: [GroupConfig], epochs: Int, batch: Int, bptt: Int,
                      clip: Float?, seed: UInt64, resume: URL?, checkpointInterval: TimeInterval = 600, observer: RunObserver?,
                      label: String) throws -> (perplexity: Double, earlierSeconds: Double) {
        let optimizer = try GroupedOptimizer(parameters: model.parameters, groups: groups)
        var trainer = LanguageModelTrainer(model: model, optimizer: optimizer, clipNorm: clip, seed: seed)
        let batches = BPTTBatches(stream: stream, batch: batch, bptt: bptt)
        var history: [EpochMetrics] = []
        var partial: (PartialEpoch, [LSTMState]?)?
        if let resume, ResumeState.isResumable(resume), let data = try? Data(contentsOf: resume.appendingPathComponent("history.json")),
           let saved = try? JSONDecoder().decode([EpochMetrics].self, from: data) {
            let position = try? JSONDecoder().decode(PartialEpoch.self, from: Data(contentsOf: resume.appendingPathComponent("partial.json")))
            if !saved.isEmpty || position != nil {
                try Checkpoint.load(into: model.parameters, from: resume.appendingPathComponent("model"), required: Set(model.parameters.map(\.name)))
                optimizer.restore(try Checkpoint.read(from: resume.appendingPathComponent("optimizer")))
                history = saved
                if let position { partial = (position, try carriedState(from: resume.appendingPathComponent("carried"))) }
                let within = position.map { ", \($0.windows) of \(batches.count) windows into epoch \($0.epoch)" } ?? ""
                observer?.note("\(label): resumed after epoch \(saved.count)\(within) from an interrupted attempt")
            }
        }
        if history.isEmpty && partial == nil {
            observer?.record(epoch: 0, split: "heldout", name: "perplexity", value: LanguageModelData.perplexity(model, stream: heldout))
        }
        func report(_ m: EpochMetrics) {
            observer?.record(epoch: m.epoch, split: "train", name: "loss", value: m.loss)
            observer?.record(epoch: m.epoch, split: "train", name: "tokens_per_second", value: m.tokensPerSecond)
            observer?.record(epoch: m.epoch, split: "heldout", name: "perplexity", value: m.perplexity)
            observer?.note(String(format: "%@ epoch %d: train loss %.3f, held-out perplexity %.1f, %.0f tokens/s", label, m.epoch, m.loss, m.perplexity, m.tokensPerSecond))
        }
        history.forEach(report)
        let earlierSeconds = history.reduce(0) { $0 + ($1.seconds ?? Double(stream.count) / $1.tokensPerSecond) } + (partial?.0.seconds ?? 0)
        func save(_ position: PartialEpoch?, carried: [LSTMState]?) throws {
            guard let resume else { return }
            try ResumeState.save(to: resume) { next in
                try Checkpoint.save(model.parameters, to: next.appendingPathComponent("model"))
                try Checkpoint.save(optimizer.stateTensors, to: next.appendingPathComponent("optimizer"))
                try JSONEncoder().encode(history).write(to: next.appendingPathComponent("history.json"))
                if let position {
                    try JSONEncoder().encode(position).write(to: next.appendingPathComponent("partial.json"))
                    let layers = (carried ?? []).enumerated().flatMap { [Parameter("\($0).hidden", $1.hidden), Parameter("\($0).cell", $1.cell)] }
                    try Checkpoint.save(layers, to: next.appendingPathComponent("carried"))
                }
            }
        }
        for epoch in (history.count + 1)..<(max(epochs, 1) + 1) {
            let start = Date()
            var lastSave = start
            let resumed = partial.flatMap { $0.0.epoch == epoch ? $0 : nil }
            partial = nil
            let earlier = resumed?.0.seconds ?? 0
            let from = resumed.map { LanguageModelTrainer.EpochPosition(windows: $0.0.windows, losses: $0.0.losses, state: $0.1, rng: $0.0.rng) }
            if from == nil { trainer.rng = RandomGenerator(seed: seed).derived("dropout epoch \(epoch)") }
            let losses = try trainer.trainEpoch(batches, from: from) { position in
                guard resume != nil, position.windows < batches.count, Date().timeIntervalSince(lastSave) >= checkpointInterval else { return }
                let seconds = earlier + Date().timeIntervalSince(start)
                try save(PartialEpoch(epoch: epoch, windows: position.windows, losses: position.losses, rng: position.rng, seconds: seconds),
                         carried: position.state)
                lastSave = Date()
            }
            let mean = Double(losses.reduce(0, +)) / Double(max(losses.count, 1))
            guard mean.isFinite else { throw RunFailure(message: "\(label): non-finite loss in epoch \(epoch)") }
            let trainSeconds = earlier + Date().timeIntervalSince(start)
            let tokensPerSecond = Double(stream.count) / trainSeconds
            let perplexity = LanguageModelData.perplexity(model, stream: heldout)
            let metrics = EpochMetrics(epoch: epoch, loss: mean, tokensPerSecond: tokensPerSecond, perplexity: perplexity,
                                       seconds: earlier + Date().timeIntervalSince(start))
            history.append(metrics)
            report(metrics)
            if epoch < epochs { try save(nil, carried: nil) }
        }
        return (history.last?.perplexity ?? .nan, earlierSeconds)
    }

    /// The LSTM state carried between windows, as `save` wrote it (none when the folder holds no layers).
    private static func carriedState(from folder: URL) throws -> [LSTMState]? {
        let tensors = try Checkpoint.read(from: folder)
        guard !tensors.isEmpty else { return nil }
        return try (0..<(tensors.count / 2)).map { layer in
            guard let hidden = tensors["\(layer).hidden"], let cell = tensors["\(layer).cell"] else {
                throw RunFailure(message: "the saved mid-epoch state in \(folder.path) lacks layer \(layer)")
            }
            return LSTMState(hidden: hidden, cell: cell)
        }
    }
}
