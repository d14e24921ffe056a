import Foundation

/// A learning-rate multiplier as a function of the optimizer step (0-based): the group's rate at step
/// t is `baseRate · schedule.multiplier(at: t)`.
public enum Schedule: Codable, Equatable, Sendable {
    case constant
    /// Linear warm-up from 0 to 1 over `warmupSteps`, then linear decay to `finalFraction` at `totalSteps`.
    case linearWarmupDecay(warmupSteps: Int, totalSteps: Int, finalFraction: Float = 0)
    /// Slanted triangular rates (Howard & Ruder 2018, eq. 3): a short linear rise over the first
    /// `cutFraction` of `totalSteps`, then a long linear decay; the low end is 1/`ratio` of the peak.
    case slantedTriangular(totalSteps: Int, cutFraction: Float = 0.1, ratio: Float = 32)
    /// gamma^t.
    case exponential(gamma: Float)
    /// gamma^⌊t / stepSize⌋.
    case step(stepSize: Int, gamma: Float)
    /// One-cycle (Smith & Topin 2019) with cosine phases, as PyTorch's `OneCycleLR`: from
    /// 1/divFactor up to 1 over `pctStart` of `totalSteps`, then down to 1/(divFactor·finalDivFactor).
    case oneCycle(totalSteps: Int, pctStart: Float = 0.3, divFactor: Float = 25, finalDivFactor: Float = 1e4)

    /// The same schedule over `totalSteps` (schedules without a length are unchanged): what a phase that restarts the
    /// schedule runs, as fastai's `fit_one_cycle` per unfreezing stage does.
    public func resized(totalSteps: Int) -> Schedule {
        switch self {
        case let .linearWarmupDecay(warmup, _, finalFraction): .linearWarmupDecay(warmupSteps: warmup, totalSteps: totalSteps, finalFraction: finalFraction)
        case let .slantedTriangular(_, cutFraction, ratio): .slantedTriangular(totalSteps: totalSteps, cutFraction: cutFraction, ratio: ratio)
        case let .oneCycle(_, pctStart, divFactor, finalDivFactor): .oneCycle(totalSteps: totalSteps, pctStart: pctStart, divFactor: divFactor, finalDivFactor: finalDivFactor)
        case .constant, .exponential, .step: self
        }
    }

    public func multiplier(at step: Int) -> Float {
        let t = Float(step)
        switch self {
        case .constant:
            return 1
        case let .linearWarmupDecay(warmup, total, finalFraction):
            if step < warmup { return t / Float(max(warmup, 1)) }
            let progress = min(Float(step - warmup) / Float(max(total - warmup, 1)), 1)
            return 1 - (1 - finalFraction) * progress
        case let .slantedTriangular(total, cutFraction, ratio):
            let cut = max(Float(Int(Float(total) * cutFraction)), 1)
            let p = t < cut ? t / cut : max(1 - (t - cut) / (cut * (1 / cutFraction - 1)), 0)
            return (1 + p * (ratio - 1)) / ratio
        case let .exponential(gamma):
            return pow(gamma, t)
        case let .step(stepSize, gamma):
            return pow(gamma, Float(step / max(stepSize, 1)))
        case let .oneCycle(total, pctStart, divFactor, finalDivFactor):
            let initial = 1 / divFactor, final = initial / finalDivFactor
            let peakStep = Float(pctStart * Float(total)) - 1
            func cosine(_ from: Float, _ to: Float, _ fraction: Float) -> Float {
                to + (from - to) / 2 * (1 + cos(Float.pi * min(max(fraction, 0), 1)))
            }
            if t <= peakStep { return cosine(initial, 1, t / max(peakStep, 1)) }
            return cosine(1, final, (t - peakStep) / max(Float(total) - 1 - peakStep, 1))
        }
    }
}
