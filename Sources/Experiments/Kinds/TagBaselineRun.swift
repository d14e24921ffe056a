import Datasets
import Foundation
import Outcomes
import Specs
import Training

/// `tag-baseline`: the floors of a token-classification table, on the split the taggers use: `all-o` (every word O:
/// high token accuracy, no entity) and `lexicon` (each word its most frequent tag in the training split, lower-cased,
/// unseen words O; the CoNLL shared tasks' baseline read as conlleval reads it). As a spec's `baselines:` entry it is the
/// floor of the reports' checks; its `majority` is the entity F1 of answering O everywhere (0: chance level).
public enum TagBaselineRun: RunKind {
    public static let id = "tag-baseline"

    public struct Model: ModelSection {
        enum Method: String, ConfigChoice { case allO = "all-o", lexicon }
        var method: Method
        public enum CodingKeys: String, CodingKey, CaseIterable { case kind, method }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            _ = try c.decode(String.self, forKey: .kind)
            method = try c.decode(.method, or: .lexicon)
        }
    }

    public struct Config: Decodable, OpenConfig {
        var run: RunSection
        var data: DataSection
        var model: Model
    }

    public static func execute(_ c: Config, context: RunContext) throws -> RunOutcome {
        let start = Date()
        let data = try TaggingData(c.data, run: c.run, store: context.data)
        let outside = Int32(data.labels.firstIndex(of: "O")!)
        var counts: [String: [Int32: Int]] = [:]
        for i in data.split.train {
            for (word, tag) in zip(data.sentences[i].tokens, data.labelIDs(data.sentences[i])) { counts[word.lowercased(), default: [:]][tag, default: 0] += 1 }
        }
        // The most frequent tag, ties to the smaller id.
        let lexicon = counts.mapValues { tags in tags.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key }
        let task = TokenClassificationTask(labeler: TokenLabeler(labels: data.labels), classWeights: nil)
        func score(_ indices: [Int]) -> ClassificationMetrics {
            let gold = indices.map { data.labelIDs(data.sentences[$0]) }
            let predicted = indices.map { i in
                data.sentences[i].tokens.map { c.model.method == .allO ? outside : lexicon[$0.lowercased()] ?? outside }
            }
            var metrics = ClassificationMetrics(predictions: predicted.flatMap { $0 }, gold: gold.flatMap { $0 }, classes: data.labels.count, loss: 0)
            metrics.scores = task.scores(gold: gold, predicted: predicted)
            return metrics
        }
        return RunOutcome(status: .finished, valid: SplitMetrics(score(data.split.valid)), test: SplitMetrics(score(data.split.test)),
                          trainExamples: data.split.train.count, vocabulary: lexicon.count, seconds: Date().timeIntervalSince(start),
                          extras: ["bio_repairs": Double(data.repairs), "majority": 0])
    }

    public static func check(_ c: Config, node: ConfigNode, data: DataStore) -> [String] { c.data.taggingProblems(data) }
}
