import Datasets
import Foundation
import Outcomes
import Specs
import Training

/// What the linear-probe kinds (`lm-probe`, `encoder-probe`) share: frozen features of the run's split, L2 logistic
/// regression with the strength chosen on validation, scored on test; read beside the bag-of-words floor.
enum ProbePipeline {
    /// `features(examples, indices)`: the rows [n, width] of those examples. `strengths` is the spec's `model.l2` at `field`.
    /// `recordsSize`: the probe's weights and biases recorded as `trainable_parameters`.
    static func run(_ data: DataSection, run: RunSection, context: RunContext, started start: Date, width: Int, strengths: [Float],
                    field: Located<String>, describing source: String, vocabulary: Int, recordsSize: Bool = false,
                    features: ([LabeledText], [Int]) -> [Float]) throws -> RunOutcome {
        let examples = try data.examples(context.data)
        let labelNames = Array(Set(examples.map(\.label))).sorted()
        let labelIDs = Dictionary(uniqueKeysWithValues: labelNames.enumerated().map { ($1, Int32($0)) })
        let split = data.split(labels: examples.map(\.label), run: run)
        func labels(_ indices: [Int]) -> [Int32] { indices.map { labelIDs[examples[$0].label]! } }
        let (train, valid, test) = (features(examples, split.train), features(examples, split.valid), features(examples, split.test))
        let observer = context.observer
        observer?.note("train \(split.train.count), valid \(split.valid.count), test \(split.test.count); \(width) \(source)")
        guard let chosen = ChosenProbe.fit(train: train, trainLabels: labels(split.train), valid: valid, validLabels: labels(split.valid),
                                           dimension: width, classes: labelNames.count, strengths: strengths) else {
            throw field.error("model.l2: no L2 strength to try")
        }
        let scored = chosen.probe.evaluate(test, labels: labels(split.test))
        observer?.note(String(format: "probe: L2 %g chosen on validation (accuracy %.3f); test accuracy %.3f", chosen.l2, chosen.valid.accuracy, scored.accuracy))
        var extras = ["probe_l2": Double(chosen.l2), "majority": BagOfWordsPipeline.majority(labels(split.test))]
        if recordsSize { extras["trainable_parameters"] = Double((width + 1) * labelNames.count) }
        return RunOutcome(status: .finished, valid: SplitMetrics(chosen.valid), test: SplitMetrics(scored), trainExamples: split.train.count,
                          vocabulary: vocabulary, seconds: Date().timeIntervalSince(start), extras: extras)
    }
}

extension KeyedDecodingContainer {
    /// A probe's `model.l2`: the positive, finite strengths tried, by default 1e-5 to 1 by decades.
    func decodeStrengths(_ key: Key) throws -> [Float] {
        try decode(key, or: [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1], "positive strengths") { (list: [Float]) in !list.isEmpty && list.allSatisfy { $0 > 0 && $0.isFinite } }
    }
}
