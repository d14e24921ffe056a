import Numerics

extension Tape {
    /// Max over the first `lengths[b]` steps of x [B, T, C] → [B, C] (1-max pooling, Collobert et al. 2011).
    public func maxOverTime(_ x: Variable, lengths: [Int]) -> Variable {
        let (out, argmax) = PoolingKernel.maxForward(x: value(x), lengths: lengths)
        return record(out, inputs: [x]) { tape, g in
            if let dx = tape.gradientBuffer(x) { PoolingKernel.maxBackward(argmax: argmax, dOut: g, dx: dx) }
        }
    }

    /// Mean over the first `lengths[b]` steps of x [B, T, C] → [B, C].
    public func meanOverTime(_ x: Variable, lengths: [Int]) -> Variable {
        let out = PoolingKernel.meanForward(x: value(x), lengths: lengths)
        return record(out, inputs: [x]) { tape, g in
            if let dx = tape.gradientBuffer(x) { PoolingKernel.meanBackward(lengths: lengths, dOut: g, dx: dx) }
        }
    }

    /// The step at each sequence's last valid position of x [B, T, C] → [B, C] (h_T of concat pooling).
    public func lastStep(_ x: Variable, lengths: [Int]) -> Variable {
        let input = value(x)
        let (batch, time, channels) = (input.dim(0), input.dim(1), input.dim(2))
        let out = Tensor(zeros: [batch, channels])
        for b in 0..<batch where lengths[b] > 0 {
            (out.data + b * channels).update(from: input.data + (b * time + lengths[b] - 1) * channels, count: channels)
        }
        return record(out, inputs: [x]) { tape, g in
            guard let dx = tape.gradientBuffer(x) else { return }
            for b in 0..<batch where lengths[b] > 0 {
                BLAS.axpy(count: channels, alpha: 1, x: g.data + b * channels, y: dx.data + (b * time + lengths[b] - 1) * channels)
            }
        }
    }
}
