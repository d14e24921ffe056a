import Numerics

extension Tape {
    /// 1-D convolution over time: x [B, T, E], weight [width, maps, E], bias [maps] → [B, T−width+1, maps].
    public func conv1d(_ x: Variable, weight: Variable, bias: Variable?) -> Variable {
        let input = value(x), w = value(weight)
        let out = Conv1DKernel.forward(x: input, weight: w, bias: bias.map(value))
        return record(out, inputs: [x, weight] + (bias.map { [$0] } ?? [])) { tape, g in
            Conv1DKernel.backward(x: input, weight: w, dOut: g, dx: tape.gradientBuffer(x),
                                  dWeight: tape.gradientBuffer(weight), dBias: bias.flatMap { tape.gradientBuffer($0) })
        }
    }
}
