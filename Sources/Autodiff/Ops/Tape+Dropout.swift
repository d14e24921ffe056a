import Numerics

extension Tape {
    /// Inverted dropout; the identity in evaluation mode or for p = 0.
    public func dropout(_ x: Variable, p: Float) -> Variable {
        guard isTraining, p > 0 else { return x }
        return applyMask(x, DropoutKernel.mask(count: value(x).count, p: p, rng: &rng))
    }

    /// Variational ("locked") dropout of a time-major [T, B, C] sequence: one mask per sequence and
    /// channel, shared by every step (Gal & Ghahramani 2016).
    public func lockedDropout(_ x: Variable, p: Float) -> Variable {
        guard isTraining, p > 0 else { return x }
        let v = value(x)
        return applyMask(x, DropoutKernel.mask(count: v.dim(1) * v.dim(2), p: p, rng: &rng))
    }

    /// DropConnect on a weight matrix (weight drop on W_hh, Merity et al. 2018): a fresh mask per forward pass.
    public func weightDrop(_ weight: Variable, p: Float) -> Variable { dropout(weight, p: p) }

    private func applyMask(_ x: Variable, _ mask: Tensor) -> Variable {
        let out = Tensor(zeros: value(x).shape)
        DropoutKernel.apply(value(x), mask: mask, into: out)
        return record(out, inputs: [x]) { tape, g in
            if let dx = tape.gradientBuffer(x) { DropoutKernel.backward(dy: g, mask: mask, dx: dx) }
        }
    }
}
