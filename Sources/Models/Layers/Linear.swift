import Autodiff
import Numerics

/// A fully connected layer y = x·Wᵀ + b; weight [out, in] (PyTorch's layout).
public struct Linear: ParameterContainer {
    public let weight: Parameter
    public let bias: Parameter?

    /// PyTorch's default initialisation: U(−1/√in, 1/√in) for weight and bias.
    public init(_ name: String, inputs: Int, outputs: Int, bias: Bool = true, rng: inout RandomGenerator) {
        let bound = 1 / Float(inputs).squareRoot()
        let w = Tensor(zeros: [outputs, inputs]); rng.fillUniform(w, -bound, bound)
        weight = Parameter("\(name).weight", w)
        if bias {
            let b = Tensor(zeros: [outputs]); rng.fillUniform(b, -bound, bound)
            self.bias = Parameter("\(name).bias", b)
        } else {
            self.bias = nil
        }
    }

    /// From explicit tensors (pretrained weights, tests).
    public init(weight: Parameter, bias: Parameter?) { self.weight = weight; self.bias = bias }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    public func callAsFunction(_ tape: Tape, _ x: Variable) -> Variable {
        tape.linear(x, weight: tape.parameter(weight), bias: bias.map { tape.parameter($0) })
    }
}
