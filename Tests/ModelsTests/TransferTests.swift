import Autodiff
import Foundation
import Models
import Numerics
import TestSupport
import Training
import XCTest

/// ULMFiT's and SiATL's classifiers, their schedules, and checkpoints.
final class TransferTests: XCTestCase {
    func tinyLanguageModel(seed: UInt64 = 1) -> LSTMLanguageModel {
        var rng = RandomGenerator(seed: seed)
        return LSTMLanguageModel(LanguageModelConfig(vocabulary: 12, embedding: 3, hidden: 4, layers: 2, tied: true), rng: &rng)
    }

    func testULMFiTClassifierGradients() {
        var rng = RandomGenerator(seed: 2)
        var config = ULMFiTClassifier.Config()
        config.headHidden = 3; config.dropout = 0
        let model = ULMFiTClassifier(languageModel: tinyLanguageModel(), config: config, classes: 2, rng: &rng)
        XCTAssertEqual(model.parameters.map(\.name).filter { $0.hasPrefix("head") }, ["head.hidden.weight", "head.hidden.bias", "head.output.weight", "head.output.bias"])
        XCTAssertEqual(model.hidden.weight.shape, [3, 9], "concat pooling: [h_T, max, mean] of the 3-wide top layer")
        let batch = TokenBatch(sequences: [[3, 4, 5, 6], [7, 8]], labels: [1, 0])
        gradientCheck(inputs: [], parameters: model.parameters, epsilon: 3e-3, excluding: { name, index in name == "embedding.weight" && index < 3 }) { tape, _ in
            tape.crossEntropy(model.logits(tape, batch), targets: batch.labels)
        }
    }

    /// With the paper's batch normalisation in the head: its parameters in the head's namespace, its running
    /// estimates as the model's buffers, and gradients through it under batch statistics (training).
    func testULMFiTClassifierWithBatchNormGradients() {
        var rng = RandomGenerator(seed: 2)
        var config = ULMFiTClassifier.Config()
        config.headHidden = 3; config.dropout = 0; config.batchNorm = true
        let model = ULMFiTClassifier(languageModel: tinyLanguageModel(), config: config, classes: 2, rng: &rng)
        XCTAssertEqual(model.parameters.map(\.name).filter { $0.hasPrefix("head") },
                       ["head.input_norm.weight", "head.input_norm.bias", "head.hidden.weight", "head.hidden.bias",
                        "head.hidden_norm.weight", "head.hidden_norm.bias", "head.output.weight", "head.output.bias"])
        XCTAssertEqual(model.buffers.map(\.name), ["head.input_norm.running_mean", "head.input_norm.running_var",
                                                   "head.hidden_norm.running_mean", "head.hidden_norm.running_var"])
        XCTAssertEqual(model.state.count, model.parameters.count + 4)
        var plain = config; plain.batchNorm = false
        var same = RandomGenerator(seed: 2)
        let without = ULMFiTClassifier(languageModel: tinyLanguageModel(), config: plain, classes: 2, rng: &same)
        XCTAssertTrue(without.hidden.weight.value.isIdentical(to: model.hidden.weight.value), "batch norm draws no random numbers")
        XCTAssertTrue(without.buffers.isEmpty)
        let batch = TokenBatch(sequences: [[3, 4, 5, 6], [7, 8], [9, 10, 11]], labels: [1, 0, 1])
        gradientCheck(inputs: [], parameters: model.parameters, epsilon: 3e-3, training: true,
                      excluding: { name, index in name == "embedding.weight" && index < 3 }) { tape, _ in
            tape.crossEntropy(model.logits(tape, batch), targets: batch.labels)
        }
    }

