import Autodiff
import Numerics

/// A stack of LSTM layers, possibly of different widths (a tied language model's top layer has the
/// embedding's width), parameters named `<name>.<l>.weightIH|weightHH|biasIH|biasHH`.
public struct LSTMStack: ParameterContainer {
    public let layers: [[Parameter]]  // per layer: W_ih [4H, In], W_hh [4H, H], b_ih [4H], b_hh [4H]

    /// PyTorch's initialisation: every weight and bias U(−1/√H, 1/√H).
    public init(_ name: String, inputSize: Int, hiddenSizes: [Int], rng: inout RandomGenerator) {
        var layers: [[Parameter]] = []
        var inSize = inputSize
        for (l, hidden) in hiddenSizes.enumerated() {
            let bound = 1 / Float(hidden).squareRoot()
            let shapes = [("weightIH", [4 * hidden, inSize]), ("weightHH", [4 * hidden, hidden]), ("biasIH", [4 * hidden]), ("biasHH", [4 * hidden])]
            layers.append(shapes.map { field, shape in
                let t = Tensor(zeros: shape); rng.fillUniform(t, -bound, bound)
                return Parameter("\(name).\(l).\(field)", t)
            })
            inSize = hidden
        }
        self.layers = layers
    }

    public var parameters: [Parameter] { layers.flatMap { $0 } }
    public var hiddenSizes: [Int] { layers.map { $0[1].shape[1] } }
    public var outputSize: Int { hiddenSizes.last! }

    /// Zero state for every layer.
    public func zeroState(batch: Int) -> [LSTMState] {
        hiddenSizes.map { LSTMState(layers: 1, batch: batch, hiddenSize: $0) }
    }

    /// Runs time-major x [T, B, In]; returns the top output [T, B, H] and each layer's final state.
    /// Layers of equal width run as one fused multi-layer kernel call; `interLayerDropout` is locked
    /// dropout between layers, `weightDrop` DropConnect on every W_hh (Merity et al. 2018).
    public func callAsFunction(_ tape: Tape, _ x: Variable, lengths: [Int]? = nil, state: [LSTMState]? = nil,
                               interLayerDropout: Float = 0, weightDrop: Float = 0) -> (Variable, [LSTMState]) {
        let variables = layers.map { p in
            LSTMLayerVariables(inputWeight: tape.parameter(p[0]), hiddenWeight: tape.weightDrop(tape.parameter(p[1]), p: weightDrop),
                               inputBias: tape.parameter(p[2]), hiddenBias: tape.parameter(p[3]))
        }
        if Set(hiddenSizes).count == 1 {
            let initial = state.map { states in
                LSTMState(hidden: stack(states.map(\.hidden)), cell: stack(states.map(\.cell)))
            }
            let (out, final) = tape.lstm(x, layers: variables, lengths: lengths, initial: initial, interLayerDropout: interLayerDropout)
            return (out, split(final))
        }
        var input = x
        var finals: [LSTMState] = []
        for (l, layer) in variables.enumerated() {
            if l > 0 { input = tape.lockedDropout(input, p: interLayerDropout) }
            let (out, final) = tape.lstm(input, layers: [layer], lengths: lengths, initial: state?[l])
            finals.append(final)
            input = out
        }
        return (input, finals)
    }

    private func stack(_ tensors: [Tensor]) -> Tensor {
        let per = tensors[0].count
        let out = Tensor(zeros: [tensors.count] + Array(tensors[0].shape.dropFirst()))
        for (i, t) in tensors.enumerated() { (out.data + i * per).update(from: t.data, count: per) }
        return out
    }

    private func split(_ state: LSTMState) -> [LSTMState] {
        let (layersCount, batch, hidden) = (state.hidden.dim(0), state.hidden.dim(1), state.hidden.dim(2))
        return (0..<layersCount).map { l in
            let h = Tensor(zeros: [1, batch, hidden]), c = Tensor(zeros: [1, batch, hidden])
            h.data.update(from: state.hidden.data + l * batch * hidden, count: batch * hidden)
            c.data.update(from: state.cell.data + l * batch * hidden, count: batch * hidden)
            return LSTMState(hidden: h, cell: c)
        }
    }
}
