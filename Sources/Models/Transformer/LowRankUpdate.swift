import Autodiff
import Numerics

/// LoRA (Hu et al. 2022): beside a frozen dense layer W, a trained update (α/r)·B·A·x with A [r, in] drawn as
/// PyTorch draws a Linear's weight and B [out, r] zero, so the layer starts exactly as W. Named as peft names
/// them under the layer's module (`encoder.layer.0.attention.self.query.lora_A.weight`).
public struct LowRankUpdate: ParameterContainer {
    public let down: Parameter
    public let up: Parameter
    public let scaling: Float
    public let dropout: Float

    public init(beside layer: Linear, rank: Int, alpha: Float, dropout: Float = 0, rng: inout RandomGenerator) {
        let module = String(layer.weight.name.dropLast(".weight".count))
        let (inputs, outputs) = (layer.weight.shape[1], layer.weight.shape[0])
        let a = Tensor(zeros: [rank, inputs])
        let bound = 1 / Float(inputs).squareRoot()
        rng.fillUniform(a, -bound, bound)
        down = Parameter("\(module).lora_A.weight", a)
        up = Parameter("\(module).lora_B.weight", Tensor(zeros: [outputs, rank]))
        scaling = alpha / Float(rank)
        self.dropout = dropout
    }

    public var parameters: [Parameter] { [down, up] }

    /// The update alone, (α/r)·B·A·dropout(x), to add to the frozen layer's output.
    public func callAsFunction(_ tape: Tape, _ x: Variable) -> Variable {
        let low = tape.linear(tape.dropout(x, p: dropout), weight: tape.parameter(down))
        return tape.scale(tape.linear(low, weight: tape.parameter(up)), by: scaling)
    }
}