    /// A ULMFiT classifier with batch norm, trained, killed after an epoch and resumed, ends as an
    /// uninterrupted one bit for bit, its running estimates too: checkpoints and the best epoch's
    /// snapshot carry the buffers beside the parameters.
    func testTrainingWithBatchNormResumesToTheSameStateBuffersIncluded() throws {
        struct Killed: Error {}
        var data = RandomGenerator(seed: 9)
        func examples(_ n: Int) -> [EncodedExample] {
            (0..<n).map { _ in
                let label = Int32(data.int(below: 2))
                return EncodedExample(ids: (0..<(2 + data.int(below: 4))).map { _ in Int32(3 + data.int(below: 9)) } + [label == 1 ? 3 : 4], label: label)
            }
        }
        let train = examples(40), valid = examples(16)
        func trainer() throws -> (ClassifierTrainer, ULMFiTClassifier) {
            var rng = RandomGenerator(seed: 2)
            var config = ULMFiTClassifier.Config()
            config.headHidden = 4; config.batchNorm = true
            let model = ULMFiTClassifier(languageModel: tinyLanguageModel(), config: config, classes: 2, rng: &rng)
            let optimizer = try GroupedOptimizer(parameters: model.parameters, groups: [
                GroupConfig(name: "all", patterns: ["*"], optimizer: .adam(), learningRate: 0.01)])
            var training = ClassifierTrainingConfig()
            training.batchSize = 8; training.phases = [Phase(epochs: 4)]; training.seed = 3
            return (ClassifierTrainer(model: model, optimizer: optimizer, config: training, classes: 2), model)
        }
        let (reference, referenceModel) = try trainer()
        var buffersAfter: [Int: [[Float]]] = [:]
        let expected = try reference.fit(train: train, valid: valid) { buffersAfter[$0.epoch] = referenceModel.buffers.map(\.value.array) }
        XCTAssertFalse(referenceModel.buffers[0].value.array.allSatisfy { $0 == 0 }, "training moved the running means")
        XCTAssertLessThan(expected.bestEpoch, expected.epochs.count, "(the best epoch is not the last: its snapshot is what is checked)")
        XCTAssertEqual(referenceModel.buffers.map(\.value.array), buffersAfter[expected.bestEpoch], "the best epoch's estimates come back with its weights")
        let folder = try temporaryFolder("tlab-bn-resume", create: false)
        let (first, _) = try trainer()
        first.checkpointInterval = 0
        XCTAssertThrowsError(try first.fit(train: train, valid: valid, resume: folder) { if $0.epoch == 2 { throw Killed() } })
        let (second, model) = try trainer()
        let resumed = try second.fit(train: train, valid: valid, resume: folder) { _ in }
        XCTAssertEqual(resumed.epochs.map(\.valid), expected.epochs.map(\.valid))
        XCTAssertEqual(resumed.bestEpoch, expected.bestEpoch)
        for (a, b) in zip(model.state, referenceModel.state) { XCTAssertTrue(a.value.isIdentical(to: b.value), a.name) }
    }

    /// The task loss plus γ times the LM loss, through every parameter (the tied decoder included).
    func testSiATLClassifierGradientsWithAuxiliaryLoss() {
        var rng = RandomGenerator(seed: 3)
        var config = SiATLClassifier.Config()
        config.taskHidden = 3; config.dropout = 0
        let model = SiATLClassifier(languageModel: tinyLanguageModel(), config: config, classes: 3, rng: &rng)
        XCTAssertTrue(model.parameters.map(\.name).contains("decoder.bias"))
        XCTAssertTrue(model.parameters.map(\.name).contains("task.attention.query"))
        let batch = TokenBatch(sequences: [[3, 4, 5, 6], [7, 8, 9]], labels: [2, 0])
        gradientCheck(inputs: [], parameters: model.parameters, epsilon: 3e-3, excluding: { name, index in name == "embedding.weight" && index < 3 }) { tape, _ in
            let (logits, lm) = model.logitsAndAuxiliaryLoss(tape, batch)
            return tape.add(tape.crossEntropy(logits, targets: batch.labels), tape.scale(lm, by: 0.2))
        }
        // The auxiliary loss is the language model's own next-word loss on the valid positions.
        let tape = Tape(training: false)
        let aux = tape.value(model.logitsAndAuxiliaryLoss(tape, batch).auxiliary).scalar
        let lmTape = Tape(training: false)
        let inputs: [Int32] = [3, 7, 4, 8, 5, 9], targets: [Int32] = [4, 8, 5, 9, 6, -1]  // time-major, batch 2
        let direct = lmTape.value(model.languageModel.loss(lmTape, inputs: inputs, targets: targets.map { $0 < 0 ? 0 : $0 }, time: 3, batch: 2, state: nil).0).scalar
        let (hidden, _) = model.languageModel.encode(lmTape, inputs, time: 3, batch: 2, state: nil)
        let masked = lmTape.value(lmTape.linearCrossEntropy(lmTape.reshape(hidden, [6, 3]), weight: lmTape.parameter(model.languageModel.decoderWeight),
                                                            bias: lmTape.parameter(model.languageModel.decoderBias), targets: targets, ignoreIndex: -1)).scalar
        XCTAssertEqual(aux, masked, accuracy: 1e-5)
        XCTAssertNotEqual(aux, direct, "the padded position is ignored, not predicted")
    }

