import Autodiff
import Models
import Numerics
@testable import Training
import XCTest

/// Token classification through `ClassifierTrainer`: targets laid out as the batch lays out ids, predictions read at
/// each word's first sub-token and scored per entity, class weights reaching the loss, and a BiLSTM tagger that learns.
final class TokenClassificationTests: XCTestCase {
    let labels = ["B-PER", "I-PER", "B-LOC", "O"]

    /// Logits that put all the mass on `guess[id]` for each token id: a model whose predictions are known.
    struct Oracle: TextClassifier {
        let guess: [Int32: Int32]
        let classes: Int
        var parameters: [Parameter] { [] }
        var edgePadding: Int { 0 }
        func logits(_ tape: Tape, _ batch: TokenBatch) -> Variable {
            let out = Tensor(zeros: [batch.batch * batch.time, classes])
            for (row, id) in batch.ids.enumerated() { out.data[row * classes + Int(guess[id] ?? 3)] = 10 }
            return tape.input(out)
        }
    }

    /// Two sentences in WordPiece layout ([CLS] w0 w0' w1 [SEP]): predictions at the first sub-tokens become the words'
    /// tags, the second sub-token's guess is never read, and the entity scores are seqeval's on those words.
    func testPredictionsAreReadAtEachWordsFirstSubToken() throws {
        let task = TokenClassificationTask(labeler: TokenLabeler(labels: labels), classWeights: nil)
        let wordIds: [Int?] = [nil, 0, 0, 1, nil]
        // Sentence 1: "Ann Lee" = B-PER I-PER; sentence 2: "in Rome" = O B-LOC, predicted O O (a missed entity).
        let first = EncodedExample(ids: [1, 10, 11, 12, 2], tagging: TaggedTokens(targets: [-100, 0, -100, 1, -100], wordIds: wordIds, gold: [0, 1]))
        let second = EncodedExample(ids: [1, 20, 21, 22, 2], tagging: TaggedTokens(targets: [-100, 3, -100, 2, -100], wordIds: wordIds, gold: [3, 2]))
        // Token 11 (the second piece of "Ann") is guessed B-LOC: never read. Token 22 ("Rome") is guessed O.
        let model = Oracle(guess: [10: 0, 11: 2, 12: 1, 20: 3, 21: 0, 22: 3], classes: 4)
        let trainer = ClassifierTrainer(model: model, optimizer: try GroupedOptimizer(parameters: [Parameter("p", Tensor(zeros: [1]))],
                                                                                       groups: [GroupConfig(name: "all", patterns: ["*"], learningRate: 0.1)]),
                                        config: ClassifierTrainingConfig(), classes: 4)
        trainer.tokenTask = task
        let batch = trainer.makeBatch([first, second])
        XCTAssertEqual(batch.tokenTargets, [-100, 0, -100, 1, -100, -100, 3, -100, 2, -100])
        let metrics = trainer.evaluate([first, second])
        XCTAssertEqual(metrics.accuracy, 0.75, "3 of 4 words right")
        let scores = try XCTUnwrap(metrics.scores)
        XCTAssertEqual(scores["entity_precision"], 1)
        XCTAssertEqual(scores["entity_recall"], 0.5)
        XCTAssertEqual(scores["entity_f1"]!, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(scores["f1_PER"], 1)
        XCTAssertEqual(scores["f1_LOC"], 0)
        XCTAssertEqual(scores["all_o_accuracy"], 0.25)
    }

    /// The class weights reach the loss: an O-heavy batch's loss is the weighted mean cross-entropy over labelled tokens.
    func testClassWeightsWeightTheLoss() {
        let task = TokenClassificationTask(labeler: TokenLabeler(labels: labels), classWeights: [2, 2, 2, 0.5])
        let tape = Tape(training: false)
        let logits = tape.input(Tensor(shape: [3, 4], values: [1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]))
        var batch = TokenBatch(sequences: [[1, 2, 3]], labels: [0])
        batch.tokenTargets = [0, 3, -100]
        let loss = tape.value(task.loss(tape, logits, batch)).scalar
        let ce = { (z: [Double], y: Int) in log(z.map(exp).reduce(0, +)) - z[y] }
        let expected = (2 * ce([1, 0, 0, 0], 0) + 0.5 * ce([0, 0, 0, 1], 3)) / 2.5
        XCTAssertEqual(Double(loss), expected, accuracy: 1e-5)
    }

    /// A focal loss replaces the cross-entropy: each labelled token's term scaled by (1 − p_y)^γ, weighted alike.
    func testAFocalLossReplacesTheCrossEntropy() {
        let task = TokenClassificationTask(labeler: TokenLabeler(labels: labels), classWeights: [2, 2, 2, 0.5], focalGamma: 2)
        let tape = Tape(training: false)
        let logits = tape.input(Tensor(shape: [3, 4], values: [1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]))
        var batch = TokenBatch(sequences: [[1, 2, 3]], labels: [0])
        batch.tokenTargets = [0, 3, -100]
        let loss = tape.value(task.loss(tape, logits, batch)).scalar
        let p = exp(1.0) / (exp(1.0) + 3)  // both labelled tokens put their largest score on their target
        let expected = (2 * pow(1 - p, 2) * -log(p) + 0.5 * pow(1 - p, 2) * -log(p)) / 2.5
        XCTAssertEqual(Double(loss), expected, accuracy: 1e-6)
    }

    /// A weighted validation loss is the whole set's weighted mean, Σ w[y]·CE / Σ w[y], however the set is cut into batches.
    func testAWeightedLossOverSeveralBatchesIsTheWholeSetsWeightedMean() throws {
        let task = TokenClassificationTask(labeler: TokenLabeler(labels: labels), classWeights: [2, 2, 2, 0.5])
        let wordIds: [Int?] = [nil, 0, 0, 1, nil]
        let first = EncodedExample(ids: [1, 10, 11, 12, 2], tagging: TaggedTokens(targets: [-100, 0, -100, 1, -100], wordIds: wordIds, gold: [0, 1]))
        let second = EncodedExample(ids: [1, 20, 21, 22, 2], tagging: TaggedTokens(targets: [-100, 3, -100, 2, -100], wordIds: wordIds, gold: [3, 2]))
        // Right on both of the first sentence's words and on "in"; "Rome" (B-LOC, weight 2) guessed O.
        let model = Oracle(guess: [10: 0, 12: 1, 20: 3, 22: 3], classes: 4)
        let trainer = ClassifierTrainer(model: model, optimizer: try GroupedOptimizer(parameters: [Parameter("p", Tensor(zeros: [1]))],
                                                                                       groups: [GroupConfig(name: "all", patterns: ["*"], learningRate: 0.1)]),
                                        config: ClassifierTrainingConfig(), classes: 4)
        trainer.tokenTask = task
        func loss(batchSize: Int) -> Double {
            task.evaluate([first, second], batchSize: batchSize, edgePadding: 0) { tape, members in
                let batch = trainer.makeBatch(members)
                return (model.logits(tape, batch), batch)
            }.loss
        }
        let right = log(exp(10.0) + 3) - 10, wrong = log(exp(10.0) + 3)
        let expected = (2 * right + 2 * right + 0.5 * right + 2 * wrong) / 6.5
        XCTAssertEqual(loss(batchSize: 2), expected, accuracy: 1e-5)
        XCTAssertEqual(loss(batchSize: 1), expected, accuracy: 1e-5, "one sentence a batch: the same mean, not each batch's mean by its token count")
    }

    /// A BiLSTM tagger learns a rule that needs context (a capitalised-word stand-in followed by a title word is a
    /// person, B then I; alone it is a location) to entity F1 above 0.9 on held-out sentences.
    func testABiLSTMTaggerLearnsEntities() throws { try taggerLearnsEntities(crf: false) }

    /// So does a BiLSTM-CRF, its CRF's scores trained with the rest.
    func testABiLSTMCRFTaggerLearnsEntities() throws { try taggerLearnsEntities(crf: true) }

    /// With a CRF, a sentence's words are tagged by its Viterbi path over the first sub-tokens, not token by token: a
    /// transition O → I-PER scored −100 turns the per-token guess "O I-PER" into "O B-PER".
    func testACRFTagsTheSentenceByItsBestPath() throws {
        var rng = RandomGenerator(seed: 1)
        let crf = CRFLayer(tags: 4, rng: &rng)
        for p in crf.parameters { for i in 0..<p.value.count { p.value.data[i] = 0 } }
        crf.transitions.value.data[3 * 4 + 1] = -100
        crf.transitions.value.data[3 * 4 + 0] = 1
        // "in Ann" in WordPiece layout ([CLS] w0 w0' w1 [SEP]), gold O B-PER; the second piece of "in" guessed B-LOC, unread.
        let example = EncodedExample(ids: [1, 10, 11, 12, 2], tagging: TaggedTokens(targets: [-100, 3, -100, 0, -100], wordIds: [nil, 0, 0, 1, nil], gold: [3, 0]))
        let model = Oracle(guess: [10: 3, 11: 2, 12: 1], classes: 4)
        func accuracy(_ crf: CRFLayer?) throws -> Double {
            let task = TokenClassificationTask(labeler: TokenLabeler(labels: labels), classWeights: nil, crf: crf)
            let trainer = ClassifierTrainer(model: model, optimizer: try GroupedOptimizer(parameters: [Parameter("p", Tensor(zeros: [1]))],
                                                                                           groups: [GroupConfig(name: "all", patterns: ["*"], learningRate: 0.1)]),
                                            config: ClassifierTrainingConfig(), classes: 4)
            trainer.tokenTask = task
            return trainer.evaluate([example]).accuracy
        }
        XCTAssertEqual(try accuracy(nil), 0.5, "token by token: O, I-PER")
        XCTAssertEqual(try accuracy(crf), 1, "the best path: O, B-PER")
    }

    func taggerLearnsEntities(crf: Bool) throws {
        var rng = RandomGenerator(seed: 7)
        // ids: 2...6 ordinary words (O), 7...9 names, 10 a title word that makes the preceding name a person.
        func sentence() -> EncodedExample {
            var ids: [Int32] = [], gold: [Int32] = []
            for _ in 0..<6 {
                let r = rng.int(below: 6)
                if r == 0 { ids += [Int32(7 + rng.int(below: 3)), 10]; gold += [0, 1] }
                else if r == 1 { ids.append(Int32(7 + rng.int(below: 3))); gold.append(2) }
                else { ids.append(Int32(2 + rng.int(below: 5))); gold.append(3) }
            }
            return EncodedExample(ids: ids, tagging: TaggedTokens(targets: gold, wordIds: gold.indices.map { $0 }, gold: gold))
        }
        let train = (0..<160).map { _ in sentence() }, valid = (0..<40).map { _ in sentence() }
        let table = Tensor(zeros: [11, 8])
        rng.fillUniform(table, -0.5, 0.5)
        var modelRng = RandomGenerator(seed: 3)
        let model = BiLSTMTagger(table: table, hidden: 16, dropout: 0, classes: 4, crf: crf, rng: &modelRng)
        let initial = model.crf?.transitions.value.array
        var config = ClassifierTrainingConfig()
        config.batchSize = 16
        config.phases = [Phase(epochs: 15)]
        config.selectBy = .entityF1
        let trainer = ClassifierTrainer(model: model, optimizer: try GroupedOptimizer(parameters: model.parameters,
                                                                                       groups: [GroupConfig(name: "all", patterns: ["*"], learningRate: 0.01)]),
                                        config: config, classes: 4)
        trainer.tokenTask = TokenClassificationTask(labeler: TokenLabeler(labels: labels), classWeights: nil, crf: model.crf)
        let fit = try trainer.fit(train: train, valid: valid)
        if crf { XCTAssertNotEqual(model.crf!.transitions.value.array, initial, "the CRF's scores train") }
        let best = try XCTUnwrap(fit.epochs.first { $0.epoch == fit.bestEpoch })
        XCTAssertGreaterThan(best.valid.scores?["entity_f1"] ?? 0, 0.9, "\(fit.epochs.map { $0.valid.scores?["entity_f1"] ?? -1 })")
        XCTAssertEqual(best.valid.scores?["entity_f1"], fit.epochs.compactMap { $0.valid.scores?["entity_f1"] }.max(), "the best epoch is chosen on entity F1")
    }
}
