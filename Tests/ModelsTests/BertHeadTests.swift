import Autodiff
import Models
import Numerics
import TestSupport
import XCTest

/// Each task head on a tiny encoder against Hugging Face's `BertFor…` models with the same weights
/// (`Tests/References/make_bert_head_fixtures.py`): loss and the gradient of every weight, the tied MLM decoder's
/// two paths into the word embeddings included; and each head's backward against finite differences.
final class BertHeadTests: XCTestCase {
    let config = BertConfig(vocabularySize: 11, hidden: 8, layers: 2, heads: 2, intermediate: 12, maxPositions: 6,
                            typeVocabularySize: 2, layerNormEpsilon: 1e-12, initializerRange: 0.3)
    var fixture: Fixture!
    var batch: BertBatch!

    override func setUpWithError() throws {
        fixture = try Fixture("bert_heads")
        batch = BertBatch(ids: fixture.ints("ids").map(Int32.init), typeIds: fixture.ints("types").map(Int32.init), lengths: fixture.ints("lengths"), time: 5)
    }

    /// The reference model's weights (its `bert.` prefix dropped) loaded into an encoder and `head`. Token
    /// classification and span extraction have no pooler (`add_pooling_layer=False`), as Hugging Face builds them.
    func load(_ key: String, head: ParameterContainer, pooler: Bool = true) throws -> (BertEncoder, [String: [Double]?]) {
        let entry = try XCTUnwrap(fixture[key] as? [String: Any])
        var tensors: [String: Tensor] = [:]
        for (name, w) in entry["weights"] as! [String: [String: Any]] {
            let n = name.hasPrefix("bert.") ? String(name.dropFirst(5)) : name
            tensors[n] = Tensor(shape: w["shape"] as! [Int], values: (w["data"] as! [Double]).map(Float.init))
        }
        var rng = RandomGenerator(seed: 1)
        let encoder = BertEncoder(config, pooler: pooler, rng: &rng)
        let (missingEncoder, _) = try encoder.load(tensors)
        let (missingHead, _) = try head.load(tensors)
        XCTAssertEqual(missingEncoder + missingHead, [], "every parameter named as Hugging Face names it")
        var gradients: [String: [Double]?] = [:]
        for (name, g) in entry["gradients"] as! [String: Any] { gradients[name.hasPrefix("bert.") ? String(name.dropFirst(5)) : name] = g as? [Double] }
        return (encoder, gradients)
    }

    func assertGradients(_ parameters: [Parameter], _ expected: [String: [Double]?], file: StaticString = #filePath, line: UInt = #line) {
        for p in parameters {
            guard let reference = expected[p.name] ?? nil else { XCTFail("no reference gradient for \(p.name)", file: file, line: line); continue }
            let scale = Float(reference.map(abs).max() ?? 0)
            for (i, value) in reference.enumerated() {
                XCTAssertEqual(p.grad.data[i], Float(value), accuracy: 1e-4 * max(scale, 1e-3), "\(p.name)[\(i)]", file: file, line: line)
            }
        }
    }

    func testMaskedLanguageModelAndNextSentenceHeadsMatchBertForPreTraining() throws {
        var rng = RandomGenerator(seed: 2)
        let mlm = MaskedLanguageModelHead(config, rng: &rng), nsp = NextSentenceHead(config, rng: &rng)
        struct Both: ParameterContainer { let a: MaskedLanguageModelHead, b: NextSentenceHead; var parameters: [Parameter] { a.parameters + b.parameters } }
        let (encoder, gradients) = try load("pretraining", head: Both(a: mlm, b: nsp))
        let labels = fixture.ints("mlm_labels")
        let positions = labels.indices.filter { labels[$0] != -100 }
        let tape = Tape(training: false)
        let output = encoder(tape, batch)
        let mlmLoss = mlm.loss(tape, output, encoder: encoder, positions: positions, targets: positions.map { Int32(labels[$0]) })
        let nspLoss = tape.crossEntropy(nsp(tape, output), targets: fixture.ints("nsp_labels").map(Int32.init))
        let entry = fixture["pretraining"] as! [String: Any]
        XCTAssertEqual(Double(tape.value(mlmLoss).scalar), entry["mlm_loss"] as! Double, accuracy: 1e-5)
        XCTAssertEqual(Double(tape.value(nspLoss).scalar), entry["nsp_loss"] as! Double, accuracy: 1e-5)
        tape.backward(tape.add(mlmLoss, nspLoss))
        assertGradients(encoder.parameters + mlm.parameters + nsp.parameters, gradients)
    }

