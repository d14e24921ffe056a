import Numerics

extension Tape {
    /// y = x · Wᵀ + b over the last dimension: x [..., In], W [Out, In], b [Out] → y [..., Out].
    public func linear(_ x: Variable, weight: Variable, bias: Variable? = nil) -> Variable {
        let input = value(x), w = value(weight)
        precondition(input.columns == w.columns, "linear: input \(input.shape) for weight \(w.shape)")
        let outFeatures = w.rows
        let out = Tensor(zeros: Array(input.shape.dropLast()) + [outFeatures])
        if let bias {
            let b = value(bias)
            for r in 0..<out.rows { (out.data + r * outFeatures).update(from: b.data, count: outFeatures) }
        }
        Matmul.product(input, w, transB: true, into: out, accumulate: bias != nil)
        return record(out, inputs: [x, weight] + (bias.map { [$0] } ?? [])) { tape, g in
            if let dx = tape.gradientBuffer(x) { Matmul.product(g, w, into: dx, accumulate: true) }
            if let dw = tape.gradientBuffer(weight) { Matmul.product(g, input, transA: true, into: dw, accumulate: true) }
            if let bias, let db = tape.gradientBuffer(bias) {
                for r in 0..<g.rows { BLAS.axpy(count: outFeatures, alpha: 1, x: g.data + r * outFeatures, y: db.data) }
            }
        }
    }

    /// c = a · b for matrices a [m, k], b [k, n] (leading dimensions of a are flattened into rows).
    public func matmul(_ a: Variable, _ b: Variable) -> Variable {
        let av = value(a), bv = value(b)
        let out = Tensor(zeros: Array(av.shape.dropLast()) + [bv.columns])
        Matmul.product(av, bv, into: out)
        return record(out, inputs: [a, b]) { tape, g in
            if let da = tape.gradientBuffer(a) { Matmul.product(g, bv, transB: true, into: da, accumulate: true) }
            if let db = tape.gradientBuffer(b) { Matmul.product(av, g, transA: true, into: db, accumulate: true) }
        }
    }
}
