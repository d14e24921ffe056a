import Autodiff
import Foundation
import Models
import Numerics

/// A stretch of training with its own trainable set: "freeze the embedding for k epochs, then
/// unfreeze it at a lower rate" is two phases, as data.
public struct Phase: Codable, Equatable, Sendable {
    public var epochs: Int
    /// Groups frozen during this phase; every other group trains.
    public var frozen: [String]
    /// Learning rates set at the start of the phase, by group.
    public var learningRates: [String: Float]
    /// Drop the optimizer moments of groups unfrozen at the start of this phase.
    public var resetMoments: Bool
    /// Every group's schedule starts again with this phase, over its steps (an ULMFiT stage with its own slanted
    /// triangular rates, as fastai's `fit_one_cycle` per stage); otherwise the schedules run on over the whole run.
    public var restartsSchedule: Bool

    public init(epochs: Int, frozen: [String] = [], learningRates: [String: Float] = [:], resetMoments: Bool = false, restartsSchedule: Bool = false) {
        self.epochs = epochs; self.frozen = frozen; self.learningRates = learningRates; self.resetMoments = resetMoments
        self.restartsSchedule = restartsSchedule
    }
}

public struct ClassifierTrainingConfig: Codable, Equatable, Sendable {
    public var batchSize: Int = 50
    /// How each epoch's examples are cut into batches.
    public var batching: Batching = .random
    /// Passes over the training examples in one epoch, each in its own batch order; validation ends the epoch.
    public var passesPerEpoch = 1
    public var phases: [Phase] = [Phase(epochs: 10)]
    public var clipNorm: Float? = nil
    /// Stop after this many epochs without a better validation accuracy; the best epoch's weights are restored.
    public var patience: Int? = nil
    /// The phase from which patience counts (epochs of earlier phases, e.g. while groups are still frozen, never stop a run).
    public var patienceFromPhase = 0
    public var seed: UInt64 = 0
    /// The weight of an `AuxiliaryLossModel`'s auxiliary loss in each epoch (the last repeats);
    /// empty: no auxiliary loss.
    public var auxiliaryWeights: [Float] = []
    /// What picks the best epoch and drives early stopping: validation accuracy, or validation loss
    /// (SiATL stops on the task loss).
    public var selectBy: Selection = .accuracy
    /// Validation accuracy, loss, or (token classification) micro entity F1.
    public enum Selection: String, Codable, Sendable { case accuracy, loss, entityF1 = "entity_f1" }
    public init() {}

    /// The auxiliary loss weight of (1-based) `epoch`.
    public func auxiliaryWeight(epoch: Int) -> Float {
        auxiliaryWeights.isEmpty ? 0 : auxiliaryWeights[min(max(epoch - 1, 0), auxiliaryWeights.count - 1)]
    }
}

/// One labelled token sequence.
public struct EncodedExample: Sendable {
    public let ids: [Int32]
    public let label: Int32
    /// A token-classification example's targets and words (its `label` unused).
    public let tagging: TaggedTokens?
    public init(ids: [Int32], label: Int32) { self.ids = ids; self.label = label; tagging = nil }
    public init(ids: [Int32], tagging: TaggedTokens) { self.ids = ids; label = 0; self.tagging = tagging }
}

/// What happened in one epoch, for the run's metric log.
public struct EpochRecord: Codable, Equatable, Sendable {
    public let epoch: Int
    public let phase: Int
    public let trainLoss: Double
    public let valid: ClassificationMetrics
    public let seconds: Double
}

public enum TrainingOutcome: Equatable, Sendable {
    case finished
    /// A non-finite loss: recorded as an outcome, never a crash of the sweep.
    case diverged(epoch: Int, step: Int)
}

