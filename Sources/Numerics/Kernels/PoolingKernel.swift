/// Max- and mean-pooling over time of [B, T, C] with per-sequence valid lengths.
public enum PoolingKernel {
    /// out[b, c] = max over t < lengths[b] of x[b, t, c]; `argmax` records the winning t (−1 for empty).
    public static func maxForward(x: Tensor, lengths: [Int]) -> (out: Tensor, argmax: [Int32]) {
        let (batch, time, channels) = (x.dim(0), x.dim(1), x.dim(2))
        precondition(lengths.count == batch, "\(lengths.count) lengths for batch \(batch)")
        let out = Tensor(zeros: [batch, channels])
        var argmax = [Int32](repeating: -1, count: batch * channels)
        for b in 0..<batch {
            let valid = min(lengths[b], time)
            guard valid > 0 else { continue }
            let o = out.data + b * channels
            o.update(from: x.data + b * time * channels, count: channels)
            for c in 0..<channels { argmax[b * channels + c] = 0 }
            for t in 1..<max(valid, 1) {
                let row = x.data + (b * time + t) * channels
                for c in 0..<channels where row[c] > o[c] {
                    o[c] = row[c]
                    argmax[b * channels + c] = Int32(t)
                }
            }
        }
        return (out, argmax)
    }

    /// dx[b, argmax, c] += dOut[b, c].
    public static func maxBackward(argmax: [Int32], dOut: Tensor, dx: Tensor) {
        let (batch, time, channels) = (dx.dim(0), dx.dim(1), dx.dim(2))
        for b in 0..<batch {
            for c in 0..<channels {
                let t = Int(argmax[b * channels + c])
                if t >= 0 { dx.data[(b * time + t) * channels + c] += dOut.data[b * channels + c] }
            }
        }
    }

    /// out[b, c] = mean over t < lengths[b] of x[b, t, c] (0 for an empty sequence).
    public static func meanForward(x: Tensor, lengths: [Int]) -> Tensor {
        let (batch, time, channels) = (x.dim(0), x.dim(1), x.dim(2))
        precondition(lengths.count == batch, "\(lengths.count) lengths for batch \(batch)")
        let out = Tensor(zeros: [batch, channels])
        for b in 0..<batch {
            let valid = min(lengths[b], time)
            guard valid > 0 else { continue }
            let o = out.data + b * channels
            for t in 0..<valid { BLAS.axpy(count: channels, alpha: 1, x: x.data + (b * time + t) * channels, y: o) }
            for c in 0..<channels { o[c] /= Float(valid) }
        }
        return out
    }

    /// dx[b, t, c] += dOut[b, c] / lengths[b] for t < lengths[b].
    public static func meanBackward(lengths: [Int], dOut: Tensor, dx: Tensor) {
        let (batch, time, channels) = (dx.dim(0), dx.dim(1), dx.dim(2))
        for b in 0..<batch {
            let valid = min(lengths[b], time)
            guard valid > 0 else { continue }
            for t in 0..<valid {
                BLAS.axpy(count: channels, alpha: 1 / Float(valid), x: dOut.data + b * channels,
                          y: dx.data + (b * time + t) * channels)
            }
        }
    }
}
