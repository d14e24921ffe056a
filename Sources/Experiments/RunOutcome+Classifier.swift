import Foundation
import Outcomes
import Datasets
import Training

extension SplitMetrics {
    /// A classifier's metrics on a split, under the names results have always stored them by.
    init(_ m: ClassificationMetrics) {
        self.init(["accuracy": m.accuracy, "macroF1": m.macroF1, "loss": m.loss, "count": Double(m.count)].merging(m.scores ?? [:]) { a, _ in a })
    }
}

extension RunOutcome {
    /// A classifier run's outcome after `fit`: its best epoch's validation metrics, test metrics unless it
    /// diverged, sizes and coverage; `seconds` is set by the caller.
    init(fit: ClassifierTrainer.Result, trainExamples: Int, vocabulary: Int, coverage: Coverage?, test: () -> ClassificationMetrics) {
        self.init(status: .finished, bestEpoch: fit.bestEpoch, epochs: fit.epochs.count,
                  valid: fit.epochs.first { $0.epoch == fit.bestEpoch }.map { SplitMetrics($0.valid) },
                  trainExamples: trainExamples, vocabulary: vocabulary,
                  coverage: coverage.map { ["typesCovered": $0.typesCovered, "types": $0.types, "tokensCovered": $0.tokensCovered, "tokens": $0.tokens] },
                  seconds: 0)
        if case let .diverged(epoch, step) = fit.outcome {
            status = .diverged
            error = "non-finite loss at epoch \(epoch), step \(step)"
        } else {
            self.test = SplitMetrics(test())
        }
    }
}

/// Observes a run as it goes: per-epoch metrics and optimizer events.
public protocol RunObserver: AnyObject {
    func epochEnded(_ record: EpochRecord)
    func note(_ message: String)
    /// One named metric at an epoch (language-model stages: loss, perplexity, tokens/s).
    func record(epoch: Int, split: String, name: String, value: Double)
}

extension RunObserver {
    public func record(epoch: Int, split: String, name: String, value: Double) {}
}
