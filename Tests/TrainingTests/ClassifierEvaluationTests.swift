import Autodiff
import Models
import Numerics
import Training
import XCTest

/// Evaluation of a classifier that masks padding batches its examples by length; what it reports must not depend
/// on that: each prediction belongs to its own example, and the loss is the mean of the examples' own losses.
final class ClassifierEvaluationTests: XCTestCase {
    func testLengthOrderedEvaluationScoresEachExampleAsAlone() throws {
        let config = BertConfig(vocabularySize: 20, hidden: 8, layers: 2, heads: 2, intermediate: 12, maxPositions: 40, initializerRange: 0.5)
        var rng = RandomGenerator(seed: 5)
        let model = BertClassifier(encoder: BertEncoder(config, pooler: true, rng: &rng), head: SequenceClassificationHead(config, classes: 3, rng: &rng))
        XCTAssertTrue(model.masksPadding)
        // 450 examples of 3 to 37 tokens in no length order: three evaluation batches, each mixing original positions.
        var data = RandomGenerator(seed: 6)
        let examples = (0..<450).map { _ -> EncodedExample in
            let length = 3 + data.int(below: 35)
            return EncodedExample(ids: [2] + (0..<length - 2).map { _ in Int32(4 + data.int(below: 16)) } + [3],
                                  label: Int32(data.int(below: 3)))
        }
        let trainer = ClassifierTrainer(model: model, optimizer: try GroupedOptimizer(parameters: model.parameters,
                                                                                       groups: [GroupConfig(name: "all", patterns: ["*"], learningRate: 0)]),
                                        config: ClassifierTrainingConfig(), classes: 3)
        let metrics = trainer.evaluate(examples)

        var predictions: [Int32] = [], loss = 0.0
        for example in examples {
            let tape = Tape(training: false)
            let batch = TokenBatch(sequences: [example.ids], labels: [example.label])
            let logits = model.logits(tape, batch)
            loss += Double(tape.value(tape.crossEntropy(logits, targets: [example.label])).scalar)
            let scores = tape.value(logits)
            predictions.append((0..<3).max { scores.data[$0] < scores.data[$1] }.map(Int32.init)!)
        }
        let alone = ClassificationMetrics(predictions: predictions, gold: examples.map(\.label), classes: 3, loss: loss / 450)
        XCTAssertGreaterThan(Set(predictions).count, 1, "a model predicting one class could not tell examples apart")
        XCTAssertEqual(metrics.accuracy, alone.accuracy, accuracy: 1e-12)
        XCTAssertEqual(metrics.macroF1, alone.macroF1, accuracy: 1e-12)
        XCTAssertEqual(metrics.loss, alone.loss, accuracy: 1e-5)
    }
}
