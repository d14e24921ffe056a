import Autodiff
import Models
import Numerics
import Training

/// Training throughput of ../shared/PERF.md's `textclf_frozen` / `textclf_trainable`: Embedding(20000, 300)
/// → BiLSTM(128) → max-pool → Linear(256, 2), batch 50, length 50, Adam(1e-3), no dropout; the
/// embedding frozen (no gradient, no optimizer state) or trained. Protocol of torch_bench.py:
/// 3 warm-up steps, 3 timed runs of 50 steps, examples/s per run.
public enum TextClassifierBenchmark {
    public static func run(trainableEmbedding: Bool, steps: Int = 50, runs: Int = 3, seed: UInt64 = 0) throws -> Measurement {
        let (vocabulary, dim, batchSize, length) = (20_000, 300, 50, 50)
        var rng = RandomGenerator(seed: seed)
        let table = Tensor(zeros: [vocabulary, dim]); rng.fillNormal(table, std: 1)
        var config = BiLSTMClassifier.Config()
        config.hidden = 128; config.dropout = 0
        let model = BiLSTMClassifier(config: config, table: table, classes: 2, paddingIndex: -1, rng: &rng)
        let optimizer = try GroupedOptimizer(parameters: model.parameters, groups: [
            GroupConfig(name: "embedding", patterns: ["embedding.*"], optimizer: .adam(), learningRate: 1e-3, frozen: !trainableEmbedding),
            GroupConfig(name: "rest", patterns: ["*"], optimizer: .adam(), learningRate: 1e-3)])
        let batches = (0..<8).map { _ in
            TokenBatch(sequences: (0..<batchSize).map { _ in (0..<length).map { _ in Int32(rng.int(below: vocabulary)) } },
                       labels: (0..<batchSize).map { _ in Int32(rng.int(below: 2)) })
        }
        var index = 0
        let seconds = Clock.timedRuns(warmup: 3, runs: runs, steps: steps) {
            optimizer.zeroGrad()
            let tape = Tape(training: true)
            let batch = batches[index % batches.count]
            tape.backward(tape.crossEntropy(model.logits(tape, batch), targets: batch.labels))
            optimizer.update()
            index += 1
        }
        return Measurement(seconds.map { Double(batchSize * steps) / $0 })
    }
}
