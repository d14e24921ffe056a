import Autodiff
import Datasets
import Models
@testable import Experiments
import Numerics
import Specs
import TestSupport
import Training
import XCTest

/// The spec shorthands of the transfer experiment: discriminative rates and slanted triangular
/// rates, step by step, and unfreezing built from `train.unfreezing`.
final class TransferConfigTests: XCTestCase {
    func testDiscriminativeRatesAndSTLRStepByStep() throws {
        let config = try ConfigNode.parse(yaml: """
        train:
          learning_rate: 0.01
          groups:
            embedding: {patterns: ["embedding.*"]}
            lstm: {patterns: ["encoder.*"]}
            head: {patterns: ["head.*"]}
          discriminative: {factor: 2.6, order: [embedding, lstm, head]}
          schedule: {slanted_triangular: {cut_fraction: 0.1, ratio: 32}}
          unfreezing: {kind: gradual, order: [embedding, lstm, head]}
          epochs: 4
        """, file: "t.yaml")
        let c = try train(config)
        let total = 200
        let groups = try c.groupConfigs(totalSteps: total)
        let parameters = ["embedding.weight", "encoder.0.w", "head.weight"].map { Parameter($0, Tensor(zeros: [2])) }
        let optimizer = try GroupedOptimizer(parameters: parameters, groups: groups)
        // Howard & Ruder eq. 3: cut = ⌊T·cut_frac⌋, p = t/cut before it, 1 − (t−cut)/(cut·(1/cut_frac − 1)) after; η_t = η·(1 + p(ratio−1))/ratio.
        let cut = 20.0
        for step in 0..<total {
            let t = Double(step)
            let p = t < cut ? t / cut : max(1 - (t - cut) / (cut * (1 / 0.1 - 1)), 0)
            let multiplier = (1 + p * 31) / 32
            XCTAssertEqual(Double(optimizer.learningRate(of: "head")!), 0.01 * multiplier, accuracy: 1e-7, "step \(step)")
            XCTAssertEqual(Double(optimizer.learningRate(of: "lstm")!), 0.01 / 2.6 * multiplier, accuracy: 1e-7)
            XCTAssertEqual(Double(optimizer.learningRate(of: "embedding")!), 0.01 / (2.6 * 2.6) * multiplier, accuracy: 1e-7)
            parameters.forEach { $0.grad.zero() }
            optimizer.update()
        }
        XCTAssertEqual(try c.phaseList(groups: groups), [Phase(epochs: 1, frozen: ["embedding", "lstm"]), Phase(epochs: 1, frozen: ["embedding"]), Phase(epochs: 2)])
    }

    func testUnknownGroupsInShorthandsAreSpecErrors() throws {
        let config = try ConfigNode.parse(yaml: """
        train:
          groups: {embedding: {patterns: ["embedding.*"]}, head: {patterns: ["*"]}}
          discriminative: {factor: 2.6, order: [embedding, lstm, head]}
        """, file: "bad.yaml")
        XCTAssertThrowsError(try train(config).groupConfigs(totalSteps: 10)) { error in
            XCTAssertTrue("\(error)".contains("bad.yaml:3:") && "\(error)".contains("no parameter group 'lstm'"), "\(error)")
        }
    }
    /// Adam's betas and epsilon from the spec, per group or for all of training; PyTorch's defaults
    /// otherwise; a malformed pair is an error at its line.
    func testAdamBetasFromTheSpec() throws {
        let config = try ConfigNode.parse(yaml: """
        train:
          optimizer: adam
          learning_rate: 0.01
          betas: [0.8, 0.99]
          groups:
            head: {patterns: ["head.*"], betas: [0.7, 0.9], epsilon: 1e-6}
            rest: {patterns: ["*"]}
            old: {patterns: ["old.*"], optimizer: adamw}
        """, file: "b.yaml")
        let groups = try train(config).groupConfigs(totalSteps: 10)
        XCTAssertEqual(groups.map(\.optimizer), [.adam(beta1: 0.7, beta2: 0.9, epsilon: 1e-6), .adam(beta1: 0.8, beta2: 0.99), .adamW(beta1: 0.8, beta2: 0.99)])
        XCTAssertEqual(try train(ConfigNode.parse(yaml: "train: {optimizer: adam}", file: "d.yaml")).groupConfigs(totalSteps: 1).first?.optimizer, .adam())
        let bad = try ConfigNode.parse(yaml: "train:\n  optimizer: adam\n  betas: [0.9]\n", file: "bad.yaml")
        XCTAssertThrowsError(try train(bad).groupConfigs(totalSteps: 1)) {
            XCTAssertTrue("\($0)".contains("bad.yaml:3") && "\($0)".contains("train.betas") && "\($0)".contains("two numbers"), "\($0)")
        }
    }

