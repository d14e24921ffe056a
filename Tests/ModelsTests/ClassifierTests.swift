import Autodiff
import Models
import Numerics
import TestSupport
import Training
import XCTest

final class ClassifierTests: XCTestCase {
    func table(_ vocabulary: Int, _ dim: Int, seed: UInt64 = 1) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        let t = randomTensor([vocabulary, dim], &rng, -0.5, 0.5)
        for k in 0..<dim { t[k] = 0 }  // padding row
        return t
    }

    func testTokenBatchPaddingLayout() {
        let b = TokenBatch(sequences: [[5, 6, 7], [8]], labels: [1, 0], edgePadding: 2, maxLength: 2)
        XCTAssertEqual(b.time, 6)
        XCTAssertEqual(b.lengths, [6, 5])
        XCTAssertEqual(b.ids, [0, 0, 5, 6, 0, 0, 0, 0, 8, 0, 0, 0])
        XCTAssertEqual(Array(b.timeMajorIDs.prefix(6)), [0, 0, 0, 0, 5, 8])
    }

    func testKimCNNMultichannelGradients() {
        var rng = RandomGenerator(seed: 2)
        var config = KimCNN.Config()
        config.windows = [1, 2]; config.maps = 2; config.dropout = 0; config.channels = .multichannel
        let model = KimCNN(config: config, table: table(6, 3), classes: 3, rng: &rng)
        XCTAssertEqual(model.parameters.map(\.name), ["embedding.weight", "embedding_static.weight", "conv.1.weight", "conv.1.bias",
                                                      "conv.2.weight", "conv.2.bias", "head.weight", "head.bias"])
        let batch = TokenBatch(sequences: [[1, 2, 3], [4, 5]], labels: [0, 2], edgePadding: model.edgePadding)
        // The padding row (id 0, the edge padding) is used but never learns, as PyTorch's padding_idx.
        gradientCheck(inputs: [], parameters: model.parameters, epsilon: 3e-3,
                      excluding: { name, index in name.hasPrefix("embedding") && index < 3 }) { tape, _ in
            tape.crossEntropy(model.logits(tape, batch), targets: batch.labels)
        }
    }

    func testBiLSTMClassifierGradients() {
        var rng = RandomGenerator(seed: 3)
        var config = BiLSTMClassifier.Config()
        config.hidden = 2; config.dropout = 0
        let model = BiLSTMClassifier(config: config, table: table(6, 3), classes: 2, rng: &rng)
        let batch = TokenBatch(sequences: [[1, 2, 3], [4, 5]], labels: [1, 0])
        gradientCheck(inputs: [], parameters: model.parameters, epsilon: 3e-3) { tape, _ in
            tape.crossEntropy(model.logits(tape, batch), targets: batch.labels)
        }
    }

    func testBiLSTMClassifierMultichannelGradients() {
        var rng = RandomGenerator(seed: 4)
        var config = BiLSTMClassifier.Config()
        config.hidden = 2; config.dropout = 0; config.channels = .multichannel
        let model = BiLSTMClassifier(config: config, table: table(6, 3), classes: 2, rng: &rng)
        XCTAssertEqual(model.parameters.prefix(3).map(\.name), ["embedding.weight", "embedding_static.weight", "encoder.forward.0.weightIH"])
        XCTAssertEqual(model.forward.parameters[0].value.shape, [8, 6], "the LSTM reads both channels: 4H × 2E")
        let batch = TokenBatch(sequences: [[1, 2, 3], [4, 5]], labels: [1, 0])
        gradientCheck(inputs: [], parameters: model.parameters, epsilon: 3e-3, excluding: { name, index in name.hasPrefix("embedding") && index < 3 }) { tape, _ in
            tape.crossEntropy(model.logits(tape, batch), targets: batch.labels)
        }
    }

    /// Sentences whose label is whether token 3 ("good") or 4 ("bad") occurs, among noise words.
    static func sentiment(_ n: Int, seed: UInt64) -> [EncodedExample] {
        var rng = RandomGenerator(seed: seed)
        return (0..<n).map { _ in
            let label = Int32(rng.int(below: 2))
            var ids = (0..<(3 + rng.int(below: 5))).map { _ in Int32(5 + rng.int(below: 15)) }
            ids.insert(label == 1 ? 3 : 4, at: rng.int(below: ids.count + 1))
            return EncodedExample(ids: ids, label: label)
        }
    }

    func makeTrainer(phases: [Phase], lr: Float = 0.01, patience: Int? = nil) throws -> (ClassifierTrainer, KimCNN) {
        var rng = RandomGenerator(seed: 4)
        var config = KimCNN.Config()
        config.windows = [2, 3]; config.maps = 8; config.dropout = 0.2
        let model = KimCNN(config: config, table: table(20, 8), classes: 2, rng: &rng)
        let optimizer = try GroupedOptimizer(parameters: model.parameters, groups: [
            GroupConfig(name: "embedding", patterns: ["embedding.*"], optimizer: .adam(), learningRate: lr),
            GroupConfig(name: "head", patterns: ["head.*"], optimizer: .adam(), learningRate: lr, maxRowNorm: 3),
            GroupConfig(name: "rest", patterns: ["*"], optimizer: .adam(), learningRate: lr)])
        var training = ClassifierTrainingConfig()
        training.batchSize = 16; training.phases = phases; training.seed = 5; training.patience = patience
        return (ClassifierTrainer(model: model, optimizer: optimizer, config: training, classes: 2), model)
    }

    func testDelayedFineTuningPhasesLearnAndFreezeExactly() throws {
        let (trainer, model) = try makeTrainer(phases: [Phase(epochs: 3, frozen: ["embedding"]),
                                                         Phase(epochs: 3, learningRates: ["embedding": 0.001], resetMoments: true)])
        let initial = model.embeddings.trained.table.value.copy()
        var afterPhase1: Tensor? = nil
        let result = try trainer.fit(train: Self.sentiment(300, seed: 6), valid: Self.sentiment(100, seed: 7)) { record in
            if record.epoch == 3 { afterPhase1 = model.embeddings.trained.table.value.copy() }
        }
        XCTAssertEqual(result.outcome, .finished)
        XCTAssertEqual(result.epochs.count, 6)
        XCTAssertTrue(afterPhase1!.isIdentical(to: initial), "the embedding is frozen through phase 1")
        XCTAssertEqual(result.events.map(\.kind), [.froze, .unfroze])
        XCTAssertEqual(result.events.last?.step, 3 * 19, "unfrozen after three epochs of ⌈300/16⌉ steps")
        XCTAssertEqual(trainer.optimizer.group(named: "embedding")?.config.learningRate, 0.001)
        XCTAssertGreaterThan(result.epochs.map(\.valid.accuracy).max()!, 0.9)
        // Max-norm on the softmax layer's rows holds after training.
        let head = model.head.weight.value
        for r in 0..<head.rows {
            let norm = (0..<head.columns).map { head[r * head.columns + $0] * head[r * head.columns + $0] }.reduce(0, +).squareRoot()
            XCTAssertLessThanOrEqual(norm, 3.0001)
        }
    }

    func testBestValidationEpochIsRestoredAndEarlyStoppingStops() throws {
        let (trainer, model) = try makeTrainer(phases: [Phase(epochs: 30)], patience: 2)
        let valid = Self.sentiment(100, seed: 9)
        let result = try trainer.fit(train: Self.sentiment(200, seed: 8), valid: valid)
        XCTAssertLessThan(result.epochs.count, 30, "stopped early")
        let best = result.epochs.max { $0.valid.accuracy < $1.valid.accuracy }!
        XCTAssertEqual(result.bestEpoch, best.epoch)
        XCTAssertEqual(result.epochs.last!.epoch - result.bestEpoch, 2)
        XCTAssertEqual(trainer.evaluate(valid).accuracy, best.valid.accuracy, accuracy: 1e-12, "best weights restored")
        _ = model
    }

    /// A run killed after any epoch (mid-phase, at a phase boundary, while early stopping counts)
    /// and resumed from its folder ends exactly as an uninterrupted one: records, events, best epoch
    /// and weights bit for bit.
    func testKilledTrainingResumesToTheSameResult() throws {
        struct Killed: Error {}
        let train = Self.sentiment(200, seed: 12), valid = Self.sentiment(60, seed: 13)
        let delayed = [Phase(epochs: 3, frozen: ["embedding"]), Phase(epochs: 4, learningRates: ["embedding": 0.001], resetMoments: true)]
        for (phases, patience, kills) in [(delayed, 3, [1, 3, 5]), ([Phase(epochs: 30)], 2, [2, 4])] {
            let (reference, referenceModel) = try makeTrainer(phases: phases, patience: patience)
            let expected = try reference.fit(train: train, valid: valid)
            for kill in kills where kill < expected.epochs.count {
                let folder = try temporaryFolder("tlab-resume", create: false)
                let (first, _) = try makeTrainer(phases: phases, patience: patience)
                first.checkpointInterval = 0
                XCTAssertThrowsError(try first.fit(train: train, valid: valid, resume: folder) { if $0.epoch == kill { throw Killed() } })
                let (second, model) = try makeTrainer(phases: phases, patience: patience)
                var seen: [Int] = []
                let resumed = try second.fit(train: train, valid: valid, resume: folder) { seen.append($0.epoch) }
                XCTAssertEqual(seen, Array(1...expected.epochs.count), "kill after \(kill): the epochs done are replayed")
                XCTAssertEqual(resumed.epochs.map(\.valid), expected.epochs.map(\.valid), "kill after \(kill)")
                XCTAssertEqual(resumed.epochs.map(\.trainLoss), expected.epochs.map(\.trainLoss), "kill after \(kill)")
                XCTAssertEqual(resumed.bestEpoch, expected.bestEpoch)
                XCTAssertEqual(resumed.events, expected.events)
                for (a, b) in zip(model.parameters, referenceModel.parameters) { XCTAssertTrue(a.value.isIdentical(to: b.value), "\(a.name), kill after \(kill)") }
            }
        }
        // State it cannot read (another layout, a torn file) is not resumed from: training starts over.
        let folder = try temporaryFolder("tlab-resume")
        try Data(#"{"epoch": 3, "bestEpoch": 2}"#.utf8).write(to: folder.appendingPathComponent("progress.json"))
        let (reference, _) = try makeTrainer(phases: [Phase(epochs: 3)])
        let (fresh, _) = try makeTrainer(phases: [Phase(epochs: 3)])
        XCTAssertEqual(try fresh.fit(train: train, valid: valid, resume: folder).epochs.map(\.valid),
                       try reference.fit(train: train, valid: valid).epochs.map(\.valid))
    }

    /// A state keeps in `best/` only the best weights the model no longer holds: none when its last epoch is its
    /// best, never a part frozen since (here the embedding, frozen for three epochs). A state of layout 1, which
    /// kept them all, still resumes to the same result.
    func testAStateKeepsOnlyTheBestWeightsTheModelNoLongerHolds() throws {
        struct Killed: Error {}
        struct Saved: Decodable { struct Best: Decodable { var epoch: Int }; var epoch: Int; var best: Best?; var layout: Int }
        let train = Self.sentiment(200, seed: 12), valid = Self.sentiment(60, seed: 13)
        let phases = [Phase(epochs: 3, frozen: ["embedding"]), Phase(epochs: 5, learningRates: ["embedding": 0.001], resetMoments: true)]
        let (reference, referenceModel) = try makeTrainer(phases: phases)
        let expected = try reference.fit(train: train, valid: valid)
        var seen: Set<String> = []
        for kill in 1..<expected.epochs.count {
            let folder = try temporaryFolder("tlab-resume", create: false)
            let (first, model) = try makeTrainer(phases: phases)
            first.checkpointInterval = 0
            XCTAssertThrowsError(try first.fit(train: train, valid: valid, resume: folder) { if $0.epoch == kill { throw Killed() } })
            let saved = try JSONDecoder().decode(Saved.self, from: Data(contentsOf: folder.appendingPathComponent("progress.json")))
            let best = folder.appendingPathComponent("best"), current = folder.appendingPathComponent("model")
            let kept = try JSONDecoder().decode([Checkpoint.Entry].self, from: Data(contentsOf: best.appendingPathComponent("parameters.json"))).map(\.name)
            XCTAssertEqual(saved.layout, 2)
            XCTAssertEqual(saved.epoch, kill)
            if saved.best?.epoch == kill {
                XCTAssertEqual(kept, [], "kill after \(kill): the best weights are the model's")
                seen.insert("last is best")
                if !seen.contains("layout 1") {  // layout 1 (every best weight kept) from this state: the model's weights are the best
                    try FileManager.default.removeItem(at: best)
                    try FileManager.default.copyItem(at: current, to: best)
                    let progress = folder.appendingPathComponent("progress.json")
                    let text = try String(contentsOf: progress, encoding: .utf8)
                    try text.replacingOccurrences(of: #""layout":2"#, with: #""layout":1"#).write(to: progress, atomically: true, encoding: .utf8)
                    XCTAssertEqual(try JSONDecoder().decode(Saved.self, from: Data(contentsOf: progress)).layout, 1)
                    seen.insert("layout 1")
                }
            } else {
                XCTAssertFalse(kept.isEmpty, "kill after \(kill): best epoch \(saved.best?.epoch ?? 0)")
                XCTAssertTrue(Set(kept).isSubset(of: model.state.map(\.name)))
                if kill <= 3 { XCTAssertFalse(kept.contains { $0.hasPrefix("embedding") }, "frozen, so the same in both") }
                seen.insert("an earlier best")
            }
            let (second, resumedModel) = try makeTrainer(phases: phases)
            let resumed = try second.fit(train: train, valid: valid, resume: folder)
            XCTAssertEqual(resumed.epochs.map(\.valid), expected.epochs.map(\.valid), "kill after \(kill)")
            XCTAssertEqual(resumed.bestEpoch, expected.bestEpoch)
            for (a, b) in zip(resumedModel.parameters, referenceModel.parameters) { XCTAssertTrue(a.value.isIdentical(to: b.value), "\(a.name), kill after \(kill)") }
        }
        XCTAssertEqual(seen, ["last is best", "an earlier best", "layout 1"], "every kind of state was met")
    }

    /// A resumed run's cost includes what its earlier attempts spent up to the state it resumed from
    /// (else a run resumed after hours reports only its last attempt's minutes); a state saved before
    /// that count was kept stands for the sum of its epochs' seconds.
    func testResumedTrainingCountsTheEarlierAttemptsTime() throws {
        struct Killed: Error {}
        let train = Self.sentiment(100, seed: 12), valid = Self.sentiment(30, seed: 13)
        let folder = try temporaryFolder("tlab-resume", create: false)
        let (fresh, _) = try makeTrainer(phases: [Phase(epochs: 4)])
        XCTAssertEqual(try fresh.fit(train: train, valid: valid, resume: folder).earlierSeconds, 0, "nothing to resume from")

        let (first, _) = try makeTrainer(phases: [Phase(epochs: 4)])
        first.checkpointInterval = 0
        XCTAssertThrowsError(try first.fit(train: train, valid: valid, resume: folder) { record in
            if record.epoch == 1 { Thread.sleep(forTimeInterval: 0.3) }  // time between epochs counts too
            if record.epoch == 2 { throw Killed() }
        })
        let progressFile = folder.appendingPathComponent("progress.json")
        let saved = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: progressFile)) as? [String: Any])
        let elapsed = try XCTUnwrap(saved["elapsed"] as? Double)
        let records = try XCTUnwrap(saved["records"] as? [[String: Any]])
        let epochSeconds = records.compactMap { $0["seconds"] as? Double }.reduce(0, +)
        XCTAssertEqual(records.count, 2)
        XCTAssertGreaterThanOrEqual(elapsed, 0.3 + epochSeconds)
        let (second, _) = try makeTrainer(phases: [Phase(epochs: 4)])
        second.checkpointInterval = .infinity
        // (to a last-digit tolerance: Foundation's JSONSerialization, which read `elapsed` here, and the JSONDecoder
        // the trainer reads it with may round the same decimal text to neighbouring doubles)
        XCTAssertEqual(try second.fit(train: train, valid: valid, resume: folder).earlierSeconds, elapsed, accuracy: 1e-12)

        // A state without the count (saved by an older build): its epochs' seconds.
        let text = try String(contentsOf: progressFile, encoding: .utf8)
        let withoutCount = text.replacingOccurrences(of: #""elapsed":[^,}]*,?"#, with: "", options: .regularExpression)
        XCTAssertNotEqual(withoutCount, text)
        try withoutCount.write(to: progressFile, atomically: true, encoding: .utf8)
        let (third, _) = try makeTrainer(phases: [Phase(epochs: 4)])
        XCTAssertEqual(try third.fit(train: train, valid: valid, resume: folder).earlierSeconds, epochSeconds, accuracy: 1e-9)
    }

    /// A state saved by a build of other numerics (`NumericsVersion`) is not resumed from: the run
    /// starts over rather than mixing two arithmetics. A state from before states were marked is version 1.
    func testStateOfOtherNumericsIsNotResumedFrom() throws {
        struct Killed: Error {}
        let train = Self.sentiment(100, seed: 12), valid = Self.sentiment(30, seed: 13)
        let folder = try temporaryFolder("tlab-resume", create: false)
        XCTAssertNil(ResumeState.numerics(of: folder))
        let (first, _) = try makeTrainer(phases: [Phase(epochs: 4)])
        first.checkpointInterval = 0
        XCTAssertThrowsError(try first.fit(train: train, valid: valid, resume: folder) { if $0.epoch == 2 { throw Killed() } })
        XCTAssertEqual(ResumeState.numerics(of: folder), NumericsVersion.current)
        XCTAssertTrue(ResumeState.isResumable(folder))
        func resumedFrom() throws -> Double {
            let (trainer, _) = try makeTrainer(phases: [Phase(epochs: 4)])
            trainer.checkpointInterval = .infinity
            return try trainer.fit(train: train, valid: valid, resume: folder).earlierSeconds
        }
        XCTAssertGreaterThan(try resumedFrom(), 0, "resumed")
        try FileManager.default.removeItem(at: folder.appendingPathComponent("numerics"))
        XCTAssertEqual(ResumeState.numerics(of: folder), 1)
        XCTAssertFalse(ResumeState.isResumable(folder))
        XCTAssertEqual(try resumedFrom(), 0, "started over")
    }

    func testDivergenceIsAnOutcome() throws {
        let (trainer, _) = try makeTrainer(phases: [Phase(epochs: 3)], lr: 1e30)
        let result = try trainer.fit(train: Self.sentiment(100, seed: 10), valid: Self.sentiment(20, seed: 11))
        guard case .diverged = result.outcome else { return XCTFail("expected divergence, got \(result.outcome)") }
    }

    func testMetrics() {
        let m = ClassificationMetrics(predictions: [0, 0, 1, 2], gold: [0, 1, 1, 2], classes: 3, loss: 0.5)
        XCTAssertEqual(m.accuracy, 0.75)
        // F1: class 0 = 2/3, class 1 = 2/3, class 2 = 1.
        XCTAssertEqual(m.macroF1, (2.0 / 3 + 2.0 / 3 + 1) / 3, accuracy: 1e-12)
    }
}
