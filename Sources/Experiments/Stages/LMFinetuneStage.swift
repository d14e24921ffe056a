import Datasets
import Foundation
import Models
import Numerics
import Specs
import Training

/// `lm-finetune`: ULMFiT's target-task LM fine-tuning (Howard & Ruder 2018, §3.2) of the stage named by
/// `from`, on the run's training text, with discriminative rates (÷ factor per layer from the top) and
/// slanted triangular rates; with `extend_vocabulary`, the target's frequent words join the vocabulary first.
public enum LMFinetuneStage: StageKind {
    public static let id = "lm-finetune"

    public struct Config: Decodable {
        var from: Located<String>
        var run: RunSection
        var data: DataSection
        var languageModel: LanguageModelSection

        enum CodingKeys: String, CodingKey { case kind, from, run, data, languageModel = "language_model" }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            c.allow(.kind)
            from = try c.decode(Located<String>.self, forKey: .from)
            run = try c.decode(.run, or: RunSection(seed: 1))
            data = try c.decode(DataSection.self, forKey: .data)
            languageModel = try c.decode(.languageModel, or: LanguageModelSection())
        }
    }

    public static func check(_ config: Config, node: ConfigNode, data: DataStore) -> [String] { config.data.problems(data) }

    public static func execute(_ c: Config, into folder: URL, context: RunContext) throws -> [String: Double] {
        var pretrained = try LanguageModelArtifact.load(try context.artifact(c.from, of: "lm-pretrain"))
        let seed = UInt64(c.run.seed)
        var model = try pretrained.model(seed: seed)
        let examples = try c.data.examples(context.data)
        var run = c.run
        let finetune = c.languageModel.finetune
        if finetune?.text == .trainSplit { run.trainingSize = "all" }
        let split = c.data.split(labels: examples.map(\.label), run: run)
        let tokenizer = c.data.tokenizer
        let documents = split.train.map { tokenizer.tokenize(examples[$0].text) }
        if let minCount = finetune?.extendVocabulary {
            let target = Vocabulary(documents: documents, minCount: minCount, specials: [])
            let before = pretrained.vocabulary.count
            pretrained.vocabulary.add(target.tokens)
            var rng = RandomGenerator(seed: seed).derived("vocabulary extension")
            model = model.extended(to: pretrained.vocabulary.count, rng: &rng)
            pretrained.config = model.config
            context.observer?.note("vocabulary extended by \(pretrained.vocabulary.count - before) target words (in ≥ \(minCount) occurrences) to \(pretrained.vocabulary.count); new rows at the mean embedding")
        }
        let stream = LanguageModelData.stream(documents, vocabulary: pretrained.vocabulary)
        let epochs = finetune?.epochs ?? 2
        let batch = min(finetune?.batch ?? 32, max(stream.count / 80, 1))
        let bptt = c.languageModel.bptt
        let steps = epochs * BPTTBatches(stream: stream, batch: batch, bptt: bptt).count
        let stlr = Schedule.slantedTriangular(totalSteps: steps, cutFraction: Float(finetune?.cutFraction ?? 0.1), ratio: Float(finetune?.ratio ?? 32))
        // Layers bottom → top: embedding (tied with the decoder), each LSTM layer, the decoder bias.
        let layers = [("embedding", ["embedding.*"])] + (0..<model.config.layers).map { ("encoder.\($0)", ["encoder.\($0).*"]) } + [("decoder", ["decoder.*"])]
        let groups = GroupConfig.discriminative(layers, topRate: Float(finetune?.learningRate ?? 4e-3), factor: Float(finetune?.discriminative ?? 2.6),
                                                optimizer: .adam(beta1: 0.8, beta2: 0.99), schedule: stlr)
        context.observer?.note("target LM fine-tuning: \(stream.count) tokens, \(steps) steps, rates " + groups.map { String(format: "%@ %.2e", $0.name, $0.learningRate) }.joined(separator: ", "))
        let before = LanguageModelData.perplexity(model, stream: pretrained.heldout)
        let (after, earlierSeconds) = try LanguageModelStageTraining.train(
            model, stream: stream, heldout: pretrained.heldout, groups: groups, epochs: epochs, batch: batch, bptt: bptt, clip: 0.25, seed: seed,
            resume: folder.appendingPathComponent(StageRun.resumeFolder), observer: context.observer, label: "fine-tuning")
        try pretrained.save(model, to: folder)
        return ["tokens": Double(stream.count), "generic_perplexity_before": before, "generic_perplexity_after": after,
                StageRun.earlierSecondsKey: earlierSeconds]
    }
}
