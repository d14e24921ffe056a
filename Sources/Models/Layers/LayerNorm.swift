import Autodiff
import Numerics

/// Layer normalisation over the last dimension (Ba et al. 2016) with gain and bias; PyTorch's names
/// `<name>.weight` (γ, ones) and `<name>.bias` (β, zeros).
public struct LayerNorm: ParameterContainer {
    public let weight: Parameter
    public let bias: Parameter
    public let epsilon: Float

    public init(_ name: String, width: Int, epsilon: Float = 1e-5) {
        weight = Parameter("\(name).weight", Tensor(shape: [width], repeating: 1))
        bias = Parameter("\(name).bias", Tensor(zeros: [width]))
        self.epsilon = epsilon
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func callAsFunction(_ tape: Tape, _ x: Variable) -> Variable {
        tape.layerNorm(x, gamma: tape.parameter(weight), beta: tape.parameter(bias), epsilon: epsilon)
    }
}
