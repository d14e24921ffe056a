import Numerics

/// Norm constraints applied around an optimizer step.
public enum Constraints {
    /// Scales all tensors by min(1, maxNorm / ‖g‖₂) where ‖g‖₂ is their joint L2 norm (as PyTorch's
    /// `clip_grad_norm_`). Returns the norm before clipping.
    @discardableResult
    public static func clipGlobalNorm(_ gradients: [Tensor], maxNorm: Float) -> Float {
        var squared: Double = 0
        for g in gradients { squared += Double(BLAS.dot(count: g.count, x: g.data, y: g.data)) }
        let norm = Float(squared.squareRoot())
        let scale = maxNorm / (norm + 1e-6)
        if scale < 1 { for g in gradients { for i in 0..<g.count { g.data[i] *= scale } } }
        return norm
    }

    /// Rescales each row of `matrix` whose L2 norm exceeds `maxNorm` to norm `maxNorm` (Kim 2014's
    /// l2 constraint, Hinton et al. 2012's max-norm).
    public static func clipRowNorms(_ matrix: Tensor, maxNorm: Float) {
        let columns = matrix.columns
        for r in 0..<matrix.rows {
            let row = matrix.data + r * columns
            let norm = BLAS.dot(count: columns, x: row, y: row).squareRoot()
            if norm > maxNorm { for j in 0..<columns { row[j] *= maxNorm / norm } }
        }
    }
}
