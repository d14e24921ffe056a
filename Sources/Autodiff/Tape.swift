import Numerics

/// A handle to a value recorded on a `Tape`.
public struct Variable: Hashable, Sendable {
    public let id: Int
}

/// Reverse-mode automatic differentiation over coarse ops.
///
/// Each op computes its forward value with a Numerics kernel and records a closure that, given the
/// gradient of its output, accumulates the gradients of its inputs through the kernel's backward.
/// An op whose inputs need no gradient records no closure, so a frozen subgraph costs nothing in
/// `backward`. Parameter gradients accumulate straight into `Parameter.grad`.
/// One tape per forward pass: build, call `backward`, discard.
public final class Tape {
    private var values: [Tensor] = []
    private var gradients: [Tensor?] = []
    private var needsGradient: [Bool] = []
    private var backwards: [((Tape, Tensor) -> Void)?] = []
    private var parameterOf: [Parameter?] = []
    private var parameterNodes: [ObjectIdentifier: Variable] = [:]

    /// Training mode: dropout is active. Evaluation mode: ops are deterministic.
    public let isTraining: Bool
    /// The stream that dropout masks are drawn from.
    public var rng: RandomGenerator

    public init(training: Bool, rng: RandomGenerator = RandomGenerator(seed: 0)) {
        isTraining = training
        self.rng = rng
    }

    public var count: Int { values.count }

    /// A value that needs no gradient (data, masks).
    public func constant(_ tensor: Tensor) -> Variable { append(tensor, needs: false, parameter: nil, backward: nil) }

    /// A leaf that needs a gradient without being a parameter (gradient checks of op inputs).
    public func input(_ tensor: Tensor) -> Variable { append(tensor, needs: true, parameter: nil, backward: nil) }

    /// The node for `parameter`; the same parameter used twice (tied weights) is one node.
    public func parameter(_ parameter: Parameter) -> Variable {
        if let node = parameterNodes[ObjectIdentifier(parameter)] { return node }
        let node = append(parameter.value, needs: parameter.requiresGrad, parameter: parameter, backward: nil)
        parameterNodes[ObjectIdentifier(parameter)] = node
        return node
    }

    public func value(_ v: Variable) -> Tensor { values[v.id] }
    public func needsGradient(_ v: Variable) -> Bool { needsGradient[v.id] }

    /// Records an op's output. `backward` receives the tape and the output's gradient and must
    /// accumulate into `gradientBuffer(_:)` of each input that needs one.
    public func record(_ value: Tensor, inputs: [Variable], backward: @escaping (Tape, Tensor) -> Void) -> Variable {
        let needs = inputs.contains { needsGradient[$0.id] }
        return append(value, needs: needs, parameter: nil, backward: needs ? backward : nil)
    }

    /// The gradient accumulator of `v`, zero-filled on first use; nil if `v` needs no gradient.
    public func gradientBuffer(_ v: Variable) -> Tensor? {
        guard needsGradient[v.id] else { return nil }
        if let existing = gradients[v.id] { return existing }
        let buffer = parameterOf[v.id]?.grad ?? Tensor(zeros: values[v.id].shape)
        gradients[v.id] = buffer
        return buffer
    }

    /// The gradient of `v` after `backward` (for a parameter: its `grad`, which accumulates).
    public func gradient(_ v: Variable) -> Tensor? { gradients[v.id] }

    /// Backpropagates from `output`. `seed` is ∂L/∂output; it defaults to 1 for a scalar output.
    public func backward(_ output: Variable, seed: Tensor? = nil) {
        guard needsGradient[output.id] else { return }
        let start: Tensor
        if let seed {
            precondition(seed.count == values[output.id].count, "seed \(seed.shape) for output \(values[output.id].shape)")
            start = seed
        } else {
            precondition(values[output.id].count == 1, "backward from a non-scalar \(values[output.id].shape) needs a seed")
            start = Tensor(shape: values[output.id].shape, repeating: 1)
        }
        let buffer = gradientBuffer(output)!
        BLAS.axpy(count: buffer.count, alpha: 1, x: start.data, y: buffer.data)
        for id in stride(from: output.id, through: 0, by: -1) {
            guard let step = backwards[id], let gradient = gradients[id] else { continue }
            step(self, gradient)
        }
    }

    private func append(_ value: Tensor, needs: Bool, parameter: Parameter?, backward: ((Tape, Tensor) -> Void)?) -> Variable {
        values.append(value)
        gradients.append(nil)
        needsGradient.append(needs)
        backwards.append(backward)
        parameterOf.append(parameter)
        return Variable(id: values.count - 1)
    }
}
