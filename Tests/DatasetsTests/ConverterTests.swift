@testable import Datasets
import Foundation
import TestSupport
import XCTest

/// Every converter on a small fake package laid out like the real one (the real packages are
/// installed end to end by `.ci/run`'s set-up step). GloVe's parquet index and the R lazy-load
/// databases need the install-time venv and are covered there.
final class ConverterTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = try temporaryFolder("tlab-conv")
    }

    /// Writes `files` (path → content) into a fake extracted package, converts `id`, returns the output folder and counts.
    func convert(_ id: String, _ files: [String: Data]) throws -> (URL, Converter.Counts) {
        let package = root.appendingPathComponent("pkg-\(id)"), output = root.appendingPathComponent("out-\(id)")
        for (path, data) in files {
            let url = package.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let counts = try Converter(entry: try DatasetCatalog.entry(id), package: package, output: output,
                                   special: SpecialFormats(cache: root, log: { _ in })).convert()
        return (output, counts)
    }

    func member(_ id: String) throws -> String { try DatasetCatalog.entry(id).members[0] }

    func testPatternCSVsTaggedCorpusAndUncertainty() throws {
        let (out, counts) = try convert("mr-sentences", [try member("mr-sentences"): Data("\u{FEFF}\"1\",\"a fine film , truly \"\n\"-1\",\"dull\"\n".utf8)])
        XCTAssertEqual(try NormalizedFormat.readExamples(out.appendingPathComponent(NormalizedFormat.examples)),
                       [LabeledText(text: "a fine film , truly", label: "pos"), LabeledText(text: "dull", label: "neg")])
        XCTAssertEqual(counts.labels, ["pos": 1, "neg": 1])
        XCTAssertEqual(counts.tokens, 6)
        XCTAssertEqual(try convert("wiki-uncertainty", [try member("wiki-uncertainty"): Data("\"-1\",\"It may rain.\"\n".utf8)]).1.labels, ["uncertain": 1])
        XCTAssertThrowsError(try convert("mr-reviews", [try member("mr-reviews"): Data("\"2\",\"x\"\n".utf8)])) {
            XCTAssertTrue("\($0)".contains("pang&lee1.csv:1"), "\($0)")
        }
        let (oanc, _) = try convert("oanc", [try member("oanc"): Data("Has/VBZ the/DT Net/NN ?/.\nU.S./NNP rules/VBZ\n".utf8)])
        XCTAssertEqual(try NormalizedFormat.readDocuments(oanc.appendingPathComponent(NormalizedFormat.documents)), ["Has the Net ?", "U.S. rules"])
    }

    func testBBCTweetsAndNER() throws {
        let bbc = try member("bbc-news")
        let (out, counts) = try convert("bbc-news", ["\(bbc)/tech/001.txt": Data("Chips rise\n\nIntel said.".utf8),
                                                     "\(bbc)/sport/002.txt": Data("Goal\nScored.".utf8)])
        XCTAssertEqual(counts.labels, ["tech": 1, "sport": 1])
        XCTAssertEqual(try NormalizedFormat.readExamples(out.appendingPathComponent(NormalizedFormat.examples)).map(\.text),
                       ["Goal Scored.", "Chips rise Intel said."])
        let tweets = Data("sentiment,confidence,text\n".utf8) + Data([0x6E, 0x65, 0x75, 0x74, 0x72, 0x61, 0x6C, 0x2C, 0x31, 0x2C, 0x63, 0x61, 0x66, 0xE9, 0x0A])
        let (tw, twCounts) = try convert("tweets-sentiment", [try member("tweets-sentiment"): tweets])
        XCTAssertEqual(twCounts.labels, ["neutral": 1])
        XCTAssertEqual(try NormalizedFormat.readExamples(tw.appendingPathComponent(NormalizedFormat.examples)).first?.text, "café", "latin-1 decoded")
        let (ner, nerCounts) = try convert("wnut16-ner", [try member("wnut16-ner"): Data("@bob\tO\nParis\tB-geo-loc\n\nhi\tO\n".utf8)])
        XCTAssertEqual(nerCounts.items, 2)
        XCTAssertEqual(try NormalizedFormat.readSentences(ner.appendingPathComponent(NormalizedFormat.sentences)).first?.tags, ["O", "B-geo-loc"])
    }

    func testGensimTestDataFormats() throws {
        let (_, lee) = try convert("lee-news", [try member("lee-news"): Data("First article here.\nSecond one.\n".utf8)])
        XCTAssertEqual(lee.items, 2)
        let (sim, simCounts) = try convert("wordsim353", [try member("wordsim353"): Data("# header\n# Word 1\tWord 2\tHuman (mean)\nlove\tsex\t6.77\ntiger\tcat\t7.35\n".utf8)])
        XCTAssertEqual(simCounts.items, 2)
        XCTAssertEqual(try NormalizedFormat.readPairs(sim.appendingPathComponent(NormalizedFormat.pairs)).last, WordPair(first: "tiger", second: "cat", score: 7.35))
        let (_, analogies) = try convert("analogies", [try member("analogies"): Data(": capitals\nAthens Greece Baghdad Iraq\n: family\nboy girl man woman\n".utf8)])
        XCTAssertEqual(analogies.labels, ["capitals": 1, "family": 1])
        let (tiny, tinyCounts) = try convert("glove-tiny", [try member("glove-tiny"): Data("the 0.5 1\nof -1 2\n".utf8)])
        XCTAssertEqual(tinyCounts.dimension, 2)
        XCTAssertEqual(try WordVectors(mappingFolder: tiny).vector("of"), [-1, 2])
    }

    func testWikipediaDumpIsParsedAndStripped() throws {
        let xml = """
        <mediawiki><page><title>Anarchism</title><ns>0</ns><revision><text>'''Anarchism''' is a [[political philosophy]].{{cite}}</text></revision></page>
        <page><title>Talk:X</title><ns>1</ns><revision><text>talk page</text></revision></page>
        <page><title>Old</title><ns>0</ns><redirect title="New"/><revision><text>#REDIRECT [[New]]</text></revision></page></mediawiki>
        """
        let plain = root.appendingPathComponent("dump.xml")
        try Data(xml.utf8).write(to: plain)
        try Shell.run(["bzip2", "-k", plain.path])
        let (out, counts) = try convert("wiki-excerpt", [try member("wiki-excerpt"): try Data(contentsOf: URL(fileURLWithPath: plain.path + ".bz2"))])
        XCTAssertEqual(counts.items, 1, "talk pages and redirects are skipped")
        XCTAssertEqual(try NormalizedFormat.readDocuments(out.appendingPathComponent(NormalizedFormat.documents)), ["Anarchism is a political philosophy."])
    }

    func testPythonDocsAndParagraphs() throws {
        let base = try member("python-docs")
        let (out, counts) = try convert("python-docs", ["\(base)/library/os.rst.txt": Data("os\n==\n\nMiscellaneous.".utf8),
                                                       "\(base)/about.rst.txt": Data("About".utf8),
                                                       "\(base)/ignore.html": Data("x".utf8)])
        XCTAssertEqual(counts.items, 2)
        XCTAssertEqual(try NormalizedFormat.readDocuments(out.appendingPathComponent(NormalizedFormat.documents)), ["About", "os == Miscellaneous."])
        XCTAssertEqual(Converter.paragraphs(["A b", "c", "", "  ", "D"]), ["A b c", "D"])
    }
}