/// Mini-batch training of a `TextClassifier` through phases, with model selection on validation.
public final class ClassifierTrainer {
    public let model: TextClassifier
    public let optimizer: GroupedOptimizer
    public let config: ClassifierTrainingConfig
    public let classes: Int
    public var maxLength: Int? = nil
    /// Set for token classification: the model's logits are per token, its loss and scores the task's.
    public var tokenTask: TokenClassificationTask? = nil
    private var rng: RandomGenerator

    public init(model: TextClassifier, optimizer: GroupedOptimizer, config: ClassifierTrainingConfig, classes: Int) {
        self.model = model; self.optimizer = optimizer; self.config = config; self.classes = classes
        rng = RandomGenerator(seed: config.seed).derived("classifier-training")
    }

    public struct Result: Sendable {
        public let epochs: [EpochRecord]
        public let bestEpoch: Int
        public let outcome: TrainingOutcome
        public let events: [TrainingEvent]
        /// Seconds of training that earlier, interrupted attempts spent up to the state this call resumed
        /// from (0 when it started afresh): with this call's own time, what the whole training cost.
        public let earlierSeconds: Double
    }

    /// How often, at most, `fit` saves its state to the resume folder (seconds of training between saves).
    public var checkpointInterval: TimeInterval = 60

    /// Where training stands after an epoch: what a resumed run needs besides weights and optimizer state.
    struct Progress: Codable {
        struct Best: Codable { var epoch: Int; var score: Double }
        /// Saved state of another layout (or none) is not resumed from: training starts over. Layout 2 keeps in
        /// `best/` only the best weights that differ from the model's (layout 1 kept them all).
        static let layout = 2
        static let readable: Set<Int> = [1, 2]
        var layout = Progress.layout
        var epoch = 0
        var records: [EpochRecord] = []
        var best: Best?
        var sinceBest = 0
        var rng: RandomGenerator?
        var optimizer: GroupedOptimizer.Settings?
        /// Seconds spent in `fit` up to this save, over every attempt (absent in states saved before it was kept).
        var elapsed: Double?

        /// The training time this state stands for: its own count, or for a state without one the sum of its epochs' seconds.
        var seconds: Double { elapsed ?? records.reduce(0) { $0 + $1.seconds } }
    }

