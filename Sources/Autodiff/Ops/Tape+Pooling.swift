import Foundation
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

    /// The first step of x [B, T, C] → [B, C] (BERT's [CLS] position).
    public func firstStep(_ x: Variable) -> Variable {
        let input = value(x)
        let (batch, time, channels) = (input.dim(0), input.dim(1), input.dim(2))
        let out = Tensor(uninitialized: [batch, channels])
        for b in 0..<batch { (out.data + b * channels).update(from: input.data + b * time * channels, count: channels) }
        return record(out, inputs: [x]) { tape, g in
            guard let dx = tape.gradientBuffer(x) else { return }
            for b in 0..<batch { BLAS.axpy(count: channels, alpha: 1, x: g.data + b * channels, y: dx.data + b * time * channels) }
        }
    }

    /// Rows `indices` of x viewed as [N, C] (leading dimensions flattened) → [indices.count, C]; rows may repeat.
    public func gatherRows(_ x: Variable, _ indices: [Int]) -> Variable {
        let input = value(x)
        let channels = input.columns
        let out = Tensor(uninitialized: [indices.count, channels])
        for (r, i) in indices.enumerated() {
            precondition(i >= 0 && i < input.rows, "gatherRows: row \(i) outside 0..<\(input.rows)")
            (out.data + r * channels).update(from: input.data + i * channels, count: channels)
        }
        return record(out, inputs: [x]) { tape, g in
            guard let dx = tape.gradientBuffer(x) else { return }
            for (r, i) in indices.enumerated() { BLAS.axpy(count: channels, alpha: 1, x: g.data + r * channels, y: dx.data + i * channels) }
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

extension Tape {
    /// Attention pooling (a learned query over time, as SiATL's self-attention layer; Chronopoulou et
    /// al. 2019 after Bahdanau et al. 2015): scores s_bt = keys_bt · query over the first `lengths[b]`
    /// steps, α = softmax_t(s), output_b = Σ_t α_bt · values_bt. keys [B, T, K], values [B, T, C],
    /// query [K] → [B, C].
    public func attentionPool(keys: Variable, values: Variable, query: Variable, lengths: [Int]) -> Variable {
        let (k, v, u) = (value(keys), value(values), value(query))
        let (batch, time, width, channels) = (k.dim(0), k.dim(1), k.dim(2), v.dim(2))
        precondition(v.dim(0) == batch && v.dim(1) == time && u.count == width, "attentionPool: keys \(k.shape), values \(v.shape), query \(u.shape)")
        let alpha = Tensor(zeros: [batch, time])
        let out = Tensor(zeros: [batch, channels])
        for b in 0..<batch {
            let n = min(max(lengths[b], 0), time)
            guard n > 0 else { continue }
            let a = alpha.data + b * time
            for t in 0..<n { a[t] = BLAS.dot(count: width, x: k.data + (b * time + t) * width, y: u.data) }
            var top = a[0]
            for t in 1..<n where a[t] > top { top = a[t] }
            var sum: Float = 0
            for t in 0..<n { a[t] = Foundation.exp(a[t] - top); sum += a[t] }
            for t in 0..<n {
                a[t] /= sum
                BLAS.axpy(count: channels, alpha: a[t], x: v.data + (b * time + t) * channels, y: out.data + b * channels)
            }
        }
        return record(out, inputs: [keys, values, query]) { tape, g in
            let dk = tape.gradientBuffer(keys), dv = tape.gradientBuffer(values), du = tape.gradientBuffer(query)
            for b in 0..<batch {
                let n = min(max(lengths[b], 0), time)
                let a = alpha.data + b * time, gb = g.data + b * channels
                // dα_t = g · v_t; ds_t = α_t (dα_t − Σ α dα)
                var dAlpha = [Float](repeating: 0, count: n)
                var mean: Float = 0
                for t in 0..<n {
                    dAlpha[t] = BLAS.dot(count: channels, x: gb, y: v.data + (b * time + t) * channels)
                    mean += a[t] * dAlpha[t]
                }
                for t in 0..<n {
                    if let dv { BLAS.axpy(count: channels, alpha: a[t], x: gb, y: dv.data + (b * time + t) * channels) }
                    let ds = a[t] * (dAlpha[t] - mean)
                    if let dk { BLAS.axpy(count: width, alpha: ds, x: u.data, y: dk.data + (b * time + t) * width) }
                    if let du { BLAS.axpy(count: width, alpha: ds, x: k.data + (b * time + t) * width, y: du.data) }
                }
            }
        }
    }
}
