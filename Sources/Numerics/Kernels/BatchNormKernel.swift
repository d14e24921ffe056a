/// Batch normalisation of the rows of an [N, C] matrix, per column (Ioffe & Szegedy 2015; PyTorch's
/// `BatchNorm1d`): y = γ·(x − μ)/√(σ² + ε) + β, with μ and σ² the batch's mean and biased variance in
/// training and fixed running estimates in evaluation.
public enum BatchNormKernel {
    /// Running estimates of each column's mean and variance (PyTorch's `running_mean`, `running_var`):
    /// zeros and ones at first, moved towards each training batch's statistics.
    public final class Statistics: @unchecked Sendable {
        public let mean: Tensor
        public let variance: Tensor
        public init(columns: Int) {
            mean = Tensor(zeros: [columns])
            variance = Tensor(shape: [columns], values: [Float](repeating: 1, count: columns))
        }
    }

    public struct Saved {
        public let normalized: Tensor   // x̂ [N, C]
        public let inverseStd: [Float]  // 1/√(σ² + ε) per column
        /// Whether μ and σ² were the batch's own (their gradients flow back into x) or fixed estimates.
        public let batchStatistics: Bool
    }

    /// Normalises by the batch's statistics, and moves `running` towards them by `momentum` (the variance
    /// unbiased, N/(N − 1)·σ², as PyTorch). Needs two rows at least.
    public static func forward(x: Tensor, gamma: Tensor, beta: Tensor, running: Statistics?, momentum: Float, epsilon: Float) -> (Tensor, Saved) {
        let (rows, columns) = (x.rows, x.columns)
        precondition(rows > 1, "batch statistics need two rows at least, not \(rows)")
        var mean = [Float](repeating: 0, count: columns), variance = [Float](repeating: 0, count: columns)
        for r in 0..<rows { let xr = x.data + r * columns; for j in 0..<columns { mean[j] += xr[j] } }
        for j in 0..<columns { mean[j] /= Float(rows) }
        for r in 0..<rows { let xr = x.data + r * columns; for j in 0..<columns { let d = xr[j] - mean[j]; variance[j] += d * d } }
        for j in 0..<columns { variance[j] /= Float(rows) }
        if let running {
            let unbiased = Float(rows) / Float(rows - 1)
            for j in 0..<columns {
                running.mean.data[j] = (1 - momentum) * running.mean.data[j] + momentum * mean[j]
                running.variance.data[j] = (1 - momentum) * running.variance.data[j] + momentum * variance[j] * unbiased
            }
        }
        return normalize(x, gamma: gamma, beta: beta, mean: mean, variance: variance, epsilon: epsilon, batchStatistics: true)
    }

    /// Normalises by fixed statistics (evaluation).
    public static func forward(x: Tensor, gamma: Tensor, beta: Tensor, fixed: Statistics, epsilon: Float) -> (Tensor, Saved) {
        normalize(x, gamma: gamma, beta: beta, mean: fixed.mean.array, variance: fixed.variance.array, epsilon: epsilon, batchStatistics: false)
    }

    static func normalize(_ x: Tensor, gamma: Tensor, beta: Tensor, mean: [Float], variance: [Float], epsilon: Float,
                          batchStatistics: Bool) -> (Tensor, Saved) {
        let (rows, columns) = (x.rows, x.columns)
        precondition(gamma.count == columns && beta.count == columns, "batch norm parameters for width \(columns)")
        let inverseStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
        let y = Tensor(zeros: x.shape), xhat = Tensor(zeros: x.shape)
        for r in 0..<rows {
            let xr = x.data + r * columns, hr = xhat.data + r * columns, yr = y.data + r * columns
            for j in 0..<columns {
                hr[j] = (xr[j] - mean[j]) * inverseStd[j]
                yr[j] = hr[j] * gamma.data[j] + beta.data[j]
            }
        }
        return (y, Saved(normalized: xhat, inverseStd: inverseStd, batchStatistics: batchStatistics))
    }

    /// dγ += Σ dy·x̂; dβ += Σ dy; with g = dy·γ, dx += (1/σ)(g − mean(g) − x̂·mean(g·x̂)) under batch
    /// statistics (means over the rows), dx += g/σ under fixed ones.
    public static func backward(saved: Saved, gamma: Tensor, dy: Tensor, dx: Tensor?, dGamma: Tensor?, dBeta: Tensor?) {
        let (rows, columns) = (dy.rows, dy.columns)
        var meanG = [Float](repeating: 0, count: columns), meanGH = [Float](repeating: 0, count: columns)
        for r in 0..<rows {
            let hr = saved.normalized.data + r * columns, gr = dy.data + r * columns
            for j in 0..<columns {
                if let dGamma { dGamma.data[j] += gr[j] * hr[j] }
                if let dBeta { dBeta.data[j] += gr[j] }
                let g = gr[j] * gamma.data[j]
                meanG[j] += g
                meanGH[j] += g * hr[j]
            }
        }
        guard let dx else { return }
        for j in 0..<columns { meanG[j] /= Float(rows); meanGH[j] /= Float(rows) }
        for r in 0..<rows {
            let hr = saved.normalized.data + r * columns, gr = dy.data + r * columns, dr = dx.data + r * columns
            for j in 0..<columns {
                let g = gr[j] * gamma.data[j]
                dr[j] += saved.inverseStd[j] * (saved.batchStatistics ? g - meanG[j] - hr[j] * meanGH[j] : g)
            }
        }
    }
}
