import CKernels
import Foundation
import Numerics

/// GloVe hyper-parameters (defaults: the Stanford demo's, with x_max 100 and α 0.75 from the paper).
public struct GloVeConfig: Codable, Equatable, Sendable {
    public var dimension: Int = 50
    public var window: Int = 15
    public var xMax: Float = 100
    public var alpha: Float = 0.75
    public var learningRate: Float = 0.05
    public var iterations: Int = 15
    public var minCount: Int = 5
    public var threads: Int = 1
    public var seed: UInt64 = 1
    public init() {}
}

/// Weighted least squares on log co-occurrences with AdaGrad (Pennington et al. 2014, eq. 8):
/// J = Σ f(X_ij)(w_iᵀ w̃_j + b_i + b̃_j − log X_ij)², f(x) = min(1, (x/x_max)^α). The output vectors
/// are w + w̃, as the paper recommends. With `threads` > 1 the shuffled entries are split into
/// contiguous shards updated lock-free (as the Stanford tool does), so runs are no longer bit-exact.
public final class GloVeTrainer: @unchecked Sendable {
    public let config: GloVeConfig
    public let vocabulary: Int
    // [V, D] word and context vectors, then biases, each with its AdaGrad accumulator (initialised to 1).
    let word: UnsafeMutablePointer<Float>, context: UnsafeMutablePointer<Float>
    let wordBias: UnsafeMutablePointer<Float>, contextBias: UnsafeMutablePointer<Float>
    let wordSq: UnsafeMutablePointer<Float>, contextSq: UnsafeMutablePointer<Float>
    let wordBiasSq: UnsafeMutablePointer<Float>, contextBiasSq: UnsafeMutablePointer<Float>

    public init(vocabulary: Int, config: GloVeConfig) {
        self.vocabulary = vocabulary
        self.config = config
        let n = vocabulary * config.dimension
        func buffer(_ count: Int, _ value: Float) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(count, 1)); p.initialize(repeating: value, count: count); return p
        }
        word = buffer(n, 0); context = buffer(n, 0); wordBias = buffer(vocabulary, 0); contextBias = buffer(vocabulary, 0)
        wordSq = buffer(n, 1); contextSq = buffer(n, 1); wordBiasSq = buffer(vocabulary, 1); contextBiasSq = buffer(vocabulary, 1)
        var rng = RandomGenerator(seed: config.seed).derived("glove-init")
        let scale = 1 / Float(config.dimension)
        for i in 0..<n { word[i] = (rng.uniform() - 0.5) * scale; context[i] = (rng.uniform() - 0.5) * scale }
        for i in 0..<vocabulary { wordBias[i] = (rng.uniform() - 0.5) * scale; contextBias[i] = (rng.uniform() - 0.5) * scale }
    }

    deinit { [word, context, wordBias, contextBias, wordSq, contextSq, wordBiasSq, contextBiasSq].forEach { $0.deallocate() } }

    /// Runs `config.iterations` passes over a seeded shuffle of the entries; returns the mean cost per pass.
    public func train(_ matrix: CooccurrenceMatrix, progress: (Int, Double) -> Void = { _, _ in }) -> [Double] {
        var rng = RandomGenerator(seed: config.seed).derived("glove-shuffle")
        let order = rng.permutation(matrix.count).map { Int32($0) }
        var costs: [Double] = []
        for iteration in 1...config.iterations {
            let shards = Swift.max(config.threads, 1)
            let chunk = (order.count + shards - 1) / shards
            let work = PassWork(trainer: self, order: order, matrix: matrix, chunk: chunk, shards: shards)
            if shards == 1 { work.run(0) } else { DispatchQueue.concurrentPerform(iterations: shards) { work.run($0) } }
            let shardCosts = work.costs.array.map(Double.init)
            let cost = shardCosts.reduce(0, +) / Double(Swift.max(matrix.count, 1))
            costs.append(cost)
            progress(iteration, cost)
        }
        return costs
    }

    /// One shard of one pass; shards share the parameter buffers without locks (Hogwild, Recht et al. 2011).
    private final class PassWork: @unchecked Sendable {
        let trainer: GloVeTrainer, order: [Int32], matrix: CooccurrenceMatrix, chunk: Int
        let costs: Tensor
        init(trainer: GloVeTrainer, order: [Int32], matrix: CooccurrenceMatrix, chunk: Int, shards: Int) {
            self.trainer = trainer; self.order = order; self.matrix = matrix; self.chunk = chunk
            costs = Tensor(zeros: [shards])
        }
        func run(_ shard: Int) {
            let range = (shard * chunk)..<Swift.min((shard + 1) * chunk, order.count)
            guard !range.isEmpty else { return }
            costs[shard] = Float(trainer.pass(order[range], matrix))
        }
    }

    fileprivate func pass(_ entries: ArraySlice<Int32>, _ matrix: CooccurrenceMatrix) -> Double {
        matrix.rows.withUnsafeBufferPointer { rows in
            matrix.columns.withUnsafeBufferPointer { columns in
                matrix.values.withUnsafeBufferPointer { values in
                    pass(entries, rows.baseAddress!, columns.baseAddress!, values.baseAddress!)
                }
            }
        }
    }

    private func pass(_ entries: ArraySlice<Int32>, _ rows: UnsafePointer<Int32>, _ columns: UnsafePointer<Int32>, _ values: UnsafePointer<Float>) -> Double {
        entries.withUnsafeBufferPointer { order in
            tl_glove_pass(order.baseAddress, order.count, rows, columns, values, word, context, wordBias, contextBias,
                          wordSq, contextSq, wordBiasSq, contextBiasSq, config.dimension, config.xMax, config.alpha, config.learningRate)
        }
    }

    /// Copies of all trained values, for inspection and tests.
    public func parameterSnapshot() -> (word: [Float], context: [Float], wordBias: [Float], contextBias: [Float]) {
        let n = vocabulary * config.dimension
        return (Array(UnsafeBufferPointer(start: word, count: n)), Array(UnsafeBufferPointer(start: context, count: n)),
                Array(UnsafeBufferPointer(start: wordBias, count: vocabulary)), Array(UnsafeBufferPointer(start: contextBias, count: vocabulary)))
    }

    /// w + w̃, row-major [V, D].
    public func vectors() -> [Float] {
        let n = vocabulary * config.dimension
        return (0..<n).map { word[$0] + context[$0] }
    }
}
