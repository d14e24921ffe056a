import Datasets
import Experiments
import Foundation
import Specs
import TestSupport
import XCTest

/// `tlab validate`'s checks beyond the schema: what the runs need must exist and fit the model.
final class SpecCheckTests: XCTestCase {
    func testProblemsNameTheSpecLocationAndTheArm() throws {
        let folder = try temporaryFolder("tlab-check")
        let path = folder.appendingPathComponent("check.yaml").path
        try Data("""
        experiment: {id: check}
        data: {datasets: [mr-sentences, {file: /nonexistent/reviews.csv}]}
        model: {kind: kim-cnn}
        train:
          groups:
            embedding: {patterns: ["embeddings.*"]}
            rest: {patterns: ["*"]}
        arms:
          fine: {train: {groups: {embedding: {patterns: ["embedding.*"]}}}}
          typo: {}
          bad-phase: {train: {groups: {embedding: {patterns: ["embedding.*"]}}, phases: [{epochs: 1, frozen: [embeding]}]}}
        """.utf8).write(to: URL(fileURLWithPath: path))
        let runs = try Expansion.runs(try SpecLoader.load(path))
        let problems = SpecCheck.problems(in: runs, data: DataStore(root: folder.appendingPathComponent("data")))
        let text = problems.joined(separator: "\n")
        XCTAssertTrue(problems.contains { $0.contains("check.yaml:2:") && $0.contains("data.datasets") && $0.contains("'mr-sentences' is not installed") }, text)
        XCTAssertTrue(problems.contains { $0.contains("no file '/nonexistent/reviews.csv'") }, text)
        XCTAssertTrue(problems.contains { $0.contains("embeddings.vectors") && $0.contains("glove-6b-50d") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("check.yaml:6:") && $0.contains("train.groups.embedding: group 'embedding' with patterns [\"embeddings.*\"] matches no parameter") && $0.contains("arm typo") }, text)
        XCTAssertFalse(problems.contains { $0.contains("arm fine") }, text)
        XCTAssertTrue(problems.contains { $0.contains("train.phases.0.frozen: no parameter group 'embeding'") && $0.contains("arm bad-phase") }, text)
        // Each problem once, however many runs share it.
        XCTAssertEqual(problems.count, Set(problems).count)
    }
}
