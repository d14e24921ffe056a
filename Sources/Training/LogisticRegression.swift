import Foundation
import Numerics

/// Multinomial logistic regression on dense features (standardised with the training set's mean
/// and deviation), L2-regularised, fitted full-batch with Adam from zeros: the linear probe that
/// scores document vectors (Le & Mikolov 2014 evaluate paragraph vectors the same way).
public struct LogisticRegression: Sendable {
    public let dimension: Int
    public let classes: Int
    let weights: [Float]      // [classes, dimension]
    let bias: [Float]
    let mean: [Float], scale: [Float]

    /// `features` row-major [n, dimension]; `l2` multiplies ½‖W‖² added to the mean cross-entropy.
    public static func fit(features: [Float], labels: [Int32], dimension d: Int, classes c: Int, l2: Float,
                           iterations: Int = 300, learningRate: Float = 0.05) -> LogisticRegression {
        let n = labels.count
        precondition(n > 0 && features.count == n * d, "one feature row per label")
        var mean = [Float](repeating: 0, count: d), scale = [Float](repeating: 0, count: d)
        for i in 0..<n { for k in 0..<d { mean[k] += features[i * d + k] } }
        for k in 0..<d { mean[k] /= Float(n) }
        for i in 0..<n { for k in 0..<d { let x = features[i * d + k] - mean[k]; scale[k] += x * x } }
        for k in 0..<d { scale[k] = 1 / max((scale[k] / Float(n)).squareRoot(), 1e-8) }
        let x = standardise(features, rows: n, mean: mean, scale: scale)
        var w = [Float](repeating: 0, count: c * d), b = [Float](repeating: 0, count: c)
        var mw = w, vw = w, mb = b, vb = b
        let (beta1, beta2, eps): (Float, Float, Float) = (0.9, 0.999, 1e-8)
        for step in 1...iterations {
            let (_, gw, gb) = lossAndGradient(x, labels: labels, w: w, b: b, dimension: d, classes: c, l2: l2)
            let c1 = 1 - pow(beta1, Float(step)), c2 = 1 - pow(beta2, Float(step))
            for i in 0..<(c * d) {
                let g = gw[i]
                mw[i] = beta1 * mw[i] + (1 - beta1) * g; vw[i] = beta2 * vw[i] + (1 - beta2) * g * g
                w[i] -= learningRate * (mw[i] / c1) / ((vw[i] / c2).squareRoot() + eps)
            }
            for j in 0..<c {
                mb[j] = beta1 * mb[j] + (1 - beta1) * gb[j]; vb[j] = beta2 * vb[j] + (1 - beta2) * gb[j] * gb[j]
                b[j] -= learningRate * (mb[j] / c1) / ((vb[j] / c2).squareRoot() + eps)
            }
        }
        return LogisticRegression(dimension: d, classes: c, weights: w, bias: b, mean: mean, scale: scale)
    }

    /// Mean cross-entropy + ½·l2·‖W‖² on standardised features `x`, and its gradient in W and b:
    /// dL/dlogits = (softmax − onehot)/n, dL/dW = dL/dlogitsᵀ·X + l2·W, dL/db = Σ rows of dL/dlogits.
    static func lossAndGradient(_ x: [Float], labels: [Int32], w: [Float], b: [Float], dimension d: Int, classes c: Int,
                                l2: Float) -> (loss: Double, w: [Float], b: [Float]) {
        let n = labels.count
        var g = [Float](repeating: 0, count: n * c)
        scores(x, rows: n, w: w, b: b, d: d, c: c, into: &g)
        softmaxRows(&g, rows: n, columns: c)
        var loss = 0.0
        var gb = [Float](repeating: 0, count: c)
        for i in 0..<n {
            loss -= log(Double(max(g[i * c + Int(labels[i])], 1e-30)))
            g[i * c + Int(labels[i])] -= 1
            for j in 0..<c { g[i * c + j] /= Float(n); gb[j] += g[i * c + j] }
        }
        loss = loss / Double(n) + 0.5 * Double(l2) * w.reduce(0) { $0 + Double($1 * $1) }
        var gw = w.map { l2 * $0 }
        g.withUnsafeBufferPointer { gs in x.withUnsafeBufferPointer { xs in gw.withUnsafeMutableBufferPointer { out in
            BLAS.gemm(transA: true, m: c, n: d, k: n, a: gs.baseAddress!, lda: c, b: xs.baseAddress!, ldb: d, beta: 1, c: out.baseAddress!, ldc: d)
        } } }
        return (loss, gw, gb)
    }