    func testSequenceClassificationHeadMatchesBertForSequenceClassification() throws {
        var rng = RandomGenerator(seed: 3)
        let head = SequenceClassificationHead(config, classes: 3, rng: &rng)
        let (encoder, gradients) = try load("sequence", head: head)
        let tape = Tape(training: false)
        let loss = tape.crossEntropy(head(tape, encoder(tape, batch)), targets: fixture.ints("sequence_labels").map(Int32.init))
        XCTAssertEqual(Double(tape.value(loss).scalar), (fixture["sequence"] as! [String: Any])["loss"] as! Double, accuracy: 1e-5)
        tape.backward(loss)
        assertGradients(encoder.parameters + head.parameters, gradients)
    }

    func testTokenClassificationHeadMatchesBertForTokenClassification() throws {
        var rng = RandomGenerator(seed: 4)
        let head = TokenClassificationHead(config, classes: 4, rng: &rng)
        let (encoder, gradients) = try load("token", head: head, pooler: false)
        let tape = Tape(training: false)
        let loss = tape.crossEntropy(head(tape, encoder(tape, batch)), targets: fixture.ints("token_labels").map(Int32.init), ignoreIndex: -100)
        XCTAssertEqual(Double(tape.value(loss).scalar), (fixture["token"] as! [String: Any])["loss"] as! Double, accuracy: 1e-5)
        tape.backward(loss)
        assertGradients(encoder.parameters + head.parameters, gradients)
    }

    func testSpanHeadMatchesBertForQuestionAnswering() throws {
        var rng = RandomGenerator(seed: 5)
        let head = SpanHead(config, rng: &rng)
        let (encoder, gradients) = try load("span", head: head, pooler: false)
        let tape = Tape(training: false)
        let loss = head.loss(tape, encoder(tape, batch), starts: fixture.ints("starts").map(Int32.init), ends: fixture.ints("ends").map(Int32.init))
        XCTAssertEqual(Double(tape.value(loss).scalar), (fixture["span"] as! [String: Any])["loss"] as! Double, accuracy: 1e-5)
        tape.backward(loss)
        assertGradients(encoder.parameters + head.parameters, gradients)
    }

    /// Each head's backward in training (dropout on) against finite differences, with the encoder's top layer.
    func testHeadGradientsAgainstFiniteDifferences() {
        var rng = RandomGenerator(seed: 6)
        let encoder = BertEncoder(config, pooler: true, rng: &rng)
        let top = encoder.parameters.filter { $0.name.hasPrefix("encoder.layer.1.") }
        let sequence = SequenceClassificationHead(config, classes: 3, pooling: .mean, rng: &rng)
        gradientCheck(inputs: [], parameters: sequence.parameters + top, maxEntries: 10, training: true) { t, _ in
            sequence(t, encoder(t, batch))
        }
        let mlm = MaskedLanguageModelHead(config, rng: &rng)
        gradientCheck(inputs: [], parameters: mlm.parameters + [encoder.wordEmbeddings.table], maxEntries: 12, training: true,
                      excluding: { name, index in name == "embeddings.word_embeddings.weight" && index < 8 }) { t, _ in
            mlm.loss(t, encoder(t, batch), encoder: encoder, positions: [1, 4, 6], targets: [6, 1, 8])
        }
        let span = SpanHead(config, rng: &rng)
        gradientCheck(inputs: [], parameters: span.parameters + top, maxEntries: 10, training: true) { t, _ in
            let (s, e) = span(t, encoder(t, batch))
            return t.concatenate([s, e])
        }
    }

    func testGatherRows() {
        var rng = RandomGenerator(seed: 7)
        gradientCheck(inputs: [randomTensor([2, 3, 4], &rng)]) { t, v in t.gatherRows(v[0], [5, 0, 5, 2]) }
    }
}
