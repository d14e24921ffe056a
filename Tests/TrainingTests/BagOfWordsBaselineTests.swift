import Foundation
import TestSupport
@testable import Training
import XCTest

/// The bag-of-words baselines: TF-IDF features and logistic regression against scikit-learn on real samples
/// (`Tests/References/make_baseline_fixtures.py`), finite-difference checks of both objectives' gradients, and NB-SVM's
/// log-count ratio and interpolation by hand.
final class BagOfWordsBaselineTests: XCTestCase {
    struct Task {
        let dataset: String
        let documents: [[String]]
        let labels: [Int32]
        let classes: Int, train: Int, minCount: Int, terms: Int
        let idf: [String: Double]
        let testRows: [[String: Double]]
        let fits: [[String: Any]]

        var trainDocuments: [[String]] { Array(documents[..<train]) }
        var testDocuments: [[String]] { Array(documents[train...]) }
    }

    func tasks() throws -> [Task] {
        let fixture = try Fixture("bag_of_words")
        return try XCTUnwrap(fixture["tasks"] as? [[String: Any]]).map { t in
            Task(dataset: t["dataset"] as! String, documents: t["documents"] as! [[String]], labels: (t["labels"] as! [Int]).map(Int32.init),
                 classes: t["classes"] as! Int, train: t["train"] as! Int, minCount: t["min_count"] as! Int, terms: t["terms"] as! Int,
                 idf: t["idf"] as! [String: Double], testRows: t["test_rows"] as! [[String: Double]], fits: t["fits"] as! [[String: Any]])
        }
    }

    func testTfidfWeightsMatchScikitLearn() throws {
        for task in try tasks() {
            let features = NGramFeatures(documents: task.trainDocuments, orders: 1...2, minCount: task.minCount, sublinear: true)
            XCTAssertEqual(features.count, task.terms, task.dataset)
            XCTAssertGreaterThan(task.idf.count, 100)
            for (term, idf) in task.idf {
                let column = try XCTUnwrap(features.columns[term], "\(task.dataset): '\(term)' missing")
                XCTAssertEqual(features.idf[Int(column)], idf, accuracy: 1e-12, "\(task.dataset) idf of '\(term)'")
            }
            let rows = features.tfidf(Array(task.testDocuments.prefix(task.testRows.count)))
            let names = Dictionary(uniqueKeysWithValues: features.columns.map { ($1, $0) })
            for (i, expected) in task.testRows.enumerated() {
                let ours = Dictionary(uniqueKeysWithValues: rows.row(i).map { (names[$0.0]!, $0.1) })
                XCTAssertEqual(Set(ours.keys), Set(expected.keys), "\(task.dataset) test row \(i): the same n-grams")
                for (term, value) in expected { XCTAssertEqual(ours[term] ?? .nan, value, accuracy: 1e-12, "\(task.dataset) row \(i) '\(term)'") }
            }
        }
    }

    /// Both fit the same strictly convex objective to convergence: the same predictions on every test document, and
    /// probabilities and weight norms equal to the optimiser tolerances.
    func testLogisticRegressionMatchesScikitLearn() throws {
        for task in try tasks() {
            let features = NGramFeatures(documents: task.trainDocuments, orders: 1...2, minCount: task.minCount, sublinear: true)
            let (train, test) = (features.tfidf(task.trainDocuments), features.tfidf(task.testDocuments))
            for fit in task.fits {
                let c = fit["c"] as! Double
                let model = SparseLogisticRegression.fit(train, labels: Array(task.labels[..<task.train]), classes: task.classes, c: c, tolerance: 1e-11)
                XCTAssertTrue(model.fit.converged, "\(task.dataset) C \(c): \(model.fit)")
                let p = model.probabilities(test)
                let predictions = (0..<test.count).map { i in (0..<task.classes).max { p[i * task.classes + $0] < p[i * task.classes + $1] }! }
                XCTAssertEqual(predictions, fit["predictions"] as! [Int], "\(task.dataset) C \(c)")
                for (i, row) in (fit["probabilities"] as! [[Double]]).enumerated() {
                    for (j, value) in row.enumerated() { XCTAssertEqual(p[i * task.classes + j], value, accuracy: 1e-6, "\(task.dataset) C \(c) p[\(i), \(j)]") }
                }
                // The tolerance runs use (scikit-learn's scale, 100× tighter than its default) predicts the same.
                let usual = SparseLogisticRegression.fit(train, labels: Array(task.labels[..<task.train]), classes: task.classes, c: c)
                let q = usual.probabilities(test)
                XCTAssertEqual((0..<test.count).map { i in (0..<task.classes).max { q[i * task.classes + $0] < q[i * task.classes + $1] }! },
                               fit["predictions"] as! [Int], "\(task.dataset) C \(c), usual tolerance (\(usual.fit.iterations) iterations)")
                let norm = model.weights.reduce(0) { $0 + $1 * $1 }.squareRoot()
                XCTAssertEqual(norm, fit["weight_norm"] as! Double, accuracy: 1e-5 * norm, "\(task.dataset) C \(c) ‖W‖")
                for (j, b) in (fit["intercept"] as! [Double]).enumerated() { XCTAssertEqual(model.bias[j], b, accuracy: 1e-5, "\(task.dataset) C \(c) b[\(j)]") }
            }
        }
    }

