import Autodiff
import Foundation
import Models
import Numerics

/// Trains an `LSTMLanguageModel` by truncated BPTT with a grouped optimizer.
public struct LanguageModelTrainer {
    public let model: LSTMLanguageModel
    public let optimizer: GroupedOptimizer
    public var clipNorm: Float?
    public var rng: RandomGenerator

    public init(model: LSTMLanguageModel, optimizer: GroupedOptimizer, clipNorm: Float? = nil, seed: UInt64) {
        self.model = model; self.optimizer = optimizer; self.clipNorm = clipNorm
        rng = RandomGenerator(seed: seed).derived("dropout")
    }

    /// One forward, backward and optimizer step on a window; returns the loss and the carried state.
    public mutating func step(_ window: BPTTBatches.Window, state: [LSTMState]?) -> (loss: Float, state: [LSTMState]) {
        optimizer.zeroGrad()
        let tape = Tape(training: true, rng: rng)
        let (loss, final) = model.loss(tape, inputs: window.inputs, targets: window.targets, time: window.time,
                                       batch: window.batch, state: state)
        tape.backward(loss)
        rng = tape.rng
        if let clipNorm { optimizer.clipGradients(maxNorm: clipNorm) }
        optimizer.update()
        return (tape.value(loss).scalar, final)
    }

    /// Where a pass over the windows stands: what continuing it mid-epoch needs besides weights and optimizer state.
    public struct EpochPosition {
        public var windows: Int
        public var losses: [Float]
        public var state: [LSTMState]?
        public var rng: RandomGenerator
        public init(windows: Int, losses: [Float], state: [LSTMState]?, rng: RandomGenerator) {
            self.windows = windows; self.losses = losses; self.state = state; self.rng = rng
        }
    }

    /// One pass over `batches`; returns the loss of every window. From `position` it skips the windows
    /// already trained and continues as the interrupted pass would have; `afterWindow` sees the position
    /// after each window (to save it).
    public mutating func trainEpoch(_ batches: BPTTBatches, from position: EpochPosition? = nil,
                                    afterWindow: ((EpochPosition) throws -> Void)? = nil) rethrows -> [Float] {
        var state = position?.state
        var losses = position?.losses ?? []
        if let position { rng = position.rng }
        for (index, window) in batches.enumerated() where index >= losses.count {
            let (loss, next) = step(window, state: state)
            losses.append(loss)
            state = next
            try afterWindow?(EpochPosition(windows: losses.count, losses: losses, state: state, rng: rng))
        }
        return losses
    }

    /// Perplexity exp(mean token NLL) over `batches` in evaluation mode (no dropout, no update).
    public func perplexity(_ batches: BPTTBatches) -> Double {
        LanguageModelTrainer.perplexity(of: model, batches)
    }

    public static func perplexity(of model: LSTMLanguageModel, _ batches: BPTTBatches) -> Double {
        var state: [LSTMState]? = nil
        var total = 0.0, tokens = 0
        for window in batches {
            let tape = Tape(training: false)
            let (loss, next) = model.loss(tape, inputs: window.inputs, targets: window.targets, time: window.time,
                                          batch: window.batch, state: state)
            total += Double(tape.value(loss).scalar) * Double(window.inputs.count)
            tokens += window.inputs.count
            state = next
        }
        return tokens > 0 ? exp(total / Double(tokens)) : .nan
    }
}
