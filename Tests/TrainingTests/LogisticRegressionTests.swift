import Numerics
@testable import Training
import XCTest

final class LogisticRegressionTests: XCTestCase {
    /// The hand-written gradient against central differences of the loss (in Double).
    func testGradientMatchesFiniteDifferences() {
        var rng = RandomGenerator(seed: 4)
        let n = 7, d = 4, c = 3
        let x = (0..<(n * d)).map { _ in rng.uniform(-1, 1) }
        let labels: [Int32] = (0..<n).map { Int32($0 % c) }
        let w = (0..<(c * d)).map { _ in rng.uniform(-0.5, 0.5) }, b = (0..<c).map { _ in rng.uniform(-0.5, 0.5) }
        let (_, gw, gb) = LogisticRegression.lossAndGradient(x, labels: labels, w: w, b: b, dimension: d, classes: c, l2: 0.3)
        func loss(_ w: [Float], _ b: [Float]) -> Double {
            LogisticRegression.lossAndGradient(x, labels: labels, w: w, b: b, dimension: d, classes: c, l2: 0.3).loss
        }
        let h: Float = 1e-2
        func central(_ values: [Float], _ i: Int, _ f: ([Float]) -> Double) -> Double {
            var up = values, down = values
            up[i] += h; down[i] -= h
            return (f(up) - f(down)) / Double(2 * h)
        }
        for i in w.indices { XCTAssertEqual(Double(gw[i]), central(w, i) { loss($0, b) }, accuracy: 2e-4, "dL/dW[\(i)]") }
        for j in b.indices { XCTAssertEqual(Double(gb[j]), central(b, j) { loss(w, $0) }, accuracy: 2e-4, "dL/db[\(j)]") }
    }

    /// Three Gaussian blobs: the probe separates them and generalises to fresh points.
    func testSeparatesBlobs() {
        var rng = RandomGenerator(seed: 8)
        let centres: [[Float]] = [[3, 0], [0, 3], [-3, -3]]
        func sample(_ n: Int) -> ([Float], [Int32]) {
            var f: [Float] = [], l: [Int32] = []
            for i in 0..<n { let k = i % 3; f += [centres[k][0] + rng.uniform(-1, 1), centres[k][1] + rng.uniform(-1, 1)]; l.append(Int32(k)) }
            return (f, l)
        }
        let (train, trainLabels) = sample(90), (test, testLabels) = sample(60)
        let probe = LogisticRegression.fit(features: train, labels: trainLabels, dimension: 2, classes: 3, l2: 1e-3)
        XCTAssertEqual(probe.evaluate(test, labels: testLabels).accuracy, 1)
        let p = probe.probabilities(Array(test.prefix(2)))
        XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-5)
    }
}
