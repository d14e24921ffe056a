import Numerics

extension Tape {
    /// Layer norm over the last dimension with gain γ and bias β.
    public func layerNorm(_ x: Variable, gamma: Variable, beta: Variable, epsilon: Float = 1e-5) -> Variable {
        let g = value(gamma)
        let (out, saved) = LayerNormKernel.forward(x: value(x), gamma: g, beta: value(beta), epsilon: epsilon)
        return record(out, inputs: [x, gamma, beta]) { tape, dy in
            LayerNormKernel.backward(saved: saved, gamma: g, dy: dy, dx: tape.gradientBuffer(x),
                                     dGamma: tape.gradientBuffer(gamma), dBeta: tape.gradientBuffer(beta))
        }
    }
}
