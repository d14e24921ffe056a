import Foundation
import Numerics
import XCTest

final class FastMathTests: XCTestCase {
    func testExpRelativeErrorAgainstLibm() {
        var worst: Float = 0
        var x: Float = -87
        while x < 88 {
            let exact = Foundation.exp(Double(x))
            worst = max(worst, Float(abs(Double(FastMath.exp(x)) - exact) / exact))
            x += 0.0137
        }
        XCTAssertLessThan(worst, 5e-7)
        XCTAssertEqual(FastMath.exp(0), 1)
        XCTAssertLessThan(FastMath.exp(-200), 1.3e-38, "clamped: e^−87.3")
    }
}

final class FastMathVectorTests: XCTestCase {
    func testVectorKernelsMatchScalar() {
        var rng = RandomGenerator(seed: 4)
        let count = 37  // exercises both the 16-lane body and the scalar tail
        let x = Tensor(zeros: [count]); rng.fillUniform(x, -30, 10)
        x[5] = -120  // below the underflow clamp
        let peak = FastMath.maximum(x.data, count: count)
        XCTAssertEqual(peak, x.array.max())
        let expected = x.array.map { FastMath.exp($0 - peak) }
        let sum = FastMath.expShifted(x.data, count: count, shift: peak)
        XCTAssertEqual(x.array, expected, "16-lane exp equals the scalar exp bit for bit")
        XCTAssertEqual(sum, expected.reduce(0, +), accuracy: 1e-5)
        FastMath.scale(x.data, count: count, by: 2)
        XCTAssertEqual(x.array, expected.map { $0 * 2 })
    }
}

/// GELU's vectorised kernel against the erf form in double precision: within 2e-7 absolute on the
/// values and 5e-7 on the derivative over [−10, 10] (erf by Abramowitz & Stegun 7.1.26, error ≤ 1.5e-7).
final class GeluKernelTests: XCTestCase {
    func testGeluAndItsDerivativeAgainstTheErfForm() {
        let x = Tensor(shape: [4001], values: (0...4000).map { Float($0) * 0.005 - 10 })
        let y = Tensor(zeros: [4001]), ones = Tensor(shape: [4001], repeating: 1), dx = Tensor(zeros: [4001])
        Activation.gelu.forward(x.data, y.data, count: x.count)
        Activation.gelu.backward(x: x.data, y: y.data, dy: ones.data, dx: dx.data, count: x.count)
        var worstValue = 0.0, worstSlope = 0.0
        for i in 0..<x.count {
            let v = Double(x.data[i])
            let cdf = 0.5 * (1 + Foundation.erf(v / 2.0.squareRoot()))
            worstValue = max(worstValue, abs(Double(y.data[i]) - v * cdf) / max(1, abs(v)))
            worstSlope = max(worstSlope, abs(Double(dx.data[i]) - (cdf + v * Foundation.exp(-0.5 * v * v) / (2 * Double.pi).squareRoot())))
        }
        XCTAssertLessThan(worstValue, 2e-7)
        XCTAssertLessThan(worstSlope, 5e-7)
    }
}
