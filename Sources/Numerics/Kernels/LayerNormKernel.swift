/// Layer normalisation over the last dimension (Ba et al. 2016): y = (x − μ)/σ · γ + β.
public enum LayerNormKernel {
    public struct Saved {
        public let normalized: Tensor   // x̂ [rows, C]
        public let inverseStd: [Float]  // 1/σ per row
    }

    public static func forward(x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Float = 1e-5) -> (Tensor, Saved) {
        let (rows, columns) = (x.rows, x.columns)
        precondition(gamma.count == columns && beta.count == columns, "layer norm parameters for width \(columns)")
        let y = Tensor(zeros: x.shape), xhat = Tensor(zeros: x.shape)
        var inverseStd = [Float](repeating: 0, count: rows)
        for r in 0..<rows {
            let xr = x.data + r * columns, hr = xhat.data + r * columns, yr = y.data + r * columns
            var mean: Float = 0
            for j in 0..<columns { mean += xr[j] }
            mean /= Float(columns)
            var variance: Float = 0
            for j in 0..<columns { let d = xr[j] - mean; variance += d * d }
            variance /= Float(columns)
            let inv = 1 / (variance + epsilon).squareRoot()
            inverseStd[r] = inv
            for j in 0..<columns {
                hr[j] = (xr[j] - mean) * inv
                yr[j] = hr[j] * gamma.data[j] + beta.data[j]
            }
        }
        return (y, Saved(normalized: xhat, inverseStd: inverseStd))
    }

    /// dx += (1/σ)(g − mean(g) − x̂·mean(g·x̂)) with g = dy·γ; dγ += Σ dy·x̂; dβ += Σ dy.
    public static func backward(saved: Saved, gamma: Tensor, dy: Tensor, dx: Tensor?, dGamma: Tensor?, dBeta: Tensor?) {
        let (rows, columns) = (dy.rows, dy.columns)
        for r in 0..<rows {
            let hr = saved.normalized.data + r * columns, gr = dy.data + r * columns
            if let dGamma { for j in 0..<columns { dGamma.data[j] += gr[j] * hr[j] } }
            if let dBeta { for j in 0..<columns { dBeta.data[j] += gr[j] } }
            guard let dx else { continue }
            var meanG: Float = 0, meanGH: Float = 0
            for j in 0..<columns {
                let g = gr[j] * gamma.data[j]
                meanG += g
                meanGH += g * hr[j]
            }
            meanG /= Float(columns)
            meanGH /= Float(columns)
            let inv = saved.inverseStd[r], dr = dx.data + r * columns
            for j in 0..<columns { dr[j] += inv * (gr[j] * gamma.data[j] - meanG - hr[j] * meanGH) }
        }
    }
}
