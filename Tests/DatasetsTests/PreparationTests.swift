import Datasets
import Foundation
import Numerics
import TestSupport
import XCTest

final class PreparationTests: XCTestCase {
    let labels: [String] = (0..<100).map { $0 % 4 == 0 ? "pos" : "neg" }  // 25 pos, 75 neg

    func testHoldoutIsDeterministicStratifiedAndAPartition() {
        let spec = SplitSpec(seed: 3, valid: 0.2, test: 0.2)
        let a = Splitter.holdout(labels: labels, spec: spec)
        XCTAssertEqual(a, Splitter.holdout(labels: labels, spec: spec))
        XCTAssertNotEqual(a, Splitter.holdout(labels: labels, spec: SplitSpec(seed: 4, valid: 0.2, test: 0.2)))
        XCTAssertEqual((a.train + a.valid + a.test).sorted(), Array(0..<100))
        XCTAssertEqual(a.test.filter { labels[$0] == "pos" }.count, 5)   // 20% of 25
        XCTAssertEqual(a.test.filter { labels[$0] == "neg" }.count, 15)  // 20% of 75
    }

    func testKFoldCoversEveryExampleOnceAsTest() {
        let spec = SplitSpec(seed: 1, valid: 0.1, folds: 10)
        let splits = (0..<10).map { Splitter.fold($0, labels: labels, spec: spec) }
        XCTAssertEqual(splits.flatMap(\.test).sorted(), Array(0..<100))
        for s in splits {
            XCTAssertEqual(s.test.count, 10)
            XCTAssertTrue(Set(s.test).isDisjoint(with: s.train + s.valid))
            XCTAssertEqual((s.train + s.valid + s.test).count, 100)
            XCTAssertFalse(s.valid.isEmpty)
        }
        XCTAssertEqual(splits[3], Splitter.fold(3, labels: labels, spec: spec))
    }

    func testTrainingSubsetsAreNestedAndBalanced() {
        let train = Array(0..<100)
        let small = Splitter.trainingSubset(train, labels: labels, size: 20, seed: 9)
        let large = Splitter.trainingSubset(train, labels: labels, size: 60, seed: 9)
        XCTAssertEqual(Array(large.prefix(20)), small)
        XCTAssertTrue(Set(small).isSubset(of: Set(large)))
        XCTAssertEqual(small.filter { labels[$0] == "pos" }.count, 5, "a quarter of 20, as in the whole set")
        XCTAssertEqual(Splitter.trainingSubset(train, labels: labels, size: 500, seed: 9).count, 100)
    }

    func testTokenizerModes() {
        XCTAssertEqual(Tokenizer().tokenize("Don't panic: it's state-of-the-art, U.S. made!"),
                       ["don't", "panic", ":", "it's", "state-of-the-art", ",", "u.s", ".", "made", "!"])
        XCTAssertEqual(Tokenizer(twitter: true).tokenize("@Bob loves #NLP :) see https://t.co/x1"),
                       ["<user>", "loves", "#nlp", ":)", "see", "<url>"])
        XCTAssertEqual(Tokenizer(twitter: true, splitHashtags: true).tokenize("#Deep"), ["<hashtag>", "deep"])
        XCTAssertEqual(Tokenizer(lowercase: false, pretokenized: true).tokenize("the rock 's  new \" conan \""),
                       ["the", "rock", "'s", "new", "\"", "conan", "\""])
    }

