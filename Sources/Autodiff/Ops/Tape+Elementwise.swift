import Numerics

extension Tape {
    /// a + b, same shape.
    public func add(_ a: Variable, _ b: Variable) -> Variable {
        let av = value(a), bv = value(b)
        precondition(av.count == bv.count, "add: \(av.shape) + \(bv.shape)")
        let out = av.copy()
        BLAS.axpy(count: out.count, alpha: 1, x: bv.data, y: out.data)
        return record(out, inputs: [a, b]) { tape, g in
            for v in [a, b] { if let d = tape.gradientBuffer(v) { BLAS.axpy(count: g.count, alpha: 1, x: g.data, y: d.data) } }
        }
    }

    /// a ⊙ b, same shape.
    public func multiply(_ a: Variable, _ b: Variable) -> Variable {
        let av = value(a), bv = value(b)
        precondition(av.count == bv.count, "multiply: \(av.shape) ⊙ \(bv.shape)")
        let out = Tensor(zeros: av.shape)
        for i in 0..<out.count { out.data[i] = av.data[i] * bv.data[i] }
        return record(out, inputs: [a, b]) { tape, g in
            if let da = tape.gradientBuffer(a) { for i in 0..<g.count { da.data[i] += g.data[i] * bv.data[i] } }
            if let db = tape.gradientBuffer(b) { for i in 0..<g.count { db.data[i] += g.data[i] * av.data[i] } }
        }
    }

    /// s · x for a constant s.
    public func scale(_ x: Variable, by s: Float) -> Variable {
        let out = value(x).copy()
        for i in 0..<out.count { out.data[i] *= s }
        return record(out, inputs: [x]) { tape, g in
            if let dx = tape.gradientBuffer(x) { BLAS.axpy(count: g.count, alpha: s, x: g.data, y: dx.data) }
        }
    }

    /// The same values with another shape.
    public func reshape(_ x: Variable, _ shape: [Int]) -> Variable {
        let out = value(x).copy().reshaped(shape)
        return record(out, inputs: [x]) { tape, g in
            if let dx = tape.gradientBuffer(x) { BLAS.axpy(count: g.count, alpha: 1, x: g.data, y: dx.data) }
        }
    }

    /// Concatenation along the last dimension; all leading dimensions must agree.
    public func concatenate(_ parts: [Variable]) -> Variable {
        let tensors = parts.map(value)
        let rows = tensors[0].rows
        precondition(tensors.allSatisfy { $0.rows == rows && Array($0.shape.dropLast()) == Array(tensors[0].shape.dropLast()) },
                     "concatenate: shapes \(tensors.map(\.shape))")
        let widths = tensors.map(\.columns), total = widths.reduce(0, +)
        let out = Tensor(zeros: Array(tensors[0].shape.dropLast()) + [total])
        var offset = 0
        for (t, w) in zip(tensors, widths) {
            for r in 0..<rows { (out.data + r * total + offset).update(from: t.data + r * w, count: w) }
            offset += w
        }
        return record(out, inputs: parts) { tape, g in
            var offset = 0
            for (part, w) in zip(parts, widths) {
                if let d = tape.gradientBuffer(part) {
                    for r in 0..<rows { BLAS.axpy(count: w, alpha: 1, x: g.data + r * total + offset, y: d.data + r * w) }
                }
                offset += w
            }
        }
    }

    /// Rows of each part stacked: parts viewed as [Nᵢ, C] (leading dimensions flattened) → [ΣNᵢ, C].
    public func concatenateRows(_ parts: [Variable]) -> Variable {
        let tensors = parts.map(value)
        let channels = tensors[0].columns
        precondition(tensors.allSatisfy { $0.columns == channels }, "concatenateRows: shapes \(tensors.map(\.shape))")
        let out = Tensor(uninitialized: [tensors.reduce(0) { $0 + $1.rows }, channels])
        var offset = 0
        for t in tensors {
            (out.data + offset).update(from: t.data, count: t.count)
            offset += t.count
        }
        return record(out, inputs: parts) { tape, g in
            var offset = 0
            for (part, t) in zip(parts, tensors) {
                if let d = tape.gradientBuffer(part) { BLAS.axpy(count: t.count, alpha: 1, x: g.data + offset, y: d.data) }
                offset += t.count
            }
        }
    }

    /// Σ x ⊙ weights for a constant `weights`: a scalar. With random weights this is the probe
    /// loss of a gradient check (loss = Σ out·dout).
    public func weightedSum(_ x: Variable, weights: Tensor) -> Variable {
        let xv = value(x)
        precondition(xv.count == weights.count, "weightedSum: \(xv.shape) with weights \(weights.shape)")
        var total: Double = 0
        for i in 0..<xv.count { total += Double(xv.data[i]) * Double(weights.data[i]) }
        return record(Tensor(scalar: Float(total)), inputs: [x]) { tape, g in
            if let dx = tape.gradientBuffer(x) { BLAS.axpy(count: dx.count, alpha: g.scalar, x: weights.data, y: dx.data) }
        }
    }

    /// Time-major [T, B, C] ↔ batch-major [B, T, C].
    public func swapLeadingAxes(_ x: Variable) -> Variable {
        let xv = value(x)
        let (a, b, c) = (xv.dim(0), xv.dim(1), xv.dim(2))
        let out = Tensor(zeros: [b, a, c])
        for i in 0..<a { for j in 0..<b { (out.data + (j * a + i) * c).update(from: xv.data + (i * b + j) * c, count: c) } }
        return record(out, inputs: [x]) { tape, g in
            guard let dx = tape.gradientBuffer(x) else { return }
            for i in 0..<a { for j in 0..<b {
                BLAS.axpy(count: c, alpha: 1, x: g.data + (j * a + i) * c, y: dx.data + (i * b + j) * c)
            } }
        }
    }

    /// Reverses each sequence of a time-major [T, B, C] batch within its own length (padding stays in
    /// place): the input of the backward direction of a bidirectional RNN.
    public func reverseSequences(_ x: Variable, lengths: [Int]) -> Variable {
        let xv = value(x)
        let (time, batch, c) = (xv.dim(0), xv.dim(1), xv.dim(2))
        precondition(lengths.count == batch, "reverseSequences: \(lengths.count) lengths for \(xv.shape)")
        func source(_ t: Int, _ b: Int) -> Int { t < lengths[b] ? lengths[b] - 1 - t : t }
        let out = Tensor(zeros: xv.shape)
        for t in 0..<time { for b in 0..<batch {
            (out.data + (t * batch + b) * c).update(from: xv.data + (source(t, b) * batch + b) * c, count: c)
        } }
        return record(out, inputs: [x]) { tape, g in
            guard let dx = tape.gradientBuffer(x) else { return }
            for t in 0..<time { for b in 0..<batch {
                BLAS.axpy(count: c, alpha: 1, x: g.data + (t * batch + b) * c, y: dx.data + (source(t, b) * batch + b) * c)
            } }
        }
    }
}
