import Autodiff
import Datasets
import Foundation
import Models
import Numerics
import TestSupport
import Training
import XCTest

/// The encoder on the installed minilm-l6 (and minilm-l3) checkpoints against Hugging Face `transformers` +
/// `torch`, sentence-transformers and onnx's reference evaluator (`Tests/References/make_encoder_fixtures.py`).
///
/// Tolerances: both sides compute in float32 but sum in different orders (OpenBLAS's blocked SGEMM against
/// PyTorch's kernels; our softmax, LayerNorm and GELU loops against its vectorised ones). Each op then differs
/// by a few ulps (~1e-7 relative); six layers of attention, residuals and LayerNorms (which rescale by up to
/// 1/σ) carry that to ~1e-5 on values of order 1, so 1e-4 absolute bounds hidden states with a margin of ~10.
final class BertReferenceTests: XCTestCase {
    var store: DataStore!
    var fixture: Fixture!
    var texts: [String: [String]] = [:]

    override func setUpWithError() throws {
        store = DataStore(root: installedDataRoot())
        fixture = try Fixture("encoder")
    }

    /// A fixture's text reference: (dataset, line, length in code points or null).
    func text(_ ref: [Any]) throws -> String {
        let dataset = ref[0] as! String
        if texts[dataset] == nil { texts[dataset] = try store.examples(dataset).map(\.text) }
        let t = texts[dataset]![ref[1] as! Int]
        return (ref[2] as? Int).map { String(String.UnicodeScalarView(t.unicodeScalars.prefix($0))) } ?? t
    }

    func testHiddenStatesPooledOutputAndGradientsMatchTransformers() throws {
        let model = try PretrainedEncoder("minilm-l6", store: store)
        let reference = try XCTUnwrap(fixture["batch"] as? [String: Any])
        let batch = model.batch(try (reference["texts"] as! [[Any]]).map(text))
        XCTAssertEqual(batch.lengths, reference["lengths"] as! [Int])
        XCTAssertEqual(batch.time, reference["time"] as! Int)
        let tape = Tape(training: false)
        let output = model.encoder(tape, batch, keepLayers: true)
        let layers = reference["layers"] as! [[String: Any]]
        XCTAssertEqual(output.layers.count, layers.count)
        let positions = reference["positions"] as! [[Int]]
        let d = model.encoder.config.hidden
        var worst: Float = 0
        for (n, (variable, expected)) in zip(output.layers, layers).enumerated() {
            let h = tape.value(variable)
            for (p, value) in zip(positions, expected["samples"] as! [Double]) {
                let ours = h.data[(p[0] * batch.time + p[1]) * d + p[2]]
                worst = max(worst, abs(ours - Float(value)))
                XCTAssertEqual(ours, Float(value), accuracy: 1e-4, "layer \(n) at \(p)")
            }
            let means = tape.value(tape.meanOverTime(variable, lengths: batch.lengths))
            for (b, row) in (expected["means"] as! [[Double]]).enumerated() {
                for (c, value) in row.enumerated() { XCTAssertEqual(means.data[b * d + c], Float(value), accuracy: 1e-4, "layer \(n) mean \(b),\(c)") }
            }
        }
        let pooled = tape.value(try XCTUnwrap(output.pooled))
        for (b, row) in (reference["pooled"] as! [[Double]]).enumerated() {
            for (c, value) in row.enumerated() { XCTAssertEqual(pooled.data[b * d + c], Float(value), accuracy: 1e-4, "pooled \(b),\(c)") }
        }
        print("largest hidden-state difference from transformers: \(worst)")

        // Gradients of a classification loss on the pooled output, through the whole encoder.
        let c = try XCTUnwrap(fixture["classification"] as? [String: Any])
        let weight = Tensor(shape: [3, d], values: (c["weight"] as! [[Double]]).flatMap { $0.map(Float.init) })
        let bias = Tensor(shape: [3], values: (c["bias"] as! [Double]).map(Float.init))
        let logits = tape.linear(output.pooled!, weight: tape.constant(weight), bias: tape.constant(bias))
        let loss = tape.crossEntropy(logits, targets: (c["labels"] as! [Int]).map(Int32.init))
        XCTAssertEqual(Double(tape.value(loss).scalar), c["loss"] as! Double, accuracy: 1e-5)
        model.encoder.zeroGrad()
        tape.backward(loss)
        let parameters = model.encoder.namedParameters
        for (name, entry) in c["gradients"] as! [String: [String: Any]] {
            let grad = try XCTUnwrap(parameters[name], name).grad
            let expected = entry["values"] as! [Double]
            let scale = Float(expected.map(abs).max() ?? 0)
            for (i, value) in zip(entry["index"] as! [Int], expected) {
                XCTAssertEqual(grad.data[i], Float(value), accuracy: 1e-3 * scale + 1e-7, "\(name)[\(i)]")
            }
            let norm = (0..<grad.count).reduce(Double(0)) { $0 + Double(grad.data[$1] * grad.data[$1]) }.squareRoot()
            XCTAssertEqual(norm, entry["norm"] as! Double, accuracy: 1e-3 * (entry["norm"] as! Double), name)
        }
    }

    func testSentenceEmbeddingsMatchSentenceTransformers() throws {
        let model = try PretrainedEncoder("minilm-l6", store: store)
        let reference = try XCTUnwrap(fixture["sentences"] as? [String: Any])
        let ours = model.sentenceEmbeddings(try (reference["texts"] as! [[Any]]).map(text), batchSize: 8)
        let expected = reference["embeddings"] as! [[Double]]
        XCTAssertEqual(ours.count, expected.count)
        for (n, (a, b)) in zip(ours, expected).enumerated() {
            let cosine = zip(a, b).reduce(0.0) { $0 + Double($1.0) * $1.1 }
            XCTAssertGreaterThanOrEqual(cosine, 0.99999, "text \(n)")
        }
    }

    /// minilm-l3 as converted at install time computes what its original ONNX graph computes.
    func testConvertedMiniLML3MatchesItsOnnxGraph() throws {
        let model = try PretrainedEncoder("minilm-l3", store: store)
        XCTAssertNil(model.encoder.pooler)
        XCTAssertEqual(model.encoder.config.layers, 3)
        for case let entry as [String: Any] in try XCTUnwrap(fixture["minilm_l3"] as? [Any]) {
            let batch = model.batch([try text(entry["text"] as! [Any])])
            let tape = Tape(training: false)
            let hidden = model.encoder(tape, batch).hidden
            let first = tape.value(hidden), mean = tape.value(tape.meanOverTime(hidden, lengths: batch.lengths))
            for (c, value) in (entry["first"] as! [Double]).enumerated() { XCTAssertEqual(first.data[c], Float(value), accuracy: 1e-4) }
            for (c, value) in (entry["mean"] as! [Double]).enumerated() { XCTAssertEqual(mean.data[c], Float(value), accuracy: 1e-4) }
        }
    }
}