    /// Class scores without the auxiliary loss are the ones computed beside it, dropout draws included.
    func testSiATLLogitsAloneMatchLogitsBesideTheAuxiliaryLoss() {
        var rng = RandomGenerator(seed: 4)
        let model = SiATLClassifier(languageModel: tinyLanguageModel(), config: SiATLClassifier.Config(), classes: 3, rng: &rng)
        let batch = TokenBatch(sequences: [[3, 4, 5, 6], [7, 8, 9]], labels: [2, 0])
        for training in [false, true] {
            let alone = Tape(training: training, rng: RandomGenerator(seed: 9)), beside = Tape(training: training, rng: RandomGenerator(seed: 9))
            let a = alone.value(model.logits(alone, batch)), b = beside.value(model.logitsAndAuxiliaryLoss(beside, batch).logits)
            XCTAssertEqual(a.array, b.array, "training \(training)")
        }
    }

    func testSiATLWeightSchedule() {
        XCTAssertEqual(SiATLWeight.gamma(epoch: 1), Float(exp(-1.6)), accuracy: 1e-6)   // 0.2019
        XCTAssertEqual(SiATLWeight.gamma(epoch: 15), Float(exp(-2.3)), accuracy: 1e-6)  // 0.1003
        XCTAssertEqual(SiATLWeight.gamma(epoch: 8), Float(exp(-1.6 - 0.7 * 7 / 14)), accuracy: 1e-6)
        XCTAssertEqual(SiATLWeight.gamma(epoch: 20), SiATLWeight.gamma(epoch: 15), "constant after epoch 15")
        let schedule = SiATLWeight.schedule(epochs: 15)
        XCTAssertEqual(schedule.count, 15)
        XCTAssertTrue(zip(schedule, schedule.dropFirst()).allSatisfy { $0 > $1 })
        var config = ClassifierTrainingConfig()
        config.auxiliaryWeights = SiATLWeight.schedule(epochs: 3)
        XCTAssertEqual(config.auxiliaryWeight(epoch: 5), config.auxiliaryWeights[2])
    }

    func testUnfreezingSchedules() {
        let order = ["embedding", "encoder0", "encoder1", "head"]
        XCTAssertEqual(Unfreezing.gradual(order, epochs: 6), [
            Phase(epochs: 1, frozen: ["embedding", "encoder0", "encoder1"]), Phase(epochs: 1, frozen: ["embedding", "encoder0"]),
            Phase(epochs: 1, frozen: ["embedding"]), Phase(epochs: 3)])
        XCTAssertEqual(Unfreezing.gradual(order, epochs: 2).count, 2, "cut to the epochs there are")
        XCTAssertEqual(Unfreezing.chainThaw(order, epochs: 6), [
            Phase(epochs: 1, frozen: ["embedding", "encoder0", "encoder1"]), Phase(epochs: 1, frozen: ["encoder0", "encoder1", "head"]),
            Phase(epochs: 1, frozen: ["embedding", "encoder1", "head"]), Phase(epochs: 1, frozen: ["embedding", "encoder0", "head"]),
            Phase(epochs: 2)])
        XCTAssertEqual(Unfreezing.lastLayer(order, epochs: 4), [Phase(epochs: 4, frozen: ["embedding", "encoder0", "encoder1"])])
        XCTAssertEqual(Unfreezing.siatl(order, epochs: 15), [
            Phase(epochs: 1, frozen: ["embedding", "encoder0", "encoder1"]), Phase(epochs: 3, frozen: ["embedding"]), Phase(epochs: 11)])
        XCTAssertEqual(Unfreezing.siatl(order, epochs: 3), [Phase(epochs: 1, frozen: ["embedding", "encoder0", "encoder1"]), Phase(epochs: 2, frozen: ["embedding"])])
    }

