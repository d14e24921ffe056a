import CKernels
import Foundation

/// Pointwise nonlinearities with their derivatives.
public enum Activation: String, Codable, Sendable, CaseIterable {
    case identity, relu, tanh, sigmoid
    /// GELU with the exact erf form, as PyTorch's default `nn.GELU()` (Hendrycks & Gimpel 2016).
    case gelu

    /// y = f(x) over `count` floats.
    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .identity: y.update(from: x, count: count)
        case .relu: for i in 0..<count { y[i] = max(x[i], 0) }
        case .tanh: for i in 0..<count { y[i] = Foundation.tanh(x[i]) }
        case .sigmoid: for i in 0..<count { y[i] = Activation.sigmoid(x[i]) }
        case .gelu: tl_gelu_forward(x, y, count)  // vectorised; erf within 1.5e-7
        }
    }

    /// dx += dy · f'(x), with f' taken from `x` or the saved output `y`, whichever is cheaper.
    public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .identity: for i in 0..<count { dx[i] += dy[i] }
        case .relu: tl_relu_backward(x, dy, dx, count)  // vectorised, bit for bit `if x > 0 { dx += dy }`
        case .tanh: for i in 0..<count { dx[i] += dy[i] * (1 - y[i] * y[i]) }
        case .sigmoid: for i in 0..<count { dx[i] += dy[i] * y[i] * (1 - y[i]) }
        case .gelu: tl_gelu_backward(x, dy, dx, count)
        }
    }

    @inline(__always)
    public static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }
}
