import Foundation

/// NB-SVM (Wang & Manning 2012, "Baselines and Bigrams"): an SVM on binarised n-gram features scaled by their
/// naive-Bayes log-count ratio r = log((p/‖p‖₁)/(q/‖q‖₁)), p = α + Σ_{positive} x̂, q = α + Σ_{negative} x̂; the
/// L2-regularised squared-hinge SVM (liblinear's default) is fitted by L-BFGS, and its weights interpolated
/// w′ = (1 − β)·w̄ + β·w with w̄ = ‖w‖₁/|V|. More than two classes: one classifier per class against the rest.
public struct NBSVM: Sendable {
    public let classes: Int
    public let dimension: Int
    /// Per binary classifier: r, the interpolated weights and the bias.
    public let ratios: [[Double]]
    public let weights: [[Double]]
    public let bias: [Double]
    public let fits: [LBFGS.Result]

    /// `x` binarised features (`NGramFeatures.binary`); converged when every gradient entry divided by C·n is at most `tolerance`.
    public static func fit(_ x: SparseRows, labels: [Int32], classes: Int, c: Double, alpha: Double = 1, beta: Double = 0.25,
                           tolerance: Double = 1e-6) -> NBSVM {
        precondition(classes >= 2 && x.count == labels.count, "one row per label, at least two classes")
        let positives: [Int32] = classes == 2 ? [1] : (0..<Int32(classes)).map { $0 }
        var ratios: [[Double]] = [], weights: [[Double]] = [], bias: [Double] = [], fits: [LBFGS.Result] = []
        for positive in positives {
            let y = labels.map { $0 == positive ? 1.0 : -1.0 }
            let r = logCountRatio(x, y: y, alpha: alpha)
            let scaled = x.mapValues { column, value in value * r[Int(column)] }
            var theta = [Double](repeating: 0, count: x.columns + 1)
            fits.append(LBFGS.minimize(&theta, tolerance: tolerance * c * Double(x.count)) { theta, gradient in squaredHinge(theta, gradient: &gradient, x: scaled, y: y, c: c) })
            let w = Array(theta[0..<x.columns])
            let mean = w.reduce(0) { $0 + abs($1) } / Double(max(w.count, 1))
            ratios.append(r); weights.append(w.map { (1 - beta) * mean + beta * $0 }); bias.append(theta[x.columns])
        }
        return NBSVM(classes: classes, dimension: x.columns, ratios: ratios, weights: weights, bias: bias, fits: fits)
    }

    /// r = log((p/‖p‖₁)/(q/‖q‖₁)) with p, q the α-smoothed feature counts of the positive and negative rows.
    static func logCountRatio(_ x: SparseRows, y: [Double], alpha: Double) -> [Double] {
        var p = [Double](repeating: alpha, count: x.columns), q = p
        for i in 0..<x.count {
            for (column, value) in x.row(i) { if y[i] > 0 { p[Int(column)] += value } else { q[Int(column)] += value } }
        }
        let (sp, sq) = (p.reduce(0, +), q.reduce(0, +))
        return zip(p, q).map { log(($0 / sp) / ($1 / sq)) }
    }

    /// ½‖w‖² + C·Σ max(0, 1 − yᵢ(w·xᵢ + b))² and its gradient in θ = [w, b] (the bias not penalised).
    static func squaredHinge(_ theta: [Double], gradient: inout [Double], x: SparseRows, y: [Double], c: Double) -> Double {
        let d = x.columns
        var value = 0.0
        for i in 0..<d { value += 0.5 * theta[i] * theta[i]; gradient[i] = theta[i] }
        gradient[d] = 0
        theta.withUnsafeBufferPointer { w in gradient.withUnsafeMutableBufferPointer { g in
            for i in 0..<x.count {
                let margin = 1 - y[i] * (x.dot(row: i, w) + w[d])
                guard margin > 0 else { continue }
                value += c * margin * margin
                let dz = -2 * c * margin * y[i]
                x.add(row: i, times: dz, to: g)
                g[d] += dz
            }
        } }
        return value
    }

    /// Decision values, row-major [n, classifiers] (one column for two classes: the second class's).
    public func decisions(_ x: SparseRows) -> [Double] {
        precondition(x.columns == dimension, "features of another vocabulary")
        var out: [Double] = []
        out.reserveCapacity(x.count * weights.count)
        for i in 0..<x.count {
            for (j, w) in weights.enumerated() {
                var z = bias[j]
                for (column, value) in x.row(i) { z += value * ratios[j][Int(column)] * w[Int(column)] }
                out.append(z)
            }
        }
        return out
    }

    /// Accuracy, macro-F1, and as loss the mean squared hinge of the decision values (an SVM has no likelihood).
    public func evaluate(_ x: SparseRows, labels: [Int32]) -> ClassificationMetrics {
        let z = decisions(x), k = weights.count
        var predictions: [Int32] = [], loss = 0.0
        for i in labels.indices {
            let row = Array(z[(i * k)..<((i + 1) * k)])
            if k == 1 {
                predictions.append(row[0] > 0 ? 1 : 0)
                loss += pow(max(0, 1 - (labels[i] == 1 ? 1 : -1) * row[0]), 2)
            } else {
                predictions.append(Int32(row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }!))
                for j in 0..<k { loss += pow(max(0, 1 - (labels[i] == Int32(j) ? 1 : -1) * row[j]), 2) / Double(k) }
            }
        }
        return ClassificationMetrics(predictions: predictions, gold: labels, classes: classes, loss: loss / Double(max(labels.count, 1)))
    }
}