    /// A language model grown to a larger vocabulary keeps every weight, starts each new word's rows at the mean of the
    /// old ones (embedding, untied decoder weight, decoder bias), and scores the old words' text as before.
    func testAnExtendedVocabularyKeepsTheModelAndStartsNewWordsAtTheMean() {
        for tied in [true, false] {
            var rng = RandomGenerator(seed: 3)
            let model = LSTMLanguageModel(LanguageModelConfig(vocabulary: 12, embedding: 3, hidden: 4, layers: 2, tied: tied), rng: &rng)
            var other = RandomGenerator(seed: 99)
            let grown = model.extended(to: 15, rng: &other)
            XCTAssertEqual(grown.config.vocabulary, 15)
            let old = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0) })
            for p in grown.parameters {
                let source = old[p.name]!
                let a = Array(UnsafeBufferPointer(start: source.value.data, count: source.count))
                let b = Array(UnsafeBufferPointer(start: p.value.data, count: p.count))
                XCTAssertEqual(Array(b.prefix(a.count)), a, "\(p.name): old rows kept")
                guard p.count != source.count else { continue }
                let width = source.count / 12
                for k in 0..<width {
                    let mean = (0..<12).map { a[$0 * width + k] }.reduce(0, +) / 12
                    for w in 12..<15 { XCTAssertEqual(b[w * width + k], mean, accuracy: 1e-6, "\(p.name)[\(w), \(k)] at the mean") }
                }
            }
            let text: [Int32] = (0..<3000).map { (i: Int) -> Int32 in Int32(2 + (i * 7 + i / 5) % 10) }
            let before = LanguageModelData.perplexity(model, stream: text), after = LanguageModelData.perplexity(grown, stream: text)
            XCTAssertGreaterThan(after, before, "the same text, over more words: each old word a little less likely")
            XCTAssertLessThan(after, before * 15 / 12 * 1.5, "but the model is the same one")
        }
    }

    /// A restarted schedule (a phase with its own rates) follows its formula over the phase's steps, counted from the
    /// restart; the settings a checkpoint keeps bring the restarted schedule and its origin back.
    func testRestartedSchedulesFollowTheirFormulasStepByStep() throws {
        var rng = RandomGenerator(seed: 5)
        let model = ULMFiTClassifier(languageModel: tinyLanguageModel(), config: ULMFiTClassifier.Config(), classes: 2, rng: &rng)
        let optimizer = try GroupedOptimizer(parameters: model.parameters, groups: [
            GroupConfig(name: "all", patterns: ["*"], optimizer: .sgd(momentum: 0), learningRate: 0.01, schedule: .slantedTriangular(totalSteps: 60))])
        func stlr(_ t: Int, total: Int) -> Float {  // Howard & Ruder 2018, eq. 3, cut_frac 0.1, ratio 32
            let cut = Float(max(Int(Float(total) * 0.1), 1)), t = Float(t)
            let p = t < cut ? t / cut : max(1 - (t - cut) / (cut * (1 / 0.1 - 1)), 0)
            return 0.01 * (1 + p * 31) / 32
        }
        for k in 0..<10 {
            XCTAssertEqual(optimizer.learningRate(of: "all")!, stlr(k, total: 60), accuracy: 1e-9, "step \(k) of the run's schedule")
            optimizer.zeroGrad(); optimizer.update()
        }
        optimizer.restartSchedules(totalSteps: 20)
        XCTAssertEqual(optimizer.scheduleOrigin, 10)
        for k in 0..<20 {
            XCTAssertEqual(optimizer.learningRate(of: "all")!, stlr(k, total: 20), accuracy: 1e-9, "step \(k) of the restarted schedule")
            if k == 7 {
                let copy = try GroupedOptimizer(parameters: model.parameters, groups: [
                    GroupConfig(name: "all", patterns: ["*"], optimizer: .sgd(momentum: 0), learningRate: 0.01, schedule: .slantedTriangular(totalSteps: 60))])
                copy.restore(Dictionary(uniqueKeysWithValues: optimizer.stateTensors.map { ($0.name, $0.value) }))
                copy.restore(optimizer.settings)
                XCTAssertEqual(copy.learningRate(of: "all"), optimizer.learningRate(of: "all"), "resumed mid-phase, the same rate")
            }
            optimizer.zeroGrad(); optimizer.update()
        }
    }

    /// With `restartsSchedule`, each gradual-unfreezing stage runs its own schedule: the last one starts at the step where
    /// everything became trainable and spans that stage's steps.
    func testEachUnfreezingStageRunsItsOwnSchedule() throws {
        var rng = RandomGenerator(seed: 5)
        let model = ULMFiTClassifier(languageModel: tinyLanguageModel(), config: ULMFiTClassifier.Config(), classes: 2, rng: &rng)
        let order = ["embedding", "encoder0", "encoder1", "head"]
        var groups = GroupConfig.discriminative(order.map { ($0, $0 == "encoder0" ? ["encoder.0.*"] : $0 == "encoder1" ? ["encoder.1.*"] : ["\($0).*"]) },
                                                topRate: 0.01, factor: 2.6)
        for i in groups.indices { groups[i].schedule = .slantedTriangular(totalSteps: 1000) }
        let optimizer = try GroupedOptimizer(parameters: model.parameters, groups: groups)
        var config = ClassifierTrainingConfig()
        config.batchSize = 4
        config.phases = Unfreezing.gradual(order, epochs: 7, epochsPerStage: 2).map {
            Phase(epochs: $0.epochs, frozen: $0.frozen, restartsSchedule: true)
        }
        XCTAssertEqual(config.phases.map(\.epochs), [2, 2, 2, 1])
        let examples: [EncodedExample] = (0..<12).map { (i: Int) -> EncodedExample in
            let ids: [Int32] = [Int32(3 + i % 5), Int32(4 + i % 3), 5]
            return EncodedExample(ids: ids, label: Int32(i % 2))
        }
        _ = try ClassifierTrainer(model: model, optimizer: optimizer, config: config, classes: 2).fit(train: examples, valid: examples)
        XCTAssertEqual(optimizer.step, 7 * 3)
        XCTAssertEqual(optimizer.scheduleOrigin, 6 * 3, "the last stage's schedule starts where it does")
        XCTAssertEqual(optimizer.group(named: "head")!.config.schedule, .slantedTriangular(totalSteps: 3), "over the last stage's 3 steps")
    }

    /// With `patienceFromPhase`, epochs of the frozen stages never stop a run: a run whose validation never improves
    /// trains through every stage and stops `patience` epochs after everything became trainable.
    func testPatienceCountsOnlyOnceEverythingTrains() throws {
        let order = ["embedding", "encoder0", "encoder1", "head"]
        func epochsTrained(from phase: Int) throws -> Int {
            var rng = RandomGenerator(seed: 5)
            let model = ULMFiTClassifier(languageModel: tinyLanguageModel(), config: ULMFiTClassifier.Config(), classes: 2, rng: &rng)
            let optimizer = try GroupedOptimizer(parameters: model.parameters, groups: [
                GroupConfig(name: "embedding", patterns: ["embedding.*"], learningRate: 0), GroupConfig(name: "encoder0", patterns: ["encoder.0.*"], learningRate: 0),
                GroupConfig(name: "encoder1", patterns: ["encoder.1.*"], learningRate: 0), GroupConfig(name: "head", patterns: ["head.*"], learningRate: 0)])
            var config = ClassifierTrainingConfig()
            config.batchSize = 4
            config.phases = Unfreezing.gradual(order, epochs: 8)
            config.patience = 1
            config.patienceFromPhase = phase
            let examples: [EncodedExample] = (0..<8).map { (i: Int) -> EncodedExample in
                let ids: [Int32] = [Int32(3 + i % 5), 5]
                return EncodedExample(ids: ids, label: Int32(i % 2))
            }
            return try ClassifierTrainer(model: model, optimizer: optimizer, config: config, classes: 2).fit(train: examples, valid: examples).epochs.count
        }
        XCTAssertEqual(try epochsTrained(from: 0), 2, "counted from the start: stopped during the frozen stages")
        XCTAssertEqual(try epochsTrained(from: 3), 4, "counted once all train: the three stages, then one epoch")
    }

    /// Gradual unfreezing in training: in the first epoch only the head moves; frozen groups stay
    /// bit-identical; once unfrozen, they move.
    func testFrozenGroupsDoNotMoveDuringTransfer() throws {
        var rng = RandomGenerator(seed: 5)
        let model = ULMFiTClassifier(languageModel: tinyLanguageModel(), config: ULMFiTClassifier.Config(), classes: 2, rng: &rng)
        let order = ["embedding", "encoder0", "encoder1", "head"]
        let groups = GroupConfig.discriminative(order.map { ($0, $0 == "encoder0" ? ["encoder.0.*"] : $0 == "encoder1" ? ["encoder.1.*"] : ["\($0).*"]) },
                                                topRate: 0.01, factor: 2.6)
        let expected: [Float] = [0.01 / pow(2.6, 3), 0.01 / pow(2.6, 2), 0.01 / 2.6, 0.01]
        for (group, rate) in zip(groups, expected) { XCTAssertEqual(group.learningRate, rate, accuracy: 1e-9) }
        let optimizer = try GroupedOptimizer(parameters: model.parameters, groups: groups)
        var config = ClassifierTrainingConfig()
        config.batchSize = 4
        config.phases = Unfreezing.gradual(order, epochs: 1)
        let examples: [EncodedExample] = (0..<12).map { (i: Int) -> EncodedExample in
            let ids: [Int32] = [Int32(3 + i % 5), Int32(4 + i % 3), 5]
            return EncodedExample(ids: ids, label: Int32(i % 2))
        }
        let before = model.parameters.map { Array(UnsafeBufferPointer(start: $0.value.data, count: $0.count)) }
        _ = try ClassifierTrainer(model: model, optimizer: optimizer, config: config, classes: 2).fit(train: examples, valid: examples)
        for (p, old) in zip(model.parameters, before) {
            let now = Array(UnsafeBufferPointer(start: p.value.data, count: p.count))
            if p.name.hasPrefix("head") { XCTAssertNotEqual(now, old, p.name) } else { XCTAssertEqual(now, old, "\(p.name) is frozen in epoch 1") }
        }
    }

    func testCheckpointRoundTripAndShapeErrors() throws {
        let folder = try temporaryFolder("ckpt", create: false)
        let source = tinyLanguageModel(seed: 1), target = tinyLanguageModel(seed: 2)
        XCTAssertNotEqual(Array(UnsafeBufferPointer(start: target.embedding.table.value.data, count: 6)),
                          Array(UnsafeBufferPointer(start: source.embedding.table.value.data, count: 6)))
        try Checkpoint.save(source.parameters, to: folder)
        let loaded = try Checkpoint.load(into: target.parameters, from: folder, required: Set(target.parameters.map(\.name)))
        XCTAssertEqual(loaded, source.parameters.map(\.name))
        for (a, b) in zip(source.parameters, target.parameters) {
            XCTAssertEqual(Array(UnsafeBufferPointer(start: a.value.data, count: a.count)), Array(UnsafeBufferPointer(start: b.value.data, count: b.count)))
        }
        var rng = RandomGenerator(seed: 3)
        let wider = LSTMLanguageModel(LanguageModelConfig(vocabulary: 12, embedding: 5, hidden: 4, layers: 2, tied: true), rng: &rng)
        XCTAssertThrowsError(try Checkpoint.load(into: wider.parameters, from: folder)) { error in
            XCTAssertTrue("\(error)".contains("'embedding.weight' has shape [12, 3], the model's is [12, 5]"), "\(error)")
        }
        XCTAssertThrowsError(try Checkpoint.load(into: target.parameters + [Parameter("extra", Tensor(zeros: [1]))], from: folder, required: ["extra"])) { error in
            XCTAssertTrue("\(error)".contains("no extra"), "\(error)")
        }
    }
}
