import Numerics

extension Tape {
    /// Scaled dot-product attention over groups: q [G, Tq, d], k [G, Tk, d], v [G, Tk, dv] → [G, Tq, dv].
    /// `mask` (constant): 1 = may attend, 0 = may not; [G, Tq, Tk] or [G, 1, Tk].
    public func attention(q: Variable, k: Variable, v: Variable, mask: Tensor? = nil) -> Variable {
        let (qv, kv, vv) = (value(q), value(k), value(v))
        let (out, saved) = AttentionKernel.forward(q: qv, k: kv, v: vv, mask: mask)
        return record(out, inputs: [q, k, v]) { tape, g in
            AttentionKernel.backward(q: qv, k: kv, v: vv, saved: saved, dOut: g, dq: tape.gradientBuffer(q),
                                     dk: tape.gradientBuffer(k), dv: tape.gradientBuffer(v))
        }
    }
}
