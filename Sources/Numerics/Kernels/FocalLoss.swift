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
        precondition(gamma >= 0, "the focusing parameter γ is 0 or more, not \(gamma)")
        let probabilities = Tensor(zeros: logits.shape)
        var logTarget = [Double](repeating: 0, count: logits.rows), total = 0.0, totalWeight = 0.0
        for row in CrossEntropy.counted(logits: logits, targets: targets, classWeights: classWeights, ignoreIndex: ignoreIndex,
                                        probabilities: probabilities) {
            logTarget[row.row] = -row.nll
            total += row.weight * pow(-expm1(-row.nll), gamma) * row.nll  // 1 − p_y without cancellation near p_y = 1
            totalWeight += row.weight
        }
        let loss = totalWeight > 0 ? Float(total / totalWeight) : 0
        return (loss, Saved(probabilities: probabilities, logTarget: logTarget, totalWeight: Float(totalWeight)))
    }

    /// dlogits += dloss · w[y] / Σw · g · (p − onehot(y)), g = (1 − p_y)^γ − γ·(1 − p_y)^(γ−1)·p_y·log p_y.
    public static func backward(saved: Saved, targets: [Int32], gamma: Double, classWeights: Tensor? = nil, ignoreIndex: Int32? = nil,
                                upstream: Float, dLogits: Tensor) {
        guard saved.totalWeight > 0 else { return }
        CrossEntropy.addGradient(probabilities: saved.probabilities, targets: targets, ignoreIndex: ignoreIndex, dLogits: dLogits) { row in
            let logP = saved.logTarget[row], rest = -expm1(logP)
            let g = pow(rest, gamma) - (rest > 0 && gamma > 0 ? gamma * pow(rest, gamma - 1) * exp(logP) * logP : 0)
            return Float(Double(upstream) * Double(classWeights?.data[Int(targets[row])] ?? 1) / Double(saved.totalWeight) * g)
        }
    }
}
