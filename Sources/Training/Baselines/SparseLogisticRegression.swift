import Foundation

/// L2-regularised logistic regression on sparse features, as scikit-learn's `LogisticRegression` (lbfgs) fits it:
/// minimises ½‖W‖² + C·Σᵢ loss(xᵢ, yᵢ), intercepts not penalised; one weight vector with the logistic loss for two
/// classes, a multinomial softmax over all classes for more. Fitted to convergence by L-BFGS from zeros.
public struct SparseLogisticRegression: Sendable {
    public let classes: Int
    public let dimension: Int
    /// [outputs, dimension] with outputs = 1 for two classes (the second class's score), else `classes`.
    public let weights: [Double]
    public let bias: [Double]
    public let fit: LBFGS.Result

    var outputs: Int { classes == 2 ? 1 : classes }

    /// Converged when every gradient entry of the objective divided by C·n (scikit-learn's scale) is at most `tolerance`.
    public static func fit(_ x: SparseRows, labels: [Int32], classes: Int, c: Double, tolerance: Double = 1e-6) -> SparseLogisticRegression {
        precondition(classes >= 2 && x.count == labels.count, "one row per label, at least two classes")
        let d = x.columns, k = classes == 2 ? 1 : classes
        var theta = [Double](repeating: 0, count: k * d + k)
        let result = LBFGS.minimize(&theta, tolerance: tolerance * c * Double(x.count)) { theta, gradient in objective(theta, gradient: &gradient, x: x, labels: labels, classes: classes, c: c) }
        // Softmax intercepts are unpenalised and so determined up to a shared shift: centred, as scikit-learn reports them.
        var bias = Array(theta[(k * d)...])
        if k > 1 { let mean = bias.reduce(0, +) / Double(k); bias = bias.map { $0 - mean } }
        return SparseLogisticRegression(classes: classes, dimension: d, weights: Array(theta[0..<(k * d)]), bias: bias, fit: result)
    }

    /// ½‖W‖² + C·Σ loss and its gradient in θ = [W row-major, b].
    static func objective(_ theta: [Double], gradient: inout [Double], x: SparseRows, labels: [Int32], classes: Int, c: Double) -> Double {
        let d = x.columns, k = classes == 2 ? 1 : classes
        var value = 0.0
        for i in 0..<(k * d) { value += 0.5 * theta[i] * theta[i]; gradient[i] = theta[i] }
        for j in 0..<k { gradient[k * d + j] = 0 }
        var z = [Double](repeating: 0, count: k)
        theta.withUnsafeBufferPointer { w in gradient.withUnsafeMutableBufferPointer { g in
            for i in 0..<x.count {
                for j in 0..<k { z[j] = x.dot(row: i, w, offset: j * d) + w[k * d + j] }
                let label = Int(labels[i])
                if k == 1 {
                    // y ∈ {−1, +1}: loss log(1 + e^(−y·z)), dloss/dz = −y·σ(−y·z).
                    let yz = (label == 1 ? 1.0 : -1.0) * z[0]
                    value += c * (yz > 0 ? log1p(exp(-yz)) : -yz + log1p(exp(yz)))
                    let dz = c * -(label == 1 ? 1.0 : -1.0) / (1 + exp(yz))
                    x.add(row: i, times: dz, to: g)
                    g[d] += dz
                } else {
                    let top = z.max()!
                    var sum = 0.0
                    for j in 0..<k { z[j] = exp(z[j] - top); sum += z[j] }
                    value += c * (log(sum) - log(z[label]))
                    for j in 0..<k {
                        let dz = c * (z[j] / sum - (j == label ? 1 : 0))
                        x.add(row: i, times: dz, to: g, offset: j * d)
                        g[k * d + j] += dz
                    }
                }
            }
        } }
        return value
    }

    /// Class probabilities, row-major [n, classes].
    public func probabilities(_ x: SparseRows) -> [Double] {
        precondition(x.columns == dimension, "features of another vocabulary")
        let k = outputs
        var p = [Double](repeating: 0, count: x.count * classes)
        var z = [Double](repeating: 0, count: k)
        weights.withUnsafeBufferPointer { w in
            for i in 0..<x.count {
                for j in 0..<k { z[j] = x.dot(row: i, w, offset: j * dimension) + bias[j] }
                if k == 1 {
                    p[i * 2 + 1] = 1 / (1 + exp(-z[0])); p[i * 2] = 1 - p[i * 2 + 1]
                } else {
                    let top = z.max()!
                    var sum = 0.0
                    for j in 0..<k { z[j] = exp(z[j] - top); sum += z[j] }
                    for j in 0..<k { p[i * classes + j] = z[j] / sum }
                }
            }
        }
        return p
    }

    /// Accuracy, macro-F1 and mean cross-entropy; the predicted class is the most probable (the first on ties).
    public func evaluate(_ x: SparseRows, labels: [Int32]) -> ClassificationMetrics {
        let p = probabilities(x)
        var predictions: [Int32] = [], loss = 0.0
        for i in labels.indices {
            let row = p[(i * classes)..<((i + 1) * classes)]
            predictions.append(Int32(row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }! - i * classes))
            loss -= log(max(p[i * classes + Int(labels[i])], 1e-300))
        }
        return ClassificationMetrics(predictions: predictions, gold: labels, classes: classes, loss: loss / Double(max(labels.count, 1)))
    }
}
