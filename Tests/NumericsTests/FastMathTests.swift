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