    /// A field no training section has is an error at its line, with a did-you-mean.
    func testUnknownTrainingFieldIsAnErrorWithASuggestion() throws {
        let config = try ConfigNode.parse(yaml: "train:\n  optimizer: adam\n  learning_rat: 0.1\n", file: "typo.yaml")
        XCTAssertThrowsError(try train(config)) {
            XCTAssertTrue("\($0)".contains("typo.yaml:3:") && "\($0)".contains("train.learning_rat") && "\($0)".contains("did you mean 'learning_rate'?"), "\($0)")
        }
    }

    /// The `train:` section of `config`, decoded.
    func train(_ config: ConfigNode) throws -> TrainSection {
        try ConfigDecoder().decode(TrainSection.self, from: config["train"]!, path: ["train"])
    }
}

/// A language-model stage killed after an epoch resumes where it stopped and ends with exactly the
/// weights an uninterrupted run has.
final class LanguageModelResumeTests: XCTestCase {
    /// A toy token stream drawn with `seed`.
    func stream(seed: UInt64) -> [Int32] {
        var rng = RandomGenerator(seed: seed)
        return (0..<600).map { _ in Int32(3 + rng.int(below: 9)) }
    }

    /// A small LM with dropout, the same initial weights each call.
    func model() -> LSTMLanguageModel {
        var r = RandomGenerator(seed: 1)
        return LSTMLanguageModel(LanguageModelConfig(vocabulary: 12, embedding: 4, hidden: 5, layers: 2, tied: true, embeddingDropout: 0.1, inputDropout: 0.2), rng: &r)
    }

    /// The stage's training of `m` on `stream` (Adam 0.01, batch 4, BPTT 10, clip 0.25, seed 7).
    func train(_ m: LSTMLanguageModel, _ stream: [Int32], epochs: Int, resume: URL?, checkpointInterval: TimeInterval = 600) throws
        -> (perplexity: Double, earlierSeconds: Double) {
        try LanguageModelStageTraining.train(m, stream: stream, heldout: Array(stream.prefix(100)),
                                             groups: [GroupConfig(name: "all", patterns: ["*"], optimizer: .adam(), learningRate: 0.01)],
                                             epochs: epochs, batch: 4, bptt: 10, clip: 0.25, seed: 7, resume: resume,
                                             checkpointInterval: checkpointInterval, observer: nil, label: "test")
    }

