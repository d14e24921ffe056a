import Numerics
import XCTest

/// |a − b| ≤ absolute + relative·max(|a|, |b|), elementwise.
///
/// Both tolerances are needed: float32 kernels that sum in a different order (BLAS blocking vs a
/// NumPy reference) differ by a few ulps of the largest partial sum, which a pure relative tolerance
/// rejects for values near zero and a pure absolute tolerance rejects for large values.
public func assertClose(_ actual: [Float], _ expected: [Float], absolute: Float = 1e-5, relative: Float = 1e-4,
                        _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("count \(actual.count) ≠ \(expected.count) \(message())", file: file, line: line)
        return
    }
    var worst = 0, worstExcess: Float = -1
    for i in 0..<actual.count {
        let excess = abs(actual[i] - expected[i]) - (absolute + relative * max(abs(actual[i]), abs(expected[i])))
        if !(excess <= 0) && (excess > worstExcess || excess.isNaN) { worst = i; worstExcess = excess.isNaN ? .infinity : excess }
    }
    if worstExcess > 0 {
        XCTFail("element \(worst): \(actual[worst]) vs expected \(expected[worst]) (abs \(absolute), rel \(relative)) \(message())",
                file: file, line: line)
    }
}

public func assertClose(_ actual: Tensor, _ expected: Tensor, absolute: Float = 1e-5, relative: Float = 1e-4,
                        _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, "shape \(message())", file: file, line: line)
    assertClose(actual.array, expected.array, absolute: absolute, relative: relative, message(), file: file, line: line)
}

/// A tensor of the given shape with uniform values in [low, high) from `rng`.
public func randomTensor(_ shape: [Int], _ rng: inout RandomGenerator, _ low: Float = -1, _ high: Float = 1) -> Tensor {
    let t = Tensor(zeros: shape)
    rng.fillUniform(t, low, high)
    return t
}