    func testVocabularyOrderingLimitsPersistenceAndExtension() throws {
        let docs = [["b", "a", "c", "a"], ["b", "a", "d"]]
        let v = Vocabulary(documents: docs, minCount: 2)
        XCTAssertEqual(v.tokens, ["<pad>", "<unk>", "a", "b"])
        XCTAssertEqual(v.encode(["a", "zzz", "b"]), [2, 1, 3])
        XCTAssertEqual(Vocabulary(documents: docs, maxSize: 3).tokens, ["<pad>", "<unk>", "a"])
        XCTAssertEqual(Vocabulary(documents: docs).tokens, ["<pad>", "<unk>", "a", "b", "c", "d"], "ties alphabetical")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID().uuidString).tsv")
        defer { try? FileManager.default.removeItem(at: url) }
        try v.save(to: url)
        XCTAssertEqual(try Vocabulary.load(from: url), v)
        var grown = v
        XCTAssertEqual(grown.add(["a", "new"]), [4])
        XCTAssertEqual(grown.id("new"), 4)
    }

    func testEmbeddingMatrixCoverageAndOOVPolicies() {
        let vectors = WordVectors(words: ["the", "cat", "sat"], values: [1, 1, 2, 2, 3, 3], dimension: 2)
        let vocabulary = Vocabulary(counts: ["the": 5, "Cat": 3, "dog": 2])
        var rng = RandomGenerator(seed: 1)
        let (table, coverage) = EmbeddingMatrix.build(vocabulary: vocabulary, vectors: vectors, oov: .mean, rng: &rng)
        XCTAssertEqual(coverage, Coverage(typesCovered: 2, types: 3, tokensCovered: 8, tokens: 10))
        XCTAssertEqual(Array(table.array[0..<2]), [0, 0], "<pad> is zero")
        func row(_ token: String) -> [Float] { let i = 2 * Int(vocabulary.id(token)!); return [table[i], table[i + 1]] }
        XCTAssertEqual(row("Cat"), [2, 2], "lower-case fallback")
        XCTAssertEqual(row("dog"), [2, 2], "mean of the vectors")

        // Kim's uniform policy matches the pretrained variance: U[−a, a] with a = √(3·var).
        var values: [Float] = []
        var r = RandomGenerator(seed: 2)
        for _ in 0..<2000 { values.append(r.normal() * 0.5) }
        let big = WordVectors(words: (0..<1000).map { "w\($0)" }, values: values, dimension: 2)
        let oovOnly = Vocabulary(counts: Dictionary(uniqueKeysWithValues: (0..<3000).map { ("x\($0)", 1) }))
        let (random, _) = EmbeddingMatrix.build(vocabulary: oovOnly, vectors: big, oov: .uniform, rng: &rng)
        let rows = Array(random.array[4...])  // skip <pad>, <unk>
        let variance = rows.map { Double($0 * $0) }.reduce(0, +) / Double(rows.count)
        XCTAssertEqual(variance, big.moments().variance, accuracy: 0.02)
    }

    func testExtendingAnEmbeddingTable() {
        var rng = RandomGenerator(seed: 4)
        let table = Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6])
        let grown = EmbeddingMatrix.extend(table, adding: 2, rows: .meanOfParts([[0, 2], []], fallbackStd: 0.1), rng: &rng)
        XCTAssertEqual(grown.shape, [5, 2])
        XCTAssertEqual(Array(grown.array[0..<6]), table.array, "old rows unchanged")
        XCTAssertEqual(Array(grown.array[6..<8]), [3, 4], "mean of rows 0 and 2")
        XCTAssertTrue(grown.array[8..<10].allSatisfy { abs($0) < 1 && $0 != 0 })
    }

    func testSpearmanAndAnalogyEvaluation() {
        XCTAssertEqual(VectorEvaluation.spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1, accuracy: 1e-12)
        XCTAssertEqual(VectorEvaluation.spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1, accuracy: 1e-12)
        // With ties, average ranks: x ranks [1, 2.5, 2.5, 4], y ranks [1, 2, 3, 4] → ρ = 4.5/√(4.5·5).
        XCTAssertEqual(VectorEvaluation.spearman([1, 2, 2, 3], [1, 2, 3, 4]), 4.5 / (4.5 * 5).squareRoot(), accuracy: 1e-12)

        let vectors = WordVectors(words: ["man", "woman", "king", "queen", "apple"],
                                  values: [1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0.1, 0],
                                  dimension: 4)
        let q = [AnalogyQuestion(section: "family", a: "man", b: "woman", c: "king", d: "queen"),
                 AnalogyQuestion(section: "family", a: "man", b: "woman", c: "king", d: "apple"),
                 AnalogyQuestion(section: "x", a: "man", b: "pear", c: "king", d: "queen")]
        let r = VectorEvaluation.analogies(vectors, questions: q)
        XCTAssertEqual(r.answered, 2)
        XCTAssertEqual(r.correct, 1)
        XCTAssertEqual(r.total, 3)
    }

    func testWikiMarkupStripping() {
        let text = "'''Anarchism''' is a {{Infobox|x={{nested}}}} [[political philosophy|philosophy]] that [[rejects]]<ref>Cite</ref> rulers.\n== History ==\n[[File:A.jpg|thumb|A [[caption]]]]* Item &amp; more [http://x.org site]"
        XCTAssertEqual(WikiMarkup.strip(text), "Anarchism is a philosophy that rejects rulers. History Item & more site")
    }
}