    /// Trains through every phase; `onEpoch` sees each epoch as it ends. With `resume`, the state
    /// after an epoch (weights, best weights, optimizer, random stream, records) is saved there at
    /// most every `checkpointInterval` seconds, and a later call with the same folder continues from
    /// it: the epochs already done are replayed to `onEpoch` and the result is what an uninterrupted
    /// run computes.
    public func fit(train: [EncodedExample], valid: [EncodedExample], resume: URL? = nil,
                    onEpoch: (EpochRecord) throws -> Void = { _ in }) throws -> Result {
        let fitStart = Date()
        var progress = Progress()
        var bestWeights: [Tensor] = []
        if let resume, let saved = try restore(from: resume) {
            (progress, bestWeights) = saved
            try progress.records.forEach(onEpoch)
        }
        let earlierSeconds = progress.seconds
        func result(_ outcome: TrainingOutcome) -> Result {
            Result(epochs: progress.records, bestEpoch: progress.best?.epoch ?? 0, outcome: outcome, events: optimizer.events, earlierSeconds: earlierSeconds)
        }
        var lastSave = Date()
        var epoch = 0
        var counting = config.patienceFromPhase == 0
        func patienceRanOut() -> Bool { counting && (config.patience.map { progress.sinceBest >= $0 } ?? false) }
        let stepsPerEpoch = config.passesPerEpoch * ((train.count + config.batchSize - 1) / config.batchSize)
        let lengths = train.map { Swift.min($0.ids.count, maxLength ?? .max) }  // what `config.batching` may group by
        phases: for (phaseIndex, phase) in config.phases.enumerated() {
            if phaseIndex >= config.patienceFromPhase { counting = true }
            if epoch + phase.epochs <= progress.epoch { epoch += phase.epochs; continue }  // done before the saved state
            if patienceRanOut() { break phases }
            if epoch >= progress.epoch { try enter(phase, steps: phase.epochs * stepsPerEpoch) }  // (resumed mid-phase: the saved optimizer settings hold)
            for _ in 0..<phase.epochs {
                if patienceRanOut() { break phases }
                epoch += 1
                if epoch <= progress.epoch { continue }
                let start = Date()
                var total = 0.0, steps = 0
                for _ in 0..<config.passesPerEpoch {
                    for batch in config.batching.batches(lengths: lengths, batchSize: config.batchSize, rng: &rng) {
                        let members = batch.map { train[$0] }
                        let loss = step(members, auxiliaryWeight: config.auxiliaryWeight(epoch: epoch))
                        steps += 1
                        guard loss.isFinite else { return result(.diverged(epoch: epoch, step: steps)) }
                        total += Double(loss)
                    }
                }
                let metrics = evaluate(valid)
                let record = EpochRecord(epoch: epoch, phase: phaseIndex, trainLoss: total / Double(Swift.max(steps, 1)),
                                         valid: metrics, seconds: Date().timeIntervalSince(start))
                progress.records.append(record)
                progress.epoch = epoch
                let score = switch config.selectBy {
                case .accuracy: metrics.accuracy
                case .loss: -metrics.loss
                case .entityF1: metrics.scores?["entity_f1"] ?? 0
                }
                if progress.best == nil || score > progress.best!.score {
                    progress.best = .init(epoch: epoch, score: score)
                    bestWeights = model.state.map { $0.value.copy() }
                    progress.sinceBest = 0
                } else if counting {
                    progress.sinceBest += 1
                }
                if let resume, Date().timeIntervalSince(lastSave) >= checkpointInterval {
                    progress.elapsed = earlierSeconds + Date().timeIntervalSince(fitStart)
                    try save(progress, bestWeights: bestWeights, to: resume)
                    lastSave = Date()
                }
                try onEpoch(record)
            }
        }
        if progress.best != nil { for (p, saved) in zip(model.state, bestWeights) { p.value.assign(saved) } }
        return result(.finished)
    }

    private func save(_ progress: Progress, bestWeights: [Tensor], to folder: URL) throws {
        var progress = progress
        progress.layout = Progress.layout  // (a state resumed from layout 1 is saved in this one)
        progress.rng = rng
        progress.optimizer = optimizer.settings
        try ResumeState.save(to: folder) { next in
            try Checkpoint.save(model.state, to: next.appendingPathComponent("model"))
            // Only the best weights the model no longer holds (none when the last epoch is the best; frozen parts never):
            // a state carried between machines (`ResumeBundle`) is often a third smaller.
            let changed = zip(model.state, bestWeights).filter { !$0.value.isIdentical(to: $1) }
            try Checkpoint.save(changed.map { Parameter($0.name, $1) }, to: next.appendingPathComponent("best"))
            try Checkpoint.save(optimizer.stateTensors, to: next.appendingPathComponent("optimizer"))
            try JSONEncoder().encode(progress).write(to: next.appendingPathComponent("progress.json"))
        }
    }

    /// The state `save` left in `folder`, loaded into the model, optimizer and random stream; nil when there is none
    /// (or it is of another layout, or of other numerics).
    private func restore(from folder: URL) throws -> (Progress, [Tensor])? {
        guard ResumeState.isResumable(folder), let data = try? Data(contentsOf: folder.appendingPathComponent("progress.json")),
              let progress = try? JSONDecoder().decode(Progress.self, from: data), Progress.readable.contains(progress.layout) else { return nil }
        let names = Set(model.state.map(\.name))
        try Checkpoint.load(into: model.state, from: folder.appendingPathComponent("model"), required: names)
        // The best weights are the model's but where `best/` holds others (layout 1: all of them).
        let best = model.state.map { Parameter($0.name, $0.value.copy()) }
        try Checkpoint.load(into: best, from: folder.appendingPathComponent("best"), required: progress.layout == 1 ? names : nil)
        optimizer.restore(try Checkpoint.read(from: folder.appendingPathComponent("optimizer")))
        if let settings = progress.optimizer { optimizer.restore(settings) }
        if let saved = progress.rng { rng = saved }
        return (progress, best.map(\.value))
    }