    func testResumedTrainingMatchesUninterruptedTraining() throws {
        let folder = try temporaryFolder("lm-resume", create: false)
        let stream = stream(seed: 4)
        func train(_ m: LSTMLanguageModel, epochs: Int, resume: URL?) throws -> (perplexity: Double, earlierSeconds: Double) {
            try self.train(m, stream, epochs: epochs, resume: resume)
        }
        let whole = model()
        let (wholePerplexity, none) = try train(whole, epochs: 3, resume: nil)
        XCTAssertEqual(none, 0)
        // An attempt that ends after 2 of the 3 epochs (as a killed one would), then a fresh process.
        let resume = folder.appendingPathComponent("resume")
        let first = model()
        _ = try train(first, epochs: 2, resume: resume)   // leaves the state after epoch 1 (none is written after a last epoch)
        XCTAssertTrue(FileManager.default.fileExists(atPath: resume.appendingPathComponent("history.json").path))
        let resumed = model()                              // a fresh process: new weights, state from disk
        let history = resume.appendingPathComponent("history.json")
        let saved = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: history)) as? [[String: Any]])
        let (resumedPerplexity, earlierSeconds) = try train(resumed, epochs: 3, resume: resume)
        // The stage's cost counts the epoch the earlier attempt did: its wall time, or for a state saved
        // before that was kept, its training time (tokens ÷ tokens per second).
        XCTAssertEqual(saved.count, 1)
        let epoch = try XCTUnwrap(saved.first)
        // (To the last bits? No: JSONSerialization and JSONDecoder may parse the same decimal one ulp apart.)
        XCTAssertEqual(earlierSeconds, try XCTUnwrap(epoch["seconds"] as? Double), accuracy: 1e-12)
        let trainingSeconds = Double(stream.count) / (try XCTUnwrap(epoch["tokensPerSecond"] as? Double))
        XCTAssertLessThan(trainingSeconds, earlierSeconds)
        var old = epoch
        old["seconds"] = nil
        try JSONSerialization.data(withJSONObject: [old]).write(to: history)
        XCTAssertEqual(try train(model(), epochs: 3, resume: resume).earlierSeconds, trainingSeconds, accuracy: 1e-9)
        for (a, b) in zip(whole.parameters, resumed.parameters) {
            XCTAssertEqual(Array(UnsafeBufferPointer(start: a.value.data, count: a.count)), Array(UnsafeBufferPointer(start: b.value.data, count: b.count)), a.name)
        }
        XCTAssertEqual(wholePerplexity, resumedPerplexity)
    }

    /// A state saved in the middle of an epoch (carried LSTM state, dropout stream and losses so far)
    /// resumes to exactly the weights of an uninterrupted run.
    func testTrainingResumedMidEpochMatchesUninterruptedTraining() throws {
        let folder = try temporaryFolder("lm-resume-mid", create: false)
        let stream = stream(seed: 5)
        func train(_ m: LSTMLanguageModel, epochs: Int, resume: URL?) throws -> Double {
            try self.train(m, stream, epochs: epochs, resume: resume, checkpointInterval: 0).perplexity
        }
        let whole = model()
        let wholePerplexity = try train(whole, epochs: 2, resume: nil)
        // Saving after every window (but an epoch's last), an attempt leaves the state one window before
        // the end of its last epoch: as a kill there would. A fresh process then trains that window only.
        let resume = folder.appendingPathComponent("resume")
        _ = try train(model(), epochs: 2, resume: resume)
        let partial = try JSONSerialization.jsonObject(with: Data(contentsOf: resume.appendingPathComponent("partial.json"))) as? [String: Any]
        XCTAssertEqual(partial?["epoch"] as? Int, 2)
        XCTAssertEqual(partial?["windows"] as? Int, BPTTBatches(stream: stream, batch: 4, bptt: 10).count - 1)
        let resumed = model()
        XCTAssertEqual(try train(resumed, epochs: 2, resume: resume), wholePerplexity)
        for (a, b) in zip(whole.parameters, resumed.parameters) {
            XCTAssertEqual(Array(UnsafeBufferPointer(start: a.value.data, count: a.count)), Array(UnsafeBufferPointer(start: b.value.data, count: b.count)), a.name)
        }
    }

    /// A domain LM on a labelled dataset (the tweet LM) pretrains on its training split only: the
    /// validation and test texts a downstream run scores are never among the pretraining texts.
    func testLabelledPretrainingCorpusUsesOnlyTheTrainingSplit() throws {
        let root = try temporaryFolder("tlab-lmcorpus", create: false)
        let examples = (0..<200).map { LabeledText(text: "tweet number \($0)", label: ["negative", "neutral", "positive"][$0 % 3]) }
        try installClassification("tweets-sentiment", examples: examples, in: root)
        let store = DataStore(root: root)
        let stage = try ConfigNode.parse(yaml: """
        language_model: {pretrain: {corpus: [tweets-sentiment]}}
        data: {split: {seed: 3, valid: 0.1, test: 0.2}}
        """, file: "stage.yaml")
        let texts = try pretrainingTexts(stage, store: store)
        // The downstream run's own split (same data.split, through the run's configuration).
        let run = try ConfigDecoder().decode(RunData.self, from: try ConfigNode.parse(yaml: """
        data: {datasets: [tweets-sentiment], split: {seed: 3, valid: 0.1, test: 0.2}}
        run: {seed: 1}
        """, file: "run.yaml"))
        let split = run.data.split(labels: examples.map(\.label), run: run.run)
        XCTAssertEqual(Set(texts), Set(split.train.map { examples[$0].text }))
        XCTAssertTrue(Set(texts).isDisjoint(with: (split.valid + split.test).map { examples[$0].text }))
        XCTAssertEqual(texts.count, 140)
        // Without data.split in the stage's inputs, or under k-fold CV, it refuses.
        let bare = try ConfigNode.parse(yaml: "language_model: {pretrain: {corpus: [tweets-sentiment]}}", file: "bare.yaml")
        XCTAssertThrowsError(try pretrainingTexts(bare, store: store)) {
            XCTAssertTrue("\($0)".contains("add data.split to the stage's inputs"), "\($0)")
        }
        let folds = try ConfigNode.parse(yaml: "language_model: {pretrain: {corpus: [tweets-sentiment]}}\ndata: {split: {seed: 3, folds: 10}}", file: "folds.yaml")
        XCTAssertThrowsError(try pretrainingTexts(folds, store: store)) {
            XCTAssertTrue("\($0)".contains("every text of 'tweets-sentiment' is test text in some fold"), "\($0)")
        }
    }

    func pretrainingTexts(_ stage: ConfigNode, store: DataStore) throws -> [String] {
        let config = try ConfigDecoder().decode(LMPretrainStage.Config.self, from: stage)
        return try LMPretrainStage.pretrainingTexts("tweets-sentiment", config, corpus: config.languageModel.pretrain!.corpus!, store: store)
    }
}
