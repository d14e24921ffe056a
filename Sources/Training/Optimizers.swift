import Foundation
import Autodiff
import CKernels
import Numerics

/// Which update rule a parameter group uses, with its hyper-parameters (PyTorch's defaults).
public enum OptimizerKind: Codable, Equatable, Sendable {
    /// SGD with optional (Nesterov) momentum; weight decay as L2 added to the gradient.
    case sgd(momentum: Float = 0, nesterov: Bool = false)
    /// Averaged SGD (Polyak & Juditsky 1992) as `torch.optim.ASGD`: decaying step η/(1+λη t)^α and a
    /// running average of the iterates from step t0 on, kept as optimizer state `average` once averaging
    /// begins (before, torch's average is the iterate itself: a copy of the weights that a checkpoint need not carry).
    case asgd(lambda: Float = 1e-4, alpha: Float = 0.75, t0: Int = 1_000_000)
    /// Adam (Kingma & Ba 2015) with bias correction; weight decay as L2.
    case adam(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8)
    /// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay.
    case adamW(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8)
    /// Adagrad (Duchi et al. 2011).
    case adagrad(epsilon: Float = 1e-10)
    /// Adadelta (Zeiler 2012); the learning rate scales the update (PyTorch: default 1). Kim 2014 used ρ = 0.95.
    case adadelta(rho: Float = 0.9, epsilon: Float = 1e-6)

    public static let adamDefault = OptimizerKind.adam()

    /// The per-parameter state tensors a new parameter starts with (all of `stateNames` but ASGD's average).
    var initialStateNames: [String] {
        if case .asgd = self { return [] }
        return stateNames
    }

    /// Names of the per-parameter state tensors this rule keeps.
    var stateNames: [String] {
        switch self {
        case .sgd(let momentum, _): momentum == 0 ? [] : ["momentum"]
        case .asgd: ["average"]
        case .adam, .adamW: ["m", "v"]
        case .adagrad: ["sum"]
        case .adadelta: ["squareAverage", "deltaAverage"]
        }
    }
}

/// Per-parameter optimizer state: named tensors and the parameter's own step count.
public final class OptimizerState {
    public var step = 0
    public var tensors: [String: Tensor]
    init(names: [String], shape: [Int]) {
        tensors = Dictionary(uniqueKeysWithValues: names.map { ($0, Tensor(zeros: shape)) })
    }
}

extension OptimizerKind {
    /// Applies one update to `parameter` from its `grad`, with learning rate `lr`.
    func update(_ parameter: Parameter, state: OptimizerState, lr: Float, weightDecay: Float) {
        state.step += 1
        let n = parameter.count
        let w = parameter.value.data, g = parameter.grad.data
        let l2: Float = { if case .adamW = self { return 0 } else { return weightDecay } }()
        @inline(__always) func gradient(_ i: Int) -> Float { l2 == 0 ? g[i] : g[i] + l2 * w[i] }
        switch self {
        case let .sgd(momentum, nesterov):
            guard momentum != 0, let buffer = state.tensors["momentum"]?.data else {
                for i in 0..<n { w[i] -= lr * gradient(i) }
                return
            }
            let first = state.step == 1
            for i in 0..<n {
                let d = gradient(i)
                buffer[i] = first ? d : momentum * buffer[i] + d
                w[i] -= lr * (nesterov ? d + momentum * buffer[i] : buffer[i])
            }
        case let .asgd(lambda, alpha, t0):
            let t = Float(state.step)
            // PyTorch's ASGD: the step uses η of the previous step count, then updates η and μ.
            let eta = lr / pow(1 + lambda * lr * (t - 1), alpha)
            let mu = 1 / max(1, t - 1 - Float(t0))
            for i in 0..<n {
                let d = gradient(i)
                w[i] *= 1 - lambda * eta
                w[i] -= eta * d
            }
            if mu < 1 {
                // (Set at the step before; only a state from elsewhere could lack it.)
                let average = state.tensors["average"] ?? parameter.value.copy()
                state.tensors["average"] = average
                let a = average.data
                for i in 0..<n { a[i] = a[i] + mu * (w[i] - a[i]) }
            } else if t - Float(t0) > 1 {
                state.tensors["average"] = parameter.value.copy()  // the next step's μ is below 1: torch's average, the iterate
            } else {
                state.tensors["average"] = nil  // the iterate itself, not kept
            }
        case let .adam(beta1, beta2, epsilon), let .adamW(beta1, beta2, epsilon):
            if case .adamW = self, weightDecay != 0 { for i in 0..<n { w[i] *= 1 - lr * weightDecay } }
            let t = Float(state.step)
            let correction1 = 1 - pow(beta1, t), correction2 = 1 - pow(beta2, t)
            // Vectorised in C, bit for bit the scalar rule (OptimizerTests.testAdamKernelIsTheScalarRuleBitForBit).
            tl_adam_step(w, g, state.tensors["m"]!.data, state.tensors["v"]!.data, n, lr / correction1, beta1, beta2,
                         correction2.squareRoot(), epsilon, l2)
        case let .adagrad(epsilon):
            let sum = state.tensors["sum"]!.data
            for i in 0..<n {
                let d = gradient(i)
                sum[i] += d * d
                w[i] -= lr * d / (sum[i].squareRoot() + epsilon)
            }
        case let .adadelta(rho, epsilon):
            // Vectorised in C (a dense update of a whole embedding every step), bit for bit the scalar
            // rule (OptimizerTests.testAdadeltaKernelIsTheScalarRuleBitForBit).
            tl_adadelta_step(w, g, state.tensors["squareAverage"]!.data, state.tensors["deltaAverage"]!.data,
                             n, lr, rho, epsilon, l2)
        }
    }
}