    /// A random sparse matrix: `rows` rows of `columns` columns, about a third of the entries set.
    func randomRows(_ rows: Int, _ columns: Int, seed: UInt64) -> SparseRows {
        var state = seed
        func next() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return Double(state >> 11) / Double(1 << 53) }
        var x = SparseRows(columns: columns)
        for _ in 0..<rows { x.append((0..<Int32(columns)).compactMap { next() < 0.35 ? ($0, next() * 2 - 1) : nil }) }
        return x
    }

    /// Central differences of f at θ against the gradient it reports.
    func checkGradient(_ theta: [Double], _ f: ([Double], inout [Double]) -> Double, file: StaticString = #filePath, line: UInt = #line) {
        var analytic = [Double](repeating: 0, count: theta.count), scratch = analytic
        _ = f(theta, &analytic)
        for i in theta.indices {
            var plus = theta, minus = theta
            plus[i] += 1e-6; minus[i] -= 1e-6
            let numeric = (f(plus, &scratch) - f(minus, &scratch)) / 2e-6
            XCTAssertEqual(analytic[i], numeric, accuracy: 1e-6 * max(1, abs(numeric)), "∂f/∂θ[\(i)]", file: file, line: line)
        }
    }

    func testObjectiveGradientsMatchFiniteDifferences() {
        let x = randomRows(12, 5, seed: 7)
        for classes in [2, 3] {
            let labels = (0..<12).map { Int32($0 % classes) }
            let k = classes == 2 ? 1 : classes
            let theta = (0..<(k * 5 + k)).map { Double($0 % 7) * 0.3 - 0.8 }
            checkGradient(theta) { SparseLogisticRegression.objective($0, gradient: &$1, x: x, labels: labels, classes: classes, c: 2.5) }
        }
        let y = (0..<12).map { $0 % 3 == 0 ? 1.0 : -1.0 }
        // Away from the hinge's kink (margins exactly 0), where the squared hinge is differentiable.
        checkGradient((0..<6).map { Double($0) * 0.21 - 0.4 }) { NBSVM.squaredHinge($0, gradient: &$1, x: x, y: y, c: 1.5) }
    }

    /// Wang & Manning's r on a toy: p = α + counts in positives, q = α + counts in negatives, each normalised.
    func testLogCountRatioAndInterpolation() {
        var x = SparseRows(columns: 3)
        x.append([(0, 1), (1, 1)]); x.append([(0, 1)]); x.append([(2, 1)])
        let r = NBSVM.logCountRatio(x, y: [1, 1, -1], alpha: 1)
        let p = [3.0, 2, 1], q = [1.0, 1, 2]
        for j in 0..<3 { XCTAssertEqual(r[j], log((p[j] / 6) / (q[j] / 4)), accuracy: 1e-12) }
        let model = NBSVM.fit(x, labels: [1, 1, 0], classes: 2, c: 1, alpha: 1, beta: 0.25)
        XCTAssertEqual(model.evaluate(x, labels: [1, 1, 0]).accuracy, 1)
        // w′ = 0.75·mean|w| + 0.25·w: undo the interpolation and the raw weights' mean magnitude is that offset's source.
        let w = model.weights[0]
        let offsetFree = w.map { ($0 - w.min()!) }
        XCTAssertGreaterThan(offsetFree.max()!, 0)
        XCTAssertTrue(model.fits.allSatisfy(\.converged))
    }
}