    /// Class probabilities, row-major [n, classes].
    public func probabilities(_ features: [Float]) -> [Float] {
        let n = features.count / dimension
        let x = Self.standardise(features, rows: n, mean: mean, scale: scale)
        var p = [Float](repeating: 0, count: n * classes)
        Self.scores(x, rows: n, w: weights, b: bias, d: dimension, c: classes, into: &p)
        Self.softmaxRows(&p, rows: n, columns: classes)
        return p
    }

    /// Accuracy, macro-F1 and mean cross-entropy on labelled features.
    public func evaluate(_ features: [Float], labels: [Int32]) -> ClassificationMetrics {
        let p = probabilities(features)
        var predictions: [Int32] = [], loss = 0.0
        for i in labels.indices {
            let row = p[(i * classes)..<((i + 1) * classes)]
            predictions.append(Int32(row.indices.max { row[$0] < row[$1] }! - i * classes))
            loss -= log(Double(max(row[i * classes + Int(labels[i])], 1e-12)))
        }
        return ClassificationMetrics(predictions: predictions, gold: labels, classes: classes, loss: loss / Double(max(labels.count, 1)))
    }

    static func standardise(_ f: [Float], rows n: Int, mean: [Float], scale: [Float]) -> [Float] {
        let d = mean.count
        var x = f
        for i in 0..<n { for k in 0..<d { x[i * d + k] = (f[i * d + k] - mean[k]) * scale[k] } }
        return x
    }

    static func scores(_ x: [Float], rows n: Int, w: [Float], b: [Float], d: Int, c: Int, into out: inout [Float]) {
        for i in 0..<n { for j in 0..<c { out[i * c + j] = b[j] } }
        x.withUnsafeBufferPointer { xs in w.withUnsafeBufferPointer { ws in out.withUnsafeMutableBufferPointer { o in
            BLAS.gemm(transB: true, m: n, n: c, k: d, a: xs.baseAddress!, lda: d, b: ws.baseAddress!, ldb: d, beta: 1, c: o.baseAddress!, ldc: c)
        } } }
    }

    static func softmaxRows(_ z: inout [Float], rows n: Int, columns c: Int) {
        for i in 0..<n {
            let top = (0..<c).map { z[i * c + $0] }.max()!
            var sum: Float = 0
            for j in 0..<c { z[i * c + j] = exp(z[i * c + j] - top); sum += z[i * c + j] }
            for j in 0..<c { z[i * c + j] /= sum }
        }
    }
}

/// A linear probe with its L2 strength chosen on validation accuracy (the first of equals): how much of a task a
/// set of frozen features already holds.
public struct ChosenProbe: Sendable {
    public let l2: Float
    public let probe: LogisticRegression
    public let valid: ClassificationMetrics

    /// Features row-major [n, dimension] for each part; nil when `strengths` is empty.
    public static func fit(train: [Float], trainLabels: [Int32], valid: [Float], validLabels: [Int32], dimension: Int, classes: Int,
                           strengths: [Float]) -> ChosenProbe? {
        var best: ChosenProbe?
        for l2 in strengths {
            let probe = LogisticRegression.fit(features: train, labels: trainLabels, dimension: dimension, classes: classes, l2: l2)
            let metrics = probe.evaluate(valid, labels: validLabels)
            if best == nil || metrics.accuracy > best!.valid.accuracy { best = ChosenProbe(l2: l2, probe: probe, valid: metrics) }
        }
        return best
    }
}
