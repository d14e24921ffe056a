import Numerics

extension Tape {
    /// Mean softmax cross-entropy of logits [N, C] against `targets` (N class ids), optionally weighted
    /// per class and ignoring rows whose target is `ignoreIndex`. A scalar.
    public func crossEntropy(_ logits: Variable, targets: [Int32], classWeights: Tensor? = nil,
                             ignoreIndex: Int32? = nil) -> Variable {
        let (loss, saved) = CrossEntropy.forward(logits: value(logits), targets: targets,
                                                 classWeights: classWeights, ignoreIndex: ignoreIndex)
        return record(Tensor(scalar: loss), inputs: [logits]) { tape, g in
            if let d = tape.gradientBuffer(logits) {
                CrossEntropy.backward(saved: saved, targets: targets, classWeights: classWeights,
                                      ignoreIndex: ignoreIndex, upstream: g.scalar, dLogits: d)
            }
        }
    }
}
