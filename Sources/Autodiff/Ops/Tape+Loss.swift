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

extension Tape {
    /// Mean negative log-likelihood per position of `tags` under a linear-chain CRF (`LinearChainCRF`) over emissions
    /// [N, C]; each sequence is the emission rows it names, in order. A scalar; gradients reach all four inputs.
    public func crfNegativeLogLikelihood(_ emissions: Variable, transitions: Variable, start: Variable, end: Variable,
                                         sequences: [[Int]], tags: [[Int32]]) -> Variable {
        let (loss, saved) = LinearChainCRF.forward(emissions: value(emissions), transitions: value(transitions), start: value(start),
                                                   end: value(end), sequences: sequences, tags: tags)
        return record(Tensor(scalar: loss), inputs: [emissions, transitions, start, end]) { tape, g in
            LinearChainCRF.backward(saved: saved, emissions: tape.value(emissions), transitions: tape.value(transitions),
                                    sequences: sequences, tags: tags, upstream: g.scalar,
                                    dEmissions: tape.gradientBuffer(emissions), dTransitions: tape.gradientBuffer(transitions),
                                    dStart: tape.gradientBuffer(start), dEnd: tape.gradientBuffer(end))
        }
    }
}

extension Tape {
    /// Mean softmax focal loss (`FocalLoss`, Lin et al. 2017) of logits [N, C] against `targets`, optionally weighted
    /// per class and ignoring rows whose target is `ignoreIndex`. A scalar; γ = 0 is `crossEntropy`.
    public func focalLoss(_ logits: Variable, targets: [Int32], gamma: Double, classWeights: Tensor? = nil,
                          ignoreIndex: Int32? = nil) -> Variable {
        let (loss, saved) = FocalLoss.forward(logits: value(logits), targets: targets, gamma: gamma,
                                              classWeights: classWeights, ignoreIndex: ignoreIndex)
        return record(Tensor(scalar: loss), inputs: [logits]) { tape, g in
            if let d = tape.gradientBuffer(logits) {
                FocalLoss.backward(saved: saved, targets: targets, gamma: gamma, classWeights: classWeights,
                                   ignoreIndex: ignoreIndex, upstream: g.scalar, dLogits: d)
            }
        }
    }
}
