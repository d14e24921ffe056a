import Autodiff
@testable import Experiments
import Foundation
import Models
import Numerics
import Specs
import TestSupport
import Training
import XCTest

/// The fine-tuning methods of experiments/bert-finetuning.yaml, as the spec writes them, on a tiny encoder with
/// minilm-l6's six layers and Hugging Face's names: each trains exactly the parameters it names (the others
/// bit-identical after training), its trainable count equals its formula, and LP-FT switches phase when it says.
final class BertFinetuningMethodTests: XCTestCase {
    let config = BertConfig(vocabularySize: 20, hidden: 8, layers: 6, heads: 2, intermediate: 8, maxPositions: 32,
                            hiddenDropout: 0.1, attentionDropout: 0.1, initializerRange: 0.3)

    /// One run of each fine-tuning arm of the real spec (its first dataset, size and seed): the encoder's arms, not the
    /// baseline's or the GloVe CNN's.
    func runsByArm() throws -> [String: BertClassifierRun.Config] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("experiments/bert-finetuning.yaml").path
        var out: [String: BertClassifierRun.Config] = [:]
        for run in try Expansion.runs(try SpecLoader.load(path))
        where out[run.arm] == nil && run.config.node(at: ["model", "kind"])?.scalar == BertClassifierRun.id {
            out[run.arm] = try ConfigDecoder(subject: "model kind 'bert-classifier'").decode(BertClassifierRun.Config.self, from: run.config)
        }
        return out
    }

    /// Every encoder arm batches examples of like lengths, and its trainer is told so.
    func testEncoderArmsBatchByLength() throws {
        let arms = try runsByArm()
        for (arm, c) in arms { XCTAssertEqual(c.train.batching, .lengthGrouped, arm) }
        var rng = RandomGenerator(seed: 1)
        let model = BertClassifier(encoder: BertEncoder(config, rng: &rng), head: SequenceClassificationHead(config, classes: 2, rng: &rng))
        let (trainer, _) = try XCTUnwrap(arms["full"]).train.classifierTrainer(model, trainExamples: 10, classes: 2, seed: 3, batchSize: 32)
        XCTAssertEqual(trainer.config.batching, .lengthGrouped)
    }

    /// `min_steps` (Mosbach et al. 2021): at 100 examples each epoch passes over them as often as it takes to give the run
    /// the steps 1,000 examples get; the trainer takes that many steps, and its warm-up and decay span them all.
    func testMinStepsGivesASmallTrainingSetTheStepsOfALargeOne() throws {
        let arms = try runsByArm()
        let full = try XCTUnwrap(arms["full"])
        XCTAssertEqual(full.train.minSteps, 320)
        XCTAssertEqual(full.train.passesPerEpoch(stepsPerPass: 4), 8, "100 examples in batches of 32: 10 epochs × 8 passes × 4 steps")
        XCTAssertEqual(full.train.passesPerEpoch(stepsPerPass: 32), 1, "1,000 examples: 10 epochs × 32 steps")
        XCTAssertEqual(try XCTUnwrap(arms["lp-ft"]).train.passesPerEpoch(stepsPerPass: 4), 7, "its phases' 12 epochs: ⌈320 / 48⌉ passes")
        XCTAssertEqual(try XCTUnwrap(arms["prompt-tuning"]).train.passesPerEpoch(stepsPerPass: 4), 8, "20 epochs and 640 steps: 8 passes of 4 steps")

        var c = full
        (c.train.epochs, c.train.minSteps) = (2, 10)  // 40 examples, 2 steps a pass: 3 passes an epoch, 12 steps in all
        var rng = RandomGenerator(seed: 1)
        let model = BertClassifier(encoder: BertEncoder(config, rng: &rng), head: SequenceClassificationHead(config, classes: 2, rng: &rng))
        let (trainer, _) = try c.train.classifierTrainer(model, trainExamples: 40, classes: 2, seed: 3, batchSize: 32)
        XCTAssertEqual(trainer.config.passesPerEpoch, 3)
        var data = RandomGenerator(seed: 5)
        let examples = (0..<40).map { _ in EncodedExample(ids: (0..<6).map { _ in Int32(1 + data.int(below: 19)) }, label: Int32(data.int(below: 2))) }
        var ratesAfterEpochs: [Float] = []
        let fit = try trainer.fit(train: examples, valid: examples) { _ in ratesAfterEpochs.append(trainer.optimizer.learningRate(of: "head") ?? -1) }
        XCTAssertEqual(fit.epochs.count, 2)
        XCTAssertEqual(trainer.optimizer.step, 12)
        // Warm-up over the first step (10% of 12), then a linear decay that reaches 0 at step 12 (sized to one pass an
        // epoch, 4 steps, it would be 0 from step 4 on).
        XCTAssertEqual(ratesAfterEpochs[0], Float(c.train.learningRate) * 6 / 11, accuracy: 1e-10)
        XCTAssertEqual(ratesAfterEpochs[1], 0)
    }

    /// A run trains its phases' epochs: its schedule spans them with no `epochs` given, and an `epochs` that says otherwise
    /// is refused at its line.
    func testPhasesSetTheEpochsTheScheduleSpans() throws {
        let folder = try temporaryFolder("tlab-phase-epochs")
        func runConfig(_ train: String) throws -> BertClassifierRun.Config {
            let path = folder.appendingPathComponent("p.yaml")
            try Data("""
            experiment: {id: p}
            data: {datasets: [mr-sentences]}
            model: {kind: bert-classifier}
            train:
              \(train)
            """.utf8).write(to: path)
            let run = try XCTUnwrap(try Expansion.runs(try SpecLoader.load(path.path)).first)
            return try ConfigDecoder(subject: "model kind 'bert-classifier'").decode(BertClassifierRun.Config.self, from: run.config)
        }
        let c = try runConfig("{schedule: {linear_warmup: {warmup_steps: 0}}, phases: [{epochs: 1}, {epochs: 2}]}")
        XCTAssertEqual(c.train.epochCount, 3)
        var rng = RandomGenerator(seed: 1)
        let model = BertClassifier(encoder: BertEncoder(config, rng: &rng), head: SequenceClassificationHead(config, classes: 2, rng: &rng))
        let (trainer, groups) = try c.train.classifierTrainer(model, trainExamples: 64, classes: 2, seed: 3, batchSize: 32)
        XCTAssertEqual(trainer.config.phases.map { $0.epochs }, [1, 2])
        XCTAssertEqual(groups.first?.schedule, .linearWarmupDecay(warmupSteps: 0, totalSteps: 6, finalFraction: 0), "3 epochs × 2 steps, not the default 10 epochs'")
        XCTAssertThrowsError(try runConfig("{epochs: 4, phases: [{epochs: 1}, {epochs: 2}]}")) { error in
            XCTAssertTrue("\(error)".contains("p.yaml:5") && "\(error)".contains("train.epochs") && "\(error)".contains("add up to 3"), "\(error)")
        }
        XCTAssertNoThrow(try runConfig("{epochs: 3, phases: [{epochs: 1}, {epochs: 2}]}"))
    }

    /// `select_by: entity_f1` on a sequence classifier would select on a score it never computes: an error naming the field.
    func testEntityF1SelectionIsATaggerKindsChoice() throws {
        var c = try XCTUnwrap(runsByArm()["full"])
        c.train.selectBy = .entityF1
        var rng = RandomGenerator(seed: 1)
        let encoder = BertEncoder(config, rng: &rng)
        let model = BertClassifier(encoder: encoder, head: SequenceClassificationHead(config, classes: 2, rng: &rng))
        XCTAssertThrowsError(try c.train.classifierTrainer(model, trainExamples: 10, classes: 2, seed: 3, batchSize: 32)) { error in
            XCTAssertTrue("\(error)".contains("select_by") && "\(error)".contains("tagger"), "\(error)")
        }
        XCTAssertNoThrow(try c.train.classifierTrainer(model, trainExamples: 10, classes: 2, seed: 3, batchSize: 32, selectBy: .entityF1))
    }

    func testEachMethodTrainsExactlyTheParametersItNames() throws {
        let arms = try runsByArm()
        XCTAssertEqual(Set(arms.keys), ["full", "head-only", "top-1", "top-2", "top-3", "lp-ft", "layerwise-lr", "bitfit", "reinit-top", "scratch",
                                          "adapters", "prompt-tuning", "lora"])
        let (d, f) = (8, 8)
        let layer = 4 * (d * d + d) + 2 * d + (d * f + f) + (f * d + d) + 2 * d
        let (pooler, head) = (d * d + d, d * 2 + 2)
        let biases = d /* embeddings.LayerNorm */ + 6 * (4 * d + d + f + d + d) + d /* pooler */
        let layerNorms = 2 * d + 6 * 2 * 2 * d
        let adapters = 6 * 2 * (d * 64 + 64 + 64 * d + d)  // size 64 after both sub-layers
        let (prompt, lora) = (20 * d, 6 * 2 * (8 * d + d * 8))  // 20 vectors; rank 8 beside query and value
        var data = RandomGenerator(seed: 5)
        // Two batches of the spec's 32 per epoch: warm-up gives the first step of a run rate 0 (as Hugging Face's
        // linear schedule does), so an epoch of one step would leave the weights where they were.
        let examples = (0..<64).map { _ in EncodedExample(ids: (0..<6).map { _ in Int32(1 + data.int(below: 19)) }, label: Int32(data.int(below: 2))) }
        for (arm, spec) in arms.sorted(by: { $0.key < $1.key }) {
            var c = spec
            c.train.minSteps = nil  // (which parameters move does not depend on how many steps they take)
            var rng = RandomGenerator(seed: 1)
            let encoder = BertEncoder(config, rng: &rng)
            c.model.additions.attach(to: encoder, trainingTokens: examples.map(\.ids), rng: &rng, special: [])
            let model = BertClassifier(encoder: encoder, head: SequenceClassificationHead(config, classes: 2, rng: &rng))
            let (trainer, groups) = try c.train.classifierTrainer(model, trainExamples: examples.count, classes: 2, seed: 3, batchSize: 32)
            let trainable = BertClassifierRun.trainableParameters(model, groups: groups, phases: trainer.config.phases)
            let expected: Int = switch arm {
            case "head-only": head
            case "top-1", "top-2", "top-3": Int(arm.suffix(1))! * layer + pooler + head
            case "bitfit": biases + head
            case "adapters": adapters + layerNorms + head
            case "prompt-tuning": prompt + head
            case "lora": lora + head
            default: model.parameterCount
            }
            XCTAssertEqual(trainable, expected, arm)
            // Which parameters moved at some epoch's end (the best epoch's weights are restored afterwards).
            let before = model.parameters.map { $0.value.copy() }
            var movedAtSomeEpoch = Set<Int>()
            let fit = try trainer.fit(train: examples, valid: examples) { _ in
                for (i, (p, old)) in zip(model.parameters, before).enumerated() where !p.value.isIdentical(to: old) { movedAtSomeEpoch.insert(i) }
            }
            XCTAssertEqual(fit.outcome, .finished, arm)
            let trained = Set(groups.map(\.name).filter { name in trainer.config.phases.contains { !$0.frozen.contains(name) } })
            let members = try GroupAssignment.assign(model.parameters, to: groups)
            let trainedNames = Set(zip(groups, members).filter { trained.contains($0.0.name) }.flatMap { $0.1.map(\.name) })
            XCTAssertEqual(Set(movedAtSomeEpoch.map { model.parameters[$0].name }), trainedNames, "\(arm): every trained parameter moved, and no other")
            if arm == "lp-ft" {
                XCTAssertEqual(fit.epochs.map(\.phase), [0, 0] + Array(repeating: 1, count: 10), "a linear probe for 2 epochs, then everything for 10")
            }
        }
    }
}
