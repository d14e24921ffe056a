import Autodiff
import Models
import Numerics
import Training

/// Training throughput of the reference LSTM language model (../shared/PERF.md `lstm_lm`): one step
/// = zero grads + forward + loss + backward + Adam(lr 1e-3), BPTT 70, batch 32, state carried and
/// detached, no dropout, no clipping; data = random token ids drawn before timing. Same protocol as
/// ../shared/peers/torch_bench.py: 3 warm-up steps, 3 timed runs of `steps` steps, tokens/s per run.
public enum LanguageModelBenchmark {
    public struct Result: Sendable {
        public let tokensPerSecond: Measurement
        public let parameters: Int
        public let finalLoss: Float
    }

    public static func run(config: LanguageModelConfig = .benchmark, bptt: Int = 70, batch: Int = 32, steps: Int = 20,
                           runs: Int = 3, warmup: Int = 3, seed: UInt64 = 0) throws -> Result {
        var rng = RandomGenerator(seed: seed)
        let model = LSTMLanguageModel(config, rng: &rng)
        let optimizer = try GroupedOptimizer(parameters: model.parameters, groups: [
            GroupConfig(name: "all", patterns: ["*"], optimizer: .adam(), learningRate: 1e-3)])
        var trainer = LanguageModelTrainer(model: model, optimizer: optimizer, seed: seed)
        let stream = (0..<(bptt * 16 + 1) * batch).map { _ in Int32(rng.int(below: config.vocabulary)) }
        let windows = Array(BPTTBatches(stream: stream, batch: batch, bptt: bptt)).filter { $0.time == bptt }
        var index = 0
        var state: [LSTMState]? = nil
        var loss: Float = 0
        let seconds = Clock.timedRuns(warmup: warmup, runs: runs, steps: steps) {
            let result = trainer.step(windows[index % windows.count], state: state)
            (loss, state) = (result.loss, result.state)
            index += 1
        }
        let tokens = Double(bptt * batch * steps)
        return Result(tokensPerSecond: Measurement(seconds.map { tokens / $0 }), parameters: model.parameterCount, finalLoss: loss)
    }
}
