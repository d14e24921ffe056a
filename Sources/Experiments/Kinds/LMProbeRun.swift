import Datasets
import Foundation
import Models
import Outcomes
import Specs
import Training

/// `lm-probe`: what a language model already knows about the task, with nothing of it trained — L2 logistic
/// regression on its concat-pooled states (ULMFiT's head input), the strength chosen on validation, on exactly the
/// split, size and seed of the other arms; read beside the bag-of-words floor.
public enum LMProbeRun: RunKind {
    public static let id = "lm-probe"

    public struct Model: ModelSection {
        let from: Located<String>
        let l2: [Float]
        public enum CodingKeys: String, CodingKey, CaseIterable { case kind, from, l2 }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            _ = try c.decode(String.self, forKey: .kind)
            from = try c.decode(Located<String>.self, forKey: .from)
            l2 = try c.decodeStrengths(.l2)
        }
    }

    public struct Config: Decodable, OpenConfig {
        var run: RunSection
        var data: DataSection
        var model: Model
    }

    public static func check(_ config: Config, node: ConfigNode, data: DataStore) -> [String] { config.data.problems(data) }

    public static func execute(_ c: Config, context: RunContext) throws -> RunOutcome {
        let start = Date()
        let artifact = try LanguageModelArtifact.load(try context.artifact(c.model.from, of: "language-model"))
        let lm = try artifact.model(seed: UInt64(c.run.seed))
        let tokenizer = c.data.tokenizer, maxLength = c.data.maxLength ?? 200
        return try ProbePipeline.run(c.data, run: c.run, context: context, started: start, width: 3 * lm.encoder.outputSize, strengths: c.model.l2,
                                     field: c.model.from, describing: "pooled features of the LM from \(c.model.from.value)",
                                     vocabulary: artifact.vocabulary.count) { examples, indices in
            // An empty text is one unknown token, so every sequence has a last state.
            lm.pooledFeatures(indices.map { index -> [Int32] in
                let ids = Array(artifact.vocabulary.encode(tokenizer.tokenize(examples[index].text)).prefix(maxLength))
                return ids.isEmpty ? [artifact.vocabulary.unknownID ?? 0] : ids
            })
        }
    }

}
