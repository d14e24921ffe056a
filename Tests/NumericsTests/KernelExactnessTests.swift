import Numerics
import TestSupport
import XCTest

/// Kernels written for speed against what they must equal: the branchy rule bit for bit, or the
/// direct sums whatever their unzeroed work buffers held.
final class KernelExactnessTests: XCTestCase {
    /// ReLU backward adds dy exactly where x > 0 and leaves dx's bits alone elsewhere, signed zeros,
    /// infinities and NaN included.
    func testReLUBackwardIsTheBranchyRuleBitForBit() {
        let specials: [Float] = [-1.5, -0.0, 0, 1e-30, 2.5, .infinity, -.infinity, .nan]
        var x: [Float] = [], dy: [Float] = [], dx: [Float] = []
        for a in specials { for b in specials { for c in specials { x.append(a); dy.append(b); dx.append(c) } } }
        var expected = dx
        for i in x.indices where x[i] > 0 { expected[i] += dy[i] }
        Activation.relu.backward(x: x, y: x, dy: dy, dx: &dx, count: x.count)
        let differing = x.indices.filter { dx[$0].bitPattern != expected[$0].bitPattern }
        XCTAssertEqual(differing.map { "x \(x[$0]) dy \(dy[$0]) → \(dx[$0]), want \(expected[$0])" }, [])
    }

    /// Conv1D forward and backward against the direct double-precision sums. Their work buffers are not
    /// zero-filled (`Tensor(uninitialized:)`), which in a debug build means NaN-filled: an element the
    /// kernel leaves unwritten shows up as NaN.
    func testConvolutionEqualsTheDirectSumsWhateverItsBuffersHeld() {
        var rng = RandomGenerator(seed: 11)
        let (batch, length, dim, maps) = (3, 7, 5, 4)
        let x = randomTensor([batch, length, dim], &rng), bias = randomTensor([maps], &rng)
        for (width, hasBias) in [(1, true), (3, true), (7, true), (3, false)] {
            let weight = randomTensor([width, maps, dim], &rng)
            let outLength = Conv1DKernel.outputLength(length, width: width)
            let dOut = randomTensor([batch, outLength, maps], &rng)
            let out = Conv1DKernel.forward(x: x, weight: weight, bias: hasBias ? bias : nil)
            let dx = Tensor(zeros: x.shape), dWeight = Tensor(zeros: weight.shape), dBias = Tensor(zeros: [maps])
            Conv1DKernel.backward(x: x, weight: weight, dOut: dOut, dx: dx, dWeight: dWeight, dBias: dBias)

            func xAt(_ b: Int, _ t: Int, _ e: Int) -> Double { Double(x[(b * length + t) * dim + e]) }
            func wAt(_ j: Int, _ m: Int, _ e: Int) -> Double { Double(weight[(j * maps + m) * dim + e]) }
            func gAt(_ b: Int, _ p: Int, _ m: Int) -> Double { Double(dOut[(b * outLength + p) * maps + m]) }
            var wantOut: [Float] = [], wantDx: [Float] = [], wantDWeight: [Float] = []
            for b in 0..<batch { for p in 0..<outLength { for m in 0..<maps {
                var s = hasBias ? Double(bias[m]) : 0
                for j in 0..<width { for e in 0..<dim { s += xAt(b, p + j, e) * wAt(j, m, e) } }
                wantOut.append(Float(s))
            } } }
            for b in 0..<batch { for t in 0..<length { for e in 0..<dim {
                var s = 0.0
                for j in 0..<width where t - j >= 0 && t - j < outLength { for m in 0..<maps { s += gAt(b, t - j, m) * wAt(j, m, e) } }
                wantDx.append(Float(s))
            } } }
            for j in 0..<width { for m in 0..<maps { for e in 0..<dim {
                var s = 0.0
                for b in 0..<batch { for p in 0..<outLength { s += gAt(b, p, m) * xAt(b, p + j, e) } }
                wantDWeight.append(Float(s))
            } } }
            let wantDBias = (0..<maps).map { m in Float((0..<batch).reduce(0.0) { acc, b in acc + (0..<outLength).reduce(0.0) { $0 + gAt(b, $1, m) } }) }
            assertClose(out.array, wantOut, absolute: 1e-5, "forward, width \(width)")
            assertClose(dx.array, wantDx, absolute: 1e-5, "dx, width \(width)")
            assertClose(dWeight.array, wantDWeight, absolute: 1e-5, "dWeight, width \(width)")
            assertClose(dBias.array, wantDBias, absolute: 1e-5, "dBias, width \(width)")
        }
    }
}
