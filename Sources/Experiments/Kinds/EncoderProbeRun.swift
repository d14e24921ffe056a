import Datasets
import Foundation
import Models
import Outcomes
import Specs
import Training

/// `encoder-probe`: what a pretrained encoder already knows about the task, nothing of it trained — L2 logistic
/// regression on its pooled final states (the pooler on [CLS], or the token mean its sentence-transformers training
/// used), the strength chosen on validation, on exactly the split and size of the other arms; the converged form
/// of a head on a frozen encoder, read beside the bag-of-words floor.
public enum EncoderProbeRun: RunKind {
    public static let id = "encoder-probe"

    public struct Model: ModelSection {
        var checkpoint: Located<String>
        var pooling: SequencePooling
        let l2: [Float]
        public enum CodingKeys: String, CodingKey, CaseIterable { case kind, checkpoint, pooling, l2 }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            _ = try c.decode(String.self, forKey: .kind)
            checkpoint = try c.decodeIfPresent(Located<String>.self, forKey: .checkpoint) ?? Located("minilm-l6", at: .commandLine("default"), path: "model.checkpoint")
            pooling = try c.decode(.pooling, or: SequencePooling.cls)
            l2 = try c.decodeStrengths(.l2)
        }
    }

    public struct Config: Decodable, OpenConfig {
        var run: RunSection
        var data: DataSection
        var model: Model
    }

    public static func check(_ c: Config, node: ConfigNode, data: DataStore) -> [String] {
        c.data.problems(data) + installedProblems(c.model.checkpoint.value, at: c.model.checkpoint.location, field: "model.checkpoint", data: data)
    }

    public static func execute(_ c: Config, context: RunContext) throws -> RunOutcome {
        let start = Date()
        let pretrained = try PretrainedEncoder(c.model.checkpoint.value, store: context.data, pooler: c.model.pooling == .cls)
        let maxLength = min(c.data.maxLength ?? 128, pretrained.encoder.config.maxPositions)
        let width = pretrained.encoder.config.hidden
        let pooled = c.model.pooling == .cls ? (pretrained.encoder.pooler != nil ? "pooler on [CLS]" : "[CLS]") : "token mean"
        return try ProbePipeline.run(c.data, run: c.run, context: context, started: start, width: width, strengths: c.model.l2,
                                     field: c.model.checkpoint, describing: "features (\(pooled)) of \(c.model.checkpoint.value)",
                                     vocabulary: pretrained.tokenizer.count, recordsSize: true) { examples, indices in
            pretrained.encoder.pooledFeatures(indices.map { pretrained.tokenizer.encode(examples[$0].text, maxLength: maxLength).ids },
                                              pooling: c.model.pooling, padding: pretrained.tokenizer.padding)
        }
    }
}
