import Datasets
@testable import Experiments
import Foundation
import TestSupport
import Specs
import XCTest

final class PlanningTests: XCTestCase {
    /// A training size at or above the training split's size is the `all` run again: left out when
    /// that run is planned, kept (it is then the only run on the whole split) when it is not.
    func testSizesAtOrAboveTheTrainingSplitAreLeftOut() throws {
        let root = try temporaryFolder("tlab-planning", create: false)
        let examples = (0..<200).map { LabeledText(text: "text \($0)", label: $0 % 2 == 0 ? "a" : "b") }
        try installClassification("tweets-sentiment", examples: examples, in: root)
        let spec = root.appendingPathComponent("sizes.yaml")
        try Data("""
        experiment: {id: sizes}
        data: {datasets: [tweets-sentiment], split: {seed: 1, valid: 0.1, test: 0.2}, training_sizes: [100, 140, 300, all]}
        model: {kind: kim-cnn}
        arms:
          main: {}
          capped: {data: {training_sizes: [100, 300]}}
        sweep: {seed: [1, 2]}
        """.utf8).write(to: spec)
        let runs = try Expansion.runs(try SpecLoader.load(spec.path))
        let (kept, skipped) = Planning.withoutRedundantSizes(runs, data: DataStore(root: root))
        // The training split holds 200 − 20 − 40 = 140 examples: 140 and 300 repeat `all` for `main`.
        XCTAssertEqual(kept.filter { $0.arm == "main" }.compactMap(\.trainingSize).sorted(), ["100", "100", "all", "all"])
        // `capped` has no `all` run, so its 300 stays (it is its only run on the whole split).
        XCTAssertEqual(kept.filter { $0.arm == "capped" }.compactMap(\.trainingSize).sorted(), ["100", "100", "300", "300"])
        XCTAssertEqual(skipped, ["tweets-sentiment: training size 140, 300 ≥ its training split of 140 examples — the same data as 'all', not run"])
    }
}
