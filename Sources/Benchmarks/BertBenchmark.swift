import Autodiff
import Foundation
import Models
import Numerics
import Training

/// The transformer workloads of ../shared/PERF.md, with the protocol of ../shared/peers/torch_bench.py (random
/// token ids drawn before timing, 8 batches cycled, 3 warm-up steps, 3 timed runs of `steps` steps, items/s per run):
/// `bert` — MLM training of a 4-layer, d 256, 4-head, FF 1024 encoder, sequence 128, batch 32, vocabulary 8,000,
/// 15% of positions masked, decoder tied, Adam(1e-3); `minilm_ft` — the MiniLM-L6 shape fine-tuned for
/// classification (pooler + linear head), AdamW(2e-5, decay 0.01); `minilm_infer` — its forward pass in evaluation mode.
public enum BertBenchmark {
    public enum Workload: String, CaseIterable, Sendable {
        case bert, minilmFinetune = "minilm_ft", minilmInference = "minilm_infer"
    }

    public struct Result: Sendable {
        public let sequencesPerSecond: Measurement
        public let parameters: Int
        /// Matrix-product FLOPs per sequence (forward; ×3 when training), as PERF.md counts its bound.
        public let flopsPerSequence: Double
    }

    static let batch = 32, time = 128

    static func config(_ w: Workload) -> BertConfig {
        switch w {
        case .bert: BertConfig(vocabularySize: 8_000, hidden: 256, layers: 4, heads: 4, intermediate: 1_024, maxPositions: time,
                               typeVocabularySize: 1, layerNormEpsilon: 1e-5)
        case .minilmFinetune, .minilmInference: BertConfig(vocabularySize: 30_522, hidden: 384, layers: 6, heads: 12, intermediate: 1_536)
        }
    }

    /// Matrix-product FLOPs per sequence of the encoder's forward pass, plus `head`.
    static func flops(_ c: BertConfig, head: Double) -> Double {
        let (t, d, f) = (Double(time), Double(c.hidden), Double(c.intermediate))
        let layer = 4 * t * d * d * 2 + 2 * t * d * f * 2 + 2 * t * t * d * 2
        return Double(c.layers) * layer + head
    }

    public static func run(_ w: Workload, steps: Int = 20, runs: Int = 3, warmup: Int = 3, seed: UInt64 = 0) throws -> Result {
        var rng = RandomGenerator(seed: seed)
        let c = config(w)
        let encoder = BertEncoder(c, pooler: w != .bert, rng: &rng)
        func ids() -> [Int32] { (0..<(batch * time)).map { _ in Int32(rng.int(below: c.vocabularySize - 1)) } }
        let lengths = Array(repeating: time, count: batch)
        switch w {
        case .bert:
            let head = MaskedLanguageModelHead(c, rng: &rng)
            let optimizer = try GroupedOptimizer(parameters: encoder.parameters + head.parameters,
                                                 groups: [GroupConfig(name: "all", patterns: ["*"], optimizer: .adam(), learningRate: 1e-3)])
            let masked = Int((0.15 * Double(time)).rounded())
            let batches = (0..<8).map { _ -> (BertBatch, [Int], [Int32]) in
                var tokens = ids()
                var positions: [Int] = [], targets: [Int32] = []
                for b in 0..<batch {
                    var order = Array(0..<time)
                    rng.shuffle(&order)
                    for t in order.prefix(masked).sorted() {
                        positions.append(b * time + t); targets.append(tokens[b * time + t]); tokens[b * time + t] = Int32(c.vocabularySize - 1)
                    }
                }
                return (BertBatch(ids: tokens, lengths: lengths, time: time), positions, targets)
            }
            var index = 0
            let seconds = Clock.timedRuns(warmup: warmup, runs: runs, steps: steps) {
                let (input, positions, targets) = batches[index % 8]
                index += 1
                optimizer.zeroGrad()
                let tape = Tape(training: true, rng: rng.derived("step \(index)"))
                tape.backward(head.loss(tape, encoder(tape, input), encoder: encoder, positions: positions, targets: targets))
                optimizer.update()
            }
            let headFlops = Double(masked) * (Double(c.hidden * c.hidden) * 2 + Double(c.hidden * c.vocabularySize) * 2)
            return Result(sequencesPerSecond: Measurement(seconds.map { Double(batch * steps) / $0 }),
                          parameters: encoder.parameterCount + head.parameterCount, flopsPerSequence: 3 * flops(c, head: headFlops))
        case .minilmFinetune, .minilmInference:
            let head = SequenceClassificationHead(c, classes: 2, rng: &rng)
            let batches = (0..<8).map { _ in (BertBatch(ids: ids(), lengths: lengths, time: time), (0..<batch).map { _ in Int32(rng.int(below: 2)) }) }
            let training = w == .minilmFinetune
            let optimizer = try GroupedOptimizer(parameters: encoder.parameters + head.parameters, groups: [
                GroupConfig(name: "all", patterns: ["*"], optimizer: .adamW(), learningRate: 2e-5, weightDecay: 0.01)])
            var index = 0
            let seconds = Clock.timedRuns(warmup: warmup, runs: runs, steps: steps) {
                let (input, labels) = batches[index % 8]
                index += 1
                let tape = Tape(training: training, rng: rng.derived("step \(index)"))
                let logits = head(tape, encoder(tape, input))
                guard training else { _ = tape.value(logits); return }
                optimizer.zeroGrad()
                tape.backward(tape.crossEntropy(logits, targets: labels))
                optimizer.update()
            }
            let headFlops = Double(c.hidden * c.hidden) * 2 + Double(c.hidden * 2) * 2
            return Result(sequencesPerSecond: Measurement(seconds.map { Double(batch * steps) / $0 }),
                          parameters: encoder.parameterCount + head.parameterCount,
                          flopsPerSequence: (training ? 3 : 1) * flops(c, head: headFlops))
        }
    }

    /// The process's peak resident memory so far, in MiB.
    public static func peakMemoryMiB() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
