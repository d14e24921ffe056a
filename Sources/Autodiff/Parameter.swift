import Numerics

/// A trainable tensor with a dotted name (`encoder.1.lstm.weightHH`) and its gradient buffer.
///
/// `requiresGrad` is owned by the training side (parameter groups): a frozen parameter has it false,
/// so the tape skips its gradient computation and the optimizer never steps it.
public final class Parameter: @unchecked Sendable {
    public let name: String
    public let value: Tensor
    public let grad: Tensor
    public var requiresGrad = true

    public init(_ name: String, _ value: Tensor) {
        self.name = name
        self.value = value
        grad = Tensor(zeros: value.shape)
    }

    public var shape: [Int] { value.shape }
    public var count: Int { value.count }
    public func zeroGrad() { grad.zero() }
}

/// Anything that owns parameters: a layer or a whole model.
public protocol ParameterContainer {
    /// Every parameter, each exactly once, in a stable order.
    var parameters: [Parameter] { get }
    /// Tensors that training changes without gradients (batch norm's running estimates): never stepped by an
    /// optimizer, but part of the model's state. None by default.
    var buffers: [Parameter] { get }
}

extension ParameterContainer {
    public var buffers: [Parameter] { [] }
    /// Parameters, then buffers: what a checkpoint of the model (its best weights, a resumable state) holds.
    public var state: [Parameter] { parameters + buffers }

    /// The parameters by name.
    public var namedParameters: [String: Parameter] {
        Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0) })
    }
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
    public func zeroGrad() { parameters.forEach { $0.zeroGrad() } }
}
