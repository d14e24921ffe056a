import Foundation

/// Unfreezing schedules as phases (which groups are frozen in each epoch), for groups listed from
/// the bottom (embedding) to the top (the new head).
public enum Unfreezing {
    /// ULMFiT's gradual unfreezing (Howard & Ruder 2018, §3.3): the top group trains alone for `epochsPerStage`
    /// epochs (1 in the paper), each later stage unfreezes the next group down, until all train for the remaining epochs.
    public static func gradual(_ order: [String], epochs: Int, epochsPerStage: Int = 1) -> [Phase] {
        guard !order.isEmpty, epochs > 0 else { return [] }
        var phases: [Phase] = []
        for k in 1..<order.count {
            phases.append(Phase(epochs: epochsPerStage, frozen: Array(order.prefix(order.count - k))))
        }
        phases.append(Phase(epochs: max(epochs - phases.count * epochsPerStage, 0)))
        return trimmed(phases, to: epochs)
    }

    /// Chain-thaw (Felbo et al. 2017, an ULMFiT ablation): the new top group alone, then each group
    /// alone from the bottom up, `epochsPerStep` each, then everything for the remaining epochs.
    public static func chainThaw(_ order: [String], epochs: Int, epochsPerStep: Int = 1) -> [Phase] {
        guard let top = order.last, epochs > 0 else { return [] }
        var phases = [Phase(epochs: epochsPerStep, frozen: order.filter { $0 != top })]
        for group in order.dropLast() { phases.append(Phase(epochs: epochsPerStep, frozen: order.filter { $0 != group })) }
        let used = phases.count * epochsPerStep
        if epochs > used { phases.append(Phase(epochs: epochs - used)) }
        return trimmed(phases, to: epochs)
    }

    /// Only the top group trains (ULMFiT's "last layer" ablation).
    public static func lastLayer(_ order: [String], epochs: Int) -> [Phase] {
        [Phase(epochs: epochs, frozen: Array(order.dropLast()))]
    }

    /// Everything trains from the start ("full").
    public static func full(epochs: Int) -> [Phase] { [Phase(epochs: epochs)] }

    /// SiATL's sequential unfreezing (Chronopoulou et al. 2019, §2.3): epoch 1 only the new layers,
    /// epochs 2–4 also the pretrained LSTM (and LM head), from epoch 5 also the embedding. `order` is
    /// [embedding, pretrained groups…, new layers].
    public static func siatl(_ order: [String], epochs: Int) -> [Phase] {
        precondition(order.count >= 3, "SiATL's schedule names the embedding, the pretrained groups and the new layers")
        let embedding = order[0], pretrained = Array(order.dropFirst().dropLast())
        return trimmed([Phase(epochs: 1, frozen: [embedding] + pretrained), Phase(epochs: 3, frozen: [embedding]),
                        Phase(epochs: max(epochs - 4, 0))], to: epochs)
    }

    /// The phases cut to `epochs` in total.
    static func trimmed(_ phases: [Phase], to epochs: Int) -> [Phase] {
        var left = epochs, out: [Phase] = []
        for var p in phases where left > 0 && p.epochs > 0 {
            p.epochs = min(p.epochs, left)
            left -= p.epochs
            out.append(p)
        }
        return out
    }
}

/// SiATL's auxiliary language-model loss weight (Chronopoulou et al. 2019, §2.2):
/// γ_e = exp(linspace(−1.6, −2.3, 15))[e] for epochs e = 1…15 (≈0.2019 → 0.1003), then constant.
public enum SiATLWeight {
    public static func gamma(epoch: Int, steps: Int = 15, from: Double = -1.6, to: Double = -2.3) -> Float {
        let e = min(max(epoch, 1), steps) - 1
        return Float(exp(from + (to - from) * Double(e) / Double(steps - 1)))
    }

    public static func schedule(epochs: Int) -> [Float] { (1...max(epochs, 1)).map { gamma(epoch: $0) } }
}
