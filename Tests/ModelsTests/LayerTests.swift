import Autodiff
@testable import Models
import Numerics
import XCTest

/// Layers' naming and state, beside the ops' gradient checks (AutodiffTests).
final class LayerTests: XCTestCase {
    /// BatchNorm: PyTorch's names, γ = 1 and β = 0 at first, and buffers that are its running estimates
    /// (what a checkpoint must carry): a training call moves them, an evaluation call does not.
    func testBatchNormNamesItsParametersAndBuffersAsPyTorch() {
        let norm = BatchNorm("head.norm", features: 3)
        XCTAssertEqual(norm.parameters.map(\.name), ["head.norm.weight", "head.norm.bias"])
        XCTAssertEqual(norm.buffers.map(\.name), ["head.norm.running_mean", "head.norm.running_var"])
        XCTAssertEqual(norm.gamma.value.array, [1, 1, 1])
        XCTAssertEqual(norm.beta.value.array, [0, 0, 0])
        let x = Tensor(shape: [2, 3], values: [1, 2, 3, 3, 6, 9])  // column means 2, 4, 6; unbiased variances 2, 8, 18
        let evaluation = Tape(training: false)
        _ = norm(evaluation, evaluation.input(x))
        XCTAssertEqual(norm.buffers[0].value.array, [0, 0, 0], "evaluation leaves the estimates")
        let training = Tape(training: true)
        _ = norm(training, training.input(x))
        for (got, want) in zip(norm.buffers[0].value.array, [0.2, 0.4, 0.6]) { XCTAssertEqual(got, Float(want), accuracy: 1e-6, "0.9·0 + 0.1·mean") }
        for (got, want) in zip(norm.buffers[1].value.array, [0.9 + 0.2, 0.9 + 0.8, 0.9 + 1.8]) {
            XCTAssertEqual(got, Float(want), accuracy: 1e-6, "0.9·1 + 0.1·unbiased variance")
        }
    }
}
