import Numerics

extension Tape {
    /// y = f(x) elementwise.
    public func activation(_ x: Variable, _ kind: Activation) -> Variable {
        let input = value(x)
        let out = Tensor(zeros: input.shape)
        kind.forward(input.data, out.data, count: input.count)
        return record(out, inputs: [x]) { tape, g in
            if let dx = tape.gradientBuffer(x) {
                kind.backward(x: input.data, y: out.data, dy: g.data, dx: dx.data, count: g.count)
            }
        }
    }

    public func relu(_ x: Variable) -> Variable { activation(x, .relu) }
    public func tanh(_ x: Variable) -> Variable { activation(x, .tanh) }
    public func sigmoid(_ x: Variable) -> Variable { activation(x, .sigmoid) }
    public func gelu(_ x: Variable) -> Variable { activation(x, .gelu) }

    /// Softmax over the last dimension.
    public func softmax(_ x: Variable) -> Variable {
        let input = value(x)
        let out = Tensor(zeros: input.shape)
        Softmax.forward(input.data, out.data, rows: input.rows, columns: input.columns)
        return record(out, inputs: [x]) { tape, g in
            if let dx = tape.gradientBuffer(x) {
                Softmax.backward(y: out.data, dy: g.data, dx: dx.data, rows: g.rows, columns: g.columns)
            }
        }
    }
}
