import Datasets
import Foundation
import TestSupport
import Training
import XCTest

/// Labels over WordPiece sub-tokens and back over words, and class weights against their formulas.
final class TokenLabelTests: XCTestCase {
    let labels = ["O", "B-person", "I-person", "B-location", "I-location"]

    /// Words → sub-tokens → words is the identity at the first sub-token, for every WNUT-16 sentence.
    func testAlignmentRoundTripsOnWNUT() throws {
        let store = DataStore(root: installedDataRoot())
        let tokenizer = try WordPieceTokenizer(vocabulary: store.folder("minilm-l6").appendingPathComponent("vocab.txt"))
        let sentences = try store.sentences("wnut16-ner")
        let names = Array(Set(sentences.flatMap(\.tags))).sorted()
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Int32($0)) })
        let labeler = TokenLabeler(labels: names)
        var split = 0
        for sentence in sentences {
            let encoding = tokenizer.encode(words: sentence.tokens)
            let gold = sentence.tags.map { index[$0]! }
            for alignment in [LabelAlignment.first, .all] {
                let targets = labeler.tokenTargets(wordLabels: gold, wordIds: encoding.wordIds, alignment: alignment)
                XCTAssertEqual(targets.count, encoding.ids.count)
                let back = labeler.wordPredictions(tokenPredictions: targets, wordIds: encoding.wordIds, words: gold.count, fallback: index["O"]!)
                XCTAssertEqual(back, gold, "\(sentence.tokens)")
            }
            split += encoding.wordIds.count - Set(encoding.wordIds.compactMap { $0 }).count - 2
        }
        XCTAssertGreaterThan(split, 1_000, "many words are several sub-tokens")
    }

    /// `first` ignores the later sub-tokens; `all` labels them, B- continued as I-; specials are ignored.
    func testFirstAndAllAlignment() {
        let labeler = TokenLabeler(labels: labels)
        let wordIds: [Int?] = [nil, 0, 0, 0, 1, 2, 2, nil, nil]   // [CLS] w0 w0 w0 w1 w2 w2 [SEP] [PAD]
        let words: [Int32] = [1, 0, 3]                            // B-person O B-location
        XCTAssertEqual(labeler.tokenTargets(wordLabels: words, wordIds: wordIds, alignment: .first), [-100, 1, -100, -100, 0, 3, -100, -100, -100])
        XCTAssertEqual(labeler.tokenTargets(wordLabels: words, wordIds: wordIds, alignment: .all), [-100, 1, 2, 2, 0, 3, 4, -100, -100])
        XCTAssertEqual(labeler.wordPredictions(tokenPredictions: [0, 2, 1, 1, 0, 3, 0, 0, 0], wordIds: wordIds, words: 4, fallback: 0), [2, 0, 3, 0],
                       "each word at its first sub-token; a word with no token left is O")
    }

    func testClassWeightsMatchTheirFormulas() {
        let counts = [900, 60, 30, 10, 0]   // N = 1000, K = 5
        XCTAssertEqual(ClassWeighting.none.weights(counts: counts), [1, 1, 1, 1, 1])
        let inverse = ClassWeighting.inverseFrequency.weights(counts: counts)
        for (w, expected) in zip(inverse, [1000.0 / 4500, 1000.0 / 300, 1000.0 / 150, 1000.0 / 50, 1000.0 / 50]) {
            XCTAssertEqual(Double(w), expected, accuracy: 1e-5)
        }
        let root = ClassWeighting.sqrtInverseFrequency.weights(counts: counts)
        XCTAssertEqual(Double(root[0]), (1000.0 / 4500).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(Double(root[3]), 20.0.squareRoot(), accuracy: 1e-5)
        let beta = 0.99
        let effective = ClassWeighting.effectiveNumber(beta: beta).weights(counts: counts)
        let rawEffective = counts.prefix(4).map { (1 - beta) / (1 - pow(beta, Double($0))) }
        let scale = 4 / rawEffective.reduce(0, +)
        for (w, r) in zip(effective, rawEffective) { XCTAssertEqual(Double(w), r * scale, accuracy: 1e-5) }
        XCTAssertEqual(effective[4], effective.prefix(4).max()!, "an absent class takes the largest weight")
        XCTAssertEqual(effective.prefix(4).reduce(0, +), 4, accuracy: 1e-5, "present classes' weights sum to their count")
        XCTAssertEqual(ClassWeighting.downweightOutside(weight: 0.1).weights(counts: counts, outside: 0), [0.1, 1, 1, 1, 1])
    }

    /// An I- after O or after another type starts an entity (conlleval's reading), rewritten to B- and counted;
    /// the entities, scored either way in conlleval mode, are the same.
    func testInvalidBIOIsRepairedAsConllevalReadsIt() throws {
        let tags = ["I-person", "I-person", "O", "I-location", "B-person", "I-location", "I-location"]
        let (fixed, repairs) = BIOValidation.repaired(tags)
        XCTAssertEqual(fixed, ["B-person", "I-person", "O", "B-location", "B-person", "B-location", "I-location"])
        XCTAssertEqual(repairs, 3)
        XCTAssertEqual(try EntityExtraction.entities([tags], scheme: .conlleval), try EntityExtraction.entities([fixed], scheme: .strictIOB2))
    }
}
