import Numerics

extension Tape {
    /// Scaled dot-product attention over groups: q [G, Tq, d], k [G, Tk, d], v [G, Tk, dv] → [G, Tq, dv].
    /// `mask` (constant): 1 = may attend, 0 = may not; [G, Tq, Tk] or [G, 1, Tk]. `dropout` (training only)
    /// drops attention probabilities.
    public func attention(q: Variable, k: Variable, v: Variable, mask: Tensor? = nil, dropout: Float = 0) -> Variable {
        let (qv, kv, vv) = (value(q), value(k), value(v))
        let drop = isTraining && dropout > 0
            ? DropoutKernel.mask(count: qv.dim(0) * qv.dim(1) * kv.dim(1), p: dropout, rng: &rng) : nil
        let (out, saved) = AttentionKernel.forward(q: qv, k: kv, v: vv, mask: mask, dropout: drop)
        return record(out, inputs: [q, k, v]) { tape, g in
            AttentionKernel.backward(q: qv, k: kv, v: vv, saved: saved, dOut: g, dq: tape.gradientBuffer(q),
                                     dk: tape.gradientBuffer(k), dv: tape.gradientBuffer(v))
        }
    }
}

extension Tape {
    /// [B, T, H·dh] → [B·H, T, dh]: the heads of multi-head attention as independent groups.
    public func splitHeads(_ x: Variable, heads: Int) -> Variable {
        let input = value(x)
        let (batch, time, width) = (input.dim(0), input.dim(1), input.dim(2))
        precondition(width % heads == 0, "splitHeads: width \(width) for \(heads) heads")
        let size = width / heads
        let out = Tensor(uninitialized: [batch * heads, time, size])
        HeadsKernel.swapMiddle(input.data, [batch, time, heads, size], into: out.data, accumulate: false)
        return record(out, inputs: [x]) { tape, g in
            if let dx = tape.gradientBuffer(x) { HeadsKernel.swapMiddle(g.data, [batch, heads, time, size], into: dx.data, accumulate: true) }
        }
    }

    /// [B·H, T, dh] → [B, T, H·dh], the inverse of `splitHeads`.
    public func mergeHeads(_ x: Variable, heads: Int) -> Variable {
        let input = value(x)
        let (groups, time, size) = (input.dim(0), input.dim(1), input.dim(2))
        precondition(groups % heads == 0, "mergeHeads: \(groups) groups for \(heads) heads")
        let batch = groups / heads
        let out = Tensor(uninitialized: [batch, time, heads * size])
        HeadsKernel.swapMiddle(input.data, [batch, heads, time, size], into: out.data, accumulate: false)
        return record(out, inputs: [x]) { tape, g in
            if let dx = tape.gradientBuffer(x) { HeadsKernel.swapMiddle(g.data, [batch, time, heads, size], into: dx.data, accumulate: true) }
        }
    }
}
