import Foundation

/// Softmax focal loss (Lin et al. 2017, "Focal Loss for Dense Object Detection"): −w[y]·(1 − p_y)^γ·log p_y per row,
/// averaged as `CrossEntropy` averages (over the rows whose target is not `ignoreIndex`, divided by Σ w[y]); γ = 0 is
/// the cross-entropy.
public enum FocalLoss {
    public struct Saved {
        /// Softmax probabilities [rows, classes].
        public let probabilities: Tensor
        /// log p_y of each row (0 where ignored).
        let logTarget: [Double]
        /// Σ w[yᵢ] over the counted rows.
        public let totalWeight: Float
    }

    public static func forward(logits: Tensor, targets: [Int32], gamma: Double, classWeights: Tensor? = nil,
                               ignoreIndex: Int32? = nil) -> (loss: Float, saved: Saved) {
        let rows = logits.rows, classes = logits.columns
        precondition(targets.count == rows, "\(targets.count) targets for logits \(logits.shape)")
        precondition(gamma >= 0, "the focusing parameter γ is 0 or more, not \(gamma)")
        let probabilities = Tensor(zeros: logits.shape)
        var logTarget = [Double](repeating: 0, count: rows), total = 0.0, totalWeight = 0.0
        for r in 0..<rows {
            let x = logits.data + r * classes
            let (peak, sum) = Softmax.row(x, probabilities.data + r * classes, columns: classes)
            let target = targets[r]
            if target == ignoreIndex { continue }
            precondition(target >= 0 && Int(target) < classes, "target \(target) outside 0..<\(classes) at row \(r)")
            let weight = Double(classWeights?.data[Int(target)] ?? 1)
            // log p_y exactly (as CrossEntropy), and 1 − p_y without cancellation near p_y = 1.
            let logP = Double(x[Int(target)]) - Double(peak) - Double(log(sum))
            logTarget[r] = logP
            total += weight * pow(-expm1(logP), gamma) * -logP
            totalWeight += weight
        }
        let loss = totalWeight > 0 ? Float(total / totalWeight) : 0
        return (loss, Saved(probabilities: probabilities, logTarget: logTarget, totalWeight: Float(totalWeight)))
    }

    /// dlogits += dloss · w[y] / Σw · g · (p − onehot(y)), g = (1 − p_y)^γ − γ·(1 − p_y)^(γ−1)·p_y·log p_y.
    public static func backward(saved: Saved, targets: [Int32], gamma: Double, classWeights: Tensor? = nil, ignoreIndex: Int32? = nil,
                                upstream: Float, dLogits: Tensor) {
        guard saved.totalWeight > 0 else { return }
        let classes = saved.probabilities.columns
        let p = saved.probabilities.data, d = dLogits.data
        for r in 0..<targets.count {
            let target = targets[r]
            if target == ignoreIndex { continue }
            let logP = saved.logTarget[r], pt = exp(logP), rest = -expm1(logP)
            let g = pow(rest, gamma) - (rest > 0 && gamma > 0 ? gamma * pow(rest, gamma - 1) * pt * logP : 0)
            let scale = Float(Double(upstream) * Double(classWeights?.data[Int(target)] ?? 1) / Double(saved.totalWeight) * g)
            let pr = p + r * classes, dr = d + r * classes
            for j in 0..<classes { dr[j] += scale * pr[j] }
            dr[Int(target)] -= scale
        }
    }
}
