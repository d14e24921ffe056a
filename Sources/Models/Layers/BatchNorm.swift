import Autodiff
import Numerics

/// Batch normalisation of [N, C] features (Ioffe & Szegedy 2015), as PyTorch's `BatchNorm1d`: gain
/// `<name>.weight` (ones) and bias `<name>.bias` (zeros), and running estimates of each feature's mean and
/// variance, which evaluation normalises by.
public struct BatchNorm: ParameterContainer {
    public let gamma: Parameter
    public let beta: Parameter
    public let statistics: BatchNormKernel.Statistics
    public let momentum: Float
    public let epsilon: Float

    public init(_ name: String, features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        gamma = Parameter("\(name).weight", Tensor(shape: [features], values: [Float](repeating: 1, count: features)))
        beta = Parameter("\(name).bias", Tensor(zeros: [features]))
        statistics = BatchNormKernel.Statistics(columns: features)
        self.momentum = momentum; self.epsilon = epsilon
        buffers = [Parameter("\(name).running_mean", statistics.mean), Parameter("\(name).running_var", statistics.variance)]
    }

    public var parameters: [Parameter] { [gamma, beta] }
    /// The running estimates under PyTorch's names (`<name>.running_mean`, `<name>.running_var`), sharing their
    /// storage: no gradient and no optimizer, but a checkpoint of the model must carry them.
    public let buffers: [Parameter]

    public func callAsFunction(_ tape: Tape, _ x: Variable) -> Variable {
        tape.batchNorm(x, gamma: tape.parameter(gamma), beta: tape.parameter(beta), statistics: statistics, momentum: momentum, epsilon: epsilon)
    }
}
