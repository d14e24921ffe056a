import Autodiff
import Numerics

/// A bottleneck adapter (Houlsby et al. 2019): h + up(GELU(down(h))), down [size, d] and up [d, size]. Down is
/// drawn from N(0, 10⁻²) truncated at two deviations as the paper's near-identity initialisation does, and up is
/// zero, so the adapter starts as the identity exactly. Named `<module>.adapter.down|up.weight|bias`.
public struct BottleneckAdapter: ParameterContainer {
    public let down: Linear
    public let up: Linear

    public init(_ module: String, width: Int, size: Int, rng: inout RandomGenerator) {
        let w = Tensor(zeros: [size, width])
        for i in 0..<w.count {
            var x = rng.normal()
            while abs(x) > 2 { x = rng.normal() }
            w.data[i] = 1e-2 * x
        }
        down = Linear(weight: Parameter("\(module).adapter.down.weight", w), bias: Parameter("\(module).adapter.down.bias", Tensor(zeros: [size])))
        up = Linear(weight: Parameter("\(module).adapter.up.weight", Tensor(zeros: [width, size])),
                    bias: Parameter("\(module).adapter.up.bias", Tensor(zeros: [width])))
    }

    public var parameters: [Parameter] { down.parameters + up.parameters }

    public func callAsFunction(_ tape: Tape, _ h: Variable) -> Variable {
        tape.add(h, up(tape, tape.gelu(down(tape, h))))
    }
}
