import Datasets
import Foundation
import TestSupport
import Training
import XCTest

/// Entity-level scores equal to seqeval 1.2.2's, in its default (conlleval) and strict IOB2 modes, on 1,200 random
/// and 300 real (WNUT-16) cases (fixture written by `Tests/References/make_seqeval_fixtures.py`).
final class EntityMetricsTests: XCTestCase {
    func assertScores(_ ours: EntityScores, _ expected: [String: Any], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ours.micro.precision, expected["precision"] as! Double, accuracy: 1e-12, "\(label) precision", file: file, line: line)
        XCTAssertEqual(ours.micro.recall, expected["recall"] as! Double, accuracy: 1e-12, "\(label) recall", file: file, line: line)
        XCTAssertEqual(ours.micro.f1, expected["f1"] as! Double, accuracy: 1e-12, "\(label) f1", file: file, line: line)
        if let macro = expected["macro_f1"] as? Double {
            XCTAssertEqual(ours.macroF1, macro, accuracy: 1e-12, "\(label) macro f1", file: file, line: line)
        } else {
            XCTAssertTrue(ours.macroF1.isNaN, "\(label): no entity on either side, macro F1 undefined", file: file, line: line)
        }
        let perType = expected["per_type"] as! [String: [Double]]
        XCTAssertEqual(Set(ours.perType.keys), Set(perType.keys), "\(label) types", file: file, line: line)
        for (type, values) in perType {
            guard let c = ours.perType[type] else { continue }
            // (to 1e-12: scikit-learn's F-score formula rounds in another order)
            for (ours, theirs) in zip([c.precision, c.recall, c.f1], values) {
                XCTAssertEqual(ours, theirs, accuracy: 1e-12, "\(label) \(type)", file: file, line: line)
            }
            XCTAssertEqual(c.gold, Int(values[3]), "\(label) \(type) support", file: file, line: line)
        }
    }

    func testRandomCasesScoreAsSeqevalDoes() throws {
        let fixture = try Fixture("seqeval")
        let cases = try XCTUnwrap(fixture["cases"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(cases.count, 1_000)
        for (n, c) in cases.enumerated() {
            let gold = c["gold"] as! [[String]], predicted = c["predicted"] as! [[String]]
            for scheme in [EntityScheme.conlleval, .strictIOB2] {
                assertScores(try EntityScores(gold: gold, predicted: predicted, scheme: scheme), c[scheme.rawValue] as! [String: Any], "case \(n) \(scheme)")
            }
        }
    }

    func testWNUTSentencesScoreAsSeqevalDoes() throws {
        let fixture = try Fixture("seqeval")
        let real = try XCTUnwrap(fixture["wnut"] as? [String: Any])
        let sentences = try DataStore(root: installedDataRoot()).sentences("wnut16-ner")
        let gold = (real["sentences"] as! [Int]).map { sentences[$0].tags }
        let predicted = real["predicted"] as! [[String]]
        for scheme in [EntityScheme.conlleval, .strictIOB2] {
            assertScores(try EntityScores(gold: gold, predicted: predicted, scheme: scheme), real[scheme.rawValue] as! [String: Any], "wnut \(scheme)")
        }
    }

    /// What tells the two modes apart: an I- after O starts an entity for conlleval and none for strict IOB2.
    func testModesDifferOnAnIAfterO() throws {
        let tags = [["O", "I-PER", "I-PER", "O", "B-LOC", "I-ORG"]]
        XCTAssertEqual(try EntityExtraction.entities(tags, scheme: .conlleval).map(\.type), ["PER", "LOC", "ORG"])
        XCTAssertEqual(try EntityExtraction.entities(tags, scheme: .strictIOB2).map(\.type), ["LOC"])
        XCTAssertThrowsError(try EntityExtraction.entities([["S-PER"]], scheme: .strictIOB2))
    }
}
