import Foundation
import Outcomes
import Specs

/// `trivial`: the scheduler benchmark's and tests' workload: no training, one metric (its seed, as
/// validation accuracy), after an optional delay; with `score`, that as its validation and test accuracy.
public enum TrivialRun: RunKind {
    public static let id = "trivial"

    public struct Config: Decodable, OpenConfig {
        var run: RunSection
        var model: Model
    }

    public struct Model: ModelSection {
            var delayMs: Double?
            var score: Double?
            public enum CodingKeys: String, CodingKey, CaseIterable { case kind, delayMs = "delay_ms", score }
            public init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                _ = try c.decode(String.self, forKey: .kind)
                delayMs = try c.decodeIfPresent(Double.self, forKey: .delayMs)
                score = try c.decodeIfPresent(Double.self, forKey: .score)
            }
    }

    public static func execute(_ c: Config, context: RunContext) throws -> RunOutcome {
        if let delay = c.model.delayMs { Thread.sleep(forTimeInterval: delay / 1000) }
        context.observer?.record(epoch: 0, split: "valid", name: "accuracy", value: Double(c.run.seed))
        let scored = c.model.score.map { SplitMetrics(["accuracy": $0]) }
        return RunOutcome(status: .finished, bestEpoch: 0, epochs: 0, valid: scored, test: scored, trainExamples: 0, vocabulary: 0, seconds: 0)
    }
}
