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

extension Tape {
    /// Batch norm of the rows of [N, C] with gain γ and bias β (Ioffe & Szegedy 2015; PyTorch's
    /// `BatchNorm1d`): in training, each column by the batch's mean and biased variance, and `statistics`
    /// moved towards them by `momentum`; in evaluation, and for a training batch of one row (whose
    /// variance is undefined; PyTorch refuses it), by `statistics`, held fixed.
    public func batchNorm(_ x: Variable, gamma: Variable, beta: Variable, statistics: BatchNormKernel.Statistics,
                          momentum: Float = 0.1, epsilon: Float = 1e-5) -> Variable {
        let g = value(gamma), input = value(x)
        let (out, saved) = isTraining && input.rows > 1
            ? BatchNormKernel.forward(x: input, gamma: g, beta: value(beta), running: statistics, momentum: momentum, epsilon: epsilon)
            : BatchNormKernel.forward(x: input, gamma: g, beta: value(beta), fixed: statistics, epsilon: epsilon)
        return record(out, inputs: [x, gamma, beta]) { tape, dy in
            BatchNormKernel.backward(saved: saved, gamma: g, dy: dy, dx: tape.gradientBuffer(x),
                                     dGamma: tape.gradientBuffer(gamma), dBeta: tape.gradientBuffer(beta))
        }
    }
}
