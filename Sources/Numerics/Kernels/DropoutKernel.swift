/// Inverted dropout masks (Srivastava et al. 2014): kept units are scaled by 1/(1−p) at training
/// time so that evaluation needs no rescaling.
public enum DropoutKernel {
    /// A mask of `count` entries, each 0 with probability `p` and 1/(1−p) otherwise.
    public static func mask(count: Int, p: Float, rng: inout RandomGenerator) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout probability \(p) outside [0, 1)")
        let mask = Tensor(zeros: [count])
        let keep = 1 / (1 - p)
        for i in 0..<count { mask.data[i] = rng.uniform() < p ? 0 : keep }
        return mask
    }

    /// y = x ⊙ mask, where the mask repeats every `mask.count` elements (variational / locked
    /// dropout of Gal & Ghahramani 2016 uses one [B, C] mask for all time steps of [T, B, C]).
    public static func apply(_ x: Tensor, mask: Tensor, into y: Tensor) {
        let period = mask.count
        precondition(x.count % period == 0, "mask of \(period) does not tile \(x.shape)")
        for start in stride(from: 0, to: x.count, by: period) {
            let xs = x.data + start, ys = y.data + start
            for i in 0..<period { ys[i] = xs[i] * mask.data[i] }
        }
    }

    /// dx += dy ⊙ mask (tiled as in `apply`).
    public static func backward(dy: Tensor, mask: Tensor, dx: Tensor) {
        let period = mask.count
        for start in stride(from: 0, to: dy.count, by: period) {
            let g = dy.data + start, d = dx.data + start
            for i in 0..<period { d[i] += g[i] * mask.data[i] }
        }
    }
}
