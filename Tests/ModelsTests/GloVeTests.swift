import Models
import Numerics
import TestSupport
import XCTest

final class GloVeTests: XCTestCase {
    /// X_ij by hand for "0 1 2" with window 2: pairs at distance 1 weigh 1, at distance 2 weigh ½, both directions.
    func testCooccurrenceCountsWithDistanceWeighting() {
        let m = CooccurrenceMatrix(documents: [[0, 1, 2], [1, -1, 1]], vocabulary: 3, window: 2)
        var x: [String: Float] = [:]
        for k in 0..<m.count { x["\(m.rows[k]),\(m.columns[k])"] = m.values[k] }
        // Second document: the out-of-vocabulary id is removed first, so 1 and 1 are adjacent (1 + 1 both ways).
        XCTAssertEqual(x, ["0,1": 1, "1,0": 1, "1,2": 1, "2,1": 1, "0,2": 0.5, "2,0": 0.5, "1,1": 2])
        XCTAssertEqual(m.rows + [], m.rows.sorted(), "entries sorted by row")
        // The hash-table path (no dense block) gives the same matrix as the dense block.
        var rng = RandomGenerator(seed: 2)
        let docs = (0..<30).map { _ in (0..<40).map { _ in Int32(rng.int(below: 50)) - 3 } }
        let dense = CooccurrenceMatrix(documents: docs, vocabulary: 47, window: 4)
        let hashed = CooccurrenceMatrix(documents: docs, vocabulary: 47, window: 4, denseSize: 0)
        let mixed = CooccurrenceMatrix(documents: docs, vocabulary: 47, window: 4, denseSize: 10)
        for other in [hashed, mixed] {
            XCTAssertEqual(other.rows, dense.rows)
            XCTAssertEqual(other.columns, dense.columns)
            XCTAssertEqual(other.values, dense.values)
        }
    }

    /// One AdaGrad step on a single entry equals the closed form of eq. 8's gradient.
    func testSingleUpdateMatchesClosedForm() {
        var config = GloVeConfig()
        config.dimension = 2; config.iterations = 1; config.xMax = 10; config.learningRate = 0.05
        let matrix = CooccurrenceMatrix(documents: [[0, 1]], vocabulary: 2, window: 1)  // X_01 = X_10 = 1
        let trainer = GloVeTrainer(vocabulary: 2, config: config)
        let before = trainer.parameterSnapshot()
        let costs = trainer.train(CooccurrenceMatrix(filtering: matrix, row: 0))
        // Closed form for entry (0, 1, x = 1): diff = w0·c1 + b0 + b̃1 − log 1; f = (1/10)^0.75.
        let (w0, c1) = (before.word[0..<2], before.context[2..<4])
        let diff = zip(w0, c1).map { $0 * $1 }.reduce(0, +) + before.wordBias[0] + before.contextBias[1]
        let f = pow(Float(0.1), 0.75)
        let step = 0.05 * f * diff
        let after = trainer.parameterSnapshot()
        for k in 0..<2 {  // AdaGrad with accumulators starting at 1: the first step divides by √1.
            XCTAssertEqual(after.word[k], w0[w0.startIndex + k] - step * c1[c1.startIndex + k], accuracy: 1e-7)
            XCTAssertEqual(after.context[2 + k], c1[c1.startIndex + k] - step * w0[w0.startIndex + k], accuracy: 1e-7)
        }
        XCTAssertEqual(after.wordBias[0], before.wordBias[0] - step, accuracy: 1e-7)
        XCTAssertEqual(costs[0], Double(0.5 * f * diff * diff), accuracy: 1e-9)
    }

    /// On text where words come in fixed pairs, a word's nearest neighbour is its partner; cost falls;
    /// one thread is deterministic.
    func testLearnsCooccurrenceStructureDeterministically() {
        var rng = RandomGenerator(seed: 3)
        let documents = (0..<400).map { _ -> [Int32] in
            (0..<20).flatMap { _ -> [Int32] in let p = Int32(rng.int(below: 10)); return [2 * p, 2 * p + 1] }
        }
        let matrix = CooccurrenceMatrix(documents: documents, vocabulary: 20, window: 1)
        var config = GloVeConfig()
        config.dimension = 8; config.iterations = 30; config.xMax = 10
        let a = GloVeTrainer(vocabulary: 20, config: config), b = GloVeTrainer(vocabulary: 20, config: config)
        let costs = a.train(matrix)
        XCTAssertEqual(costs, b.train(matrix))
        XCTAssertLessThan(costs.last!, costs.first! * 0.5)
        let v = a.vectors()
        func cosine(_ i: Int, _ j: Int) -> Float {
            let x = v[(i * 8)..<(i * 8 + 8)], y = v[(j * 8)..<(j * 8 + 8)]
            return zip(x, y).map { $0 * $1 }.reduce(0, +) / (x.map { $0 * $0 }.reduce(0, +).squareRoot() * y.map { $0 * $0 }.reduce(0, +).squareRoot())
        }
        var hits = 0
        for w in 0..<20 {
            let partner = w ^ 1
            let nearest = (0..<20).filter { $0 != w }.max { cosine(w, $0) < cosine(w, $1) }!
            if nearest == partner { hits += 1 }
        }
        XCTAssertGreaterThanOrEqual(hits, 18, "partners are nearest neighbours for \(hits) of 20 words")
    }
}
