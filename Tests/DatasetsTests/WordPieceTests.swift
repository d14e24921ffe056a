import Datasets
import Foundation
import TestSupport
import XCTest

/// WordPiece against Hugging Face `tokenizers` on minilm-l6's own tokenizer (fixture written by
/// `Tests/References/make_wordpiece_fixtures.py`): ids, offsets and word ids identical, 100%.
final class WordPieceTests: XCTestCase {
    var store: DataStore!
    var tokenizer: WordPieceTokenizer!
    var fixture: Fixture!

    override func setUpWithError() throws {
        store = DataStore(root: installedDataRoot())
        tokenizer = try WordPieceTokenizer(vocabulary: store.folder("minilm-l6").appendingPathComponent("vocab.txt"))
        fixture = try Fixture("wordpiece")
    }

    /// A text of the fixture: its own, or the first `length` code points of a dataset's line.
    func text(_ source: String, _ line: Int, _ length: Int?, _ cache: inout [String: [String]]) throws -> String {
        if cache[source] == nil {
            cache[source] = source == "python-docs" ? try store.documents(source) : try store.examples(source).map(\.text)
        }
        let text = cache[source]![line]
        return length.map { String(String.UnicodeScalarView(text.unicodeScalars.prefix($0))) } ?? text
    }

    func flatOffsets(_ e: WordPieceTokenizer.Encoding) -> [Int] {
        e.offsets.flatMap { $0.map { [$0.lowerBound, $0.upperBound] } ?? [0, 0] }
    }

    func testTextsEncodeAsTheReferenceDoes() throws {
        var cache: [String: [String]] = [:]
        let cases = try XCTUnwrap(fixture["cases"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(cases.count, 2_000)
        var mismatches = 0
        for (n, c) in cases.enumerated() {
            let input = try (c["text"] as? String) ?? text(c["source"] as! String, c["line"] as! Int, c["length"] as? Int, &cache)
            let e = tokenizer.encode(input)
            let ids = e.ids.map(Int.init), words = e.wordIds.map { $0 ?? -1 }
            if ids != c["ids"] as! [Int] || flatOffsets(e) != c["offsets"] as! [Int] || words != c["words"] as! [Int] {
                mismatches += 1
                if mismatches <= 5 {
                    XCTFail("case \(n) (\(c["source"] ?? "constructed")): \(input.prefix(80).debugDescription)\n ours \(ids.prefix(40)) \(flatOffsets(e).prefix(20)) \(words.prefix(20))\n ref  \((c["ids"] as! [Int]).prefix(40)) \((c["offsets"] as! [Int]).prefix(20)) \((c["words"] as! [Int]).prefix(20))")
                }
            }
        }
        XCTAssertEqual(mismatches, 0, "\(mismatches) of \(cases.count) texts differ")
    }

    func testPairsWithTruncationEncodeAsTheReferenceDoes() throws {
        var cache: [String: [String]] = [:]
        let pairs = try XCTUnwrap(fixture["pairs"] as? [[String: Any]])
        XCTAssertGreaterThan(pairs.count, 150)
        for (n, p) in pairs.enumerated() {
            let (f, s) = (p["first"] as! [Any], p["second"] as! [Any])
            let a = try text(f[0] as! String, f[1] as! Int, nil, &cache), b = try text(s[0] as! String, s[1] as! Int, nil, &cache)
            let truncation = (p["truncation"] as? String).flatMap(WordPieceTokenizer.Truncation.init(rawValue:)) ?? .longestFirst
            let e = tokenizer.encode(a, pair: b, maxLength: p["max_length"] as? Int, truncation: truncation)
            XCTAssertEqual(e.ids.map(Int.init), p["ids"] as! [Int], "pair \(n) (\(truncation))")
            XCTAssertEqual(e.typeIds.map(Int.init), p["types"] as! [Int], "pair \(n)")
            XCTAssertEqual(flatOffsets(e), p["offsets"] as! [Int], "pair \(n)")
            XCTAssertEqual(e.wordIds.map { $0 ?? -1 }, p["words"] as! [Int], "pair \(n)")
        }
    }

    /// Pre-split words (NER): pieces and the word each came from, as `is_pretokenized=True` gives them.
    func testPreSplitWordsEncodeAsTheReferenceDoes() throws {
        let sentences = try store.sentences("wnut16-ner")
        let lists = try XCTUnwrap(fixture["words"] as? [[String: Any]])
        for l in lists {
            let words = sentences[l["sentence"] as! Int].tokens
            let e = tokenizer.encode(words: words)
            XCTAssertEqual(e.ids.map(Int.init), l["ids"] as! [Int], "sentence \(l["sentence"]!): \(words)")
            XCTAssertEqual(e.wordIds.map { $0 ?? -1 }, l["words"] as! [Int], "sentence \(l["sentence"]!)")
        }
    }

    /// Words added to the vocabulary are matched whole, before WordPiece, and get new ids after the last.
    func testAddedWordsAreMatchedWhole() throws {
        var t = tokenizer!
        let before = t.encode("the covid vaccine").ids
        let ids = t.add(["covid"])
        XCTAssertEqual(ids, [Int32(tokenizer.count)])
        let after = t.encode("the covid vaccine").ids
        XCTAssertGreaterThan(before.count, after.count, "'covid' (not in the 2018 vocabulary) was several pieces")
        XCTAssertEqual(after, [tokenizer.classifier, tokenizer.id(of: "the")!, ids[0], tokenizer.id(of: "vaccine")!, tokenizer.separator])
        XCTAssertEqual(t.add(["covid", "the"]), [], "known tokens are not added twice")
    }

    /// Padding appends [PAD] with attention mask 0; truncation of a single text keeps [CLS] … [SEP].
    func testPaddingAndTruncation() throws {
        let e = tokenizer.encode("a short text", padTo: 10)
        XCTAssertEqual(e.ids.count, 10)
        XCTAssertEqual(e.attentionMask, [1, 1, 1, 1, 1, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(e.ids.suffix(5)), Array(repeating: tokenizer.padding, count: 5))
        let t = tokenizer.encode("one two three four five six", maxLength: 5)
        XCTAssertEqual(t.ids.count, 5)
        XCTAssertEqual(t.ids.first, tokenizer.classifier)
        XCTAssertEqual(t.ids.last, tokenizer.separator)
    }
}
