import Numerics

/// The four tape variables of one LSTM layer, in PyTorch's layout.
public struct LSTMLayerVariables {
    public let inputWeight: Variable, hiddenWeight: Variable, inputBias: Variable, hiddenBias: Variable
    public init(inputWeight: Variable, hiddenWeight: Variable, inputBias: Variable, hiddenBias: Variable) {
        self.inputWeight = inputWeight; self.hiddenWeight = hiddenWeight
        self.inputBias = inputBias; self.hiddenBias = hiddenBias
    }
    var all: [Variable] { [inputWeight, hiddenWeight, inputBias, hiddenBias] }
}

extension Tape {
    /// A fused multi-layer LSTM over time-major x [T, B, In] → output [T, B, H] and the final state.
    /// The final state is returned as plain tensors: carrying it into the next truncated-BPTT window
    /// detaches it, as `h.detach()` does in PyTorch. `interLayerDropout` applies locked dropout to
    /// the input of every layer above the first.
    public func lstm(_ x: Variable, layers: [LSTMLayerVariables], lengths: [Int]? = nil, initial: LSTMState? = nil,
                     interLayerDropout: Float = 0) -> (output: Variable, final: LSTMState) {
        let weights = layers.map {
            LSTMLayerWeights(inputWeight: value($0.inputWeight), hiddenWeight: value($0.hiddenWeight),
                             inputBias: value($0.inputBias), hiddenBias: value($0.hiddenBias))
        }
        let input = value(x)
        var masks: [Tensor?] = []
        if isTraining && interLayerDropout > 0 {
            let stateSize = input.dim(1) * weights[0].hiddenSize
            masks = (1..<max(layers.count, 1)).map { _ in DropoutKernel.mask(count: stateSize, p: interLayerDropout, rng: &rng) }
        }
        let (out, final, cache) = LSTMKernel.forward(x: input, layers: weights, lengths: lengths, initial: initial,
                                                     dropoutMasks: masks)
        let node = record(out, inputs: [x] + layers.flatMap(\.all)) { tape, g in
            let gradients = layers.map {
                LSTMLayerGradients(inputWeight: tape.gradientBuffer($0.inputWeight),
                                   hiddenWeight: tape.gradientBuffer($0.hiddenWeight),
                                   inputBias: tape.gradientBuffer($0.inputBias),
                                   hiddenBias: tape.gradientBuffer($0.hiddenBias))
            }
            LSTMKernel.backward(cache: cache, layers: weights, dOutput: g, gradients: gradients, dx: tape.gradientBuffer(x))
        }
        return (node, final)
    }
}