    /// Freezes and unfreezes groups so that exactly `phase.frozen` are frozen, then sets its rates and, if it has its
    /// own schedule, restarts the schedules over its `steps`.
    private func enter(_ phase: Phase, steps: Int) throws {
        if phase.restartsSchedule { optimizer.restartSchedules(totalSteps: steps) }
        for group in optimizer.groups {
            let name = group.config.name
            if phase.frozen.contains(name) { try optimizer.freeze(name) }
            else { try optimizer.unfreeze(name, learningRate: phase.learningRates[name], resetMoments: phase.resetMoments) }
            if let rate = phase.learningRates[name] { group.config.learningRate = rate }
        }
    }

    private func step(_ members: [EncodedExample], auxiliaryWeight: Float) -> Float {
        optimizer.zeroGrad()
        let tape = Tape(training: true, rng: rng)
        let batch = makeBatch(members)
        let loss: Variable
        if auxiliaryWeight > 0, let auxiliary = model as? AuxiliaryLossModel {
            let (logits, lm) = auxiliary.logitsAndAuxiliaryLoss(tape, batch)
            loss = tape.add(tape.crossEntropy(logits, targets: batch.labels), tape.scale(lm, by: auxiliaryWeight))
        } else if let tokenTask {
            loss = tokenTask.loss(tape, model.logits(tape, batch), batch)
        } else {
            loss = tape.crossEntropy(model.logits(tape, batch), targets: batch.labels)
        }
        let value = tape.value(loss).scalar
        guard value.isFinite else { return value }
        tape.backward(loss)
        rng = tape.rng
        if let clip = config.clipNorm { optimizer.clipGradients(maxNorm: clip) }
        optimizer.update()
        return value
    }

    func makeBatch(_ members: [EncodedExample]) -> TokenBatch {
        var batch = TokenBatch(sequences: members.map(\.ids), labels: members.map(\.label), edgePadding: model.edgePadding, maxLength: maxLength)
        if tokenTask != nil { batch.tokenTargets = TokenClassificationTask.targets(members, batch: batch, edgePadding: model.edgePadding) }
        return batch
    }

    /// Loss, accuracy and macro-F1 in evaluation mode (no dropout); for token classification the task's scores.
    public func evaluate(_ examples: [EncodedExample]) -> ClassificationMetrics {
        if let tokenTask {
            return tokenTask.evaluate(examples, batchSize: 100, edgePadding: model.edgePadding) { tape, members in
                let batch = makeBatch(members)
                return (model.logits(tape, batch), batch)
            }
        }
        // A model that masks padding sees its examples shortest first, so each batch pads little.
        let order = model.masksPadding
            ? examples.indices.sorted { (examples[$0].ids.count, $0) < (examples[$1].ids.count, $1) } : Array(examples.indices)
        var predictions = [Int32](repeating: 0, count: examples.count), total = 0.0
        for start in stride(from: 0, to: order.count, by: 200) {
            let chosen = order[start..<Swift.min(start + 200, order.count)]
            let members = chosen.map { examples[$0] }
            let tape = Tape(training: false)
            let batch = makeBatch(members)
            let logits = model.logits(tape, batch)
            total += Double(tape.value(tape.crossEntropy(logits, targets: batch.labels)).scalar) * Double(members.count)
            let scores = tape.value(logits)
            for (r, index) in chosen.enumerated() { predictions[index] = predictedClass(scores.data + r * classes, classes: classes) }
        }
        return ClassificationMetrics(predictions: predictions, gold: examples.map(\.label), classes: classes,
                                     loss: examples.isEmpty ? 0 : total / Double(examples.count))
    }
}
