import Datasets
import Foundation
import TestSupport
import XCTest

/// Loaders on small fixture files written here, and every malformed-input case: each error names
/// the file and, where there is one, the line.
final class FileReaderTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try temporaryFolder("tlab-files")
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func writeBytes(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func assertError(_ expression: @autoclosure () throws -> Any, contains parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            let message = "\(error)"
            for part in parts { XCTAssertTrue(message.contains(part), "'\(message)' lacks '\(part)'", file: file, line: line) }
        }
    }

    func testCSVQuotingEmbeddedNewlinesAndBOM() throws {
        let data = Data("\u{FEFF}label,text\n1,\"a, \"\"quoted\"\" one\"\n-1,\"two\nlines\"\n0,last".utf8)
        let records = try CSVReader.records(data, file: "x.csv")
        XCTAssertEqual(records.map(\.fields), [["label", "text"], ["1", "a, \"quoted\" one"], ["-1", "two\nlines"], ["0", "last"]])
        XCTAssertEqual(records.map(\.line), [1, 2, 3, 5])
        assertError(try CSVReader.records(Data("a,b\n1,\"open\n2,3\n".utf8), file: "bad.csv"), contains: ["bad.csv:2", "never closed"])
    }

    func testUserCSVTSVAndJSONL() throws {
        let csv = try write("d.csv", "id,sentence,y\n1,good film,pos\n2,\"bad, bad\",neg\n")
        XCTAssertEqual(try UserFiles.examples(TextFileSource(path: csv, text: "sentence", label: "y")),
                       [LabeledText(text: "good film", label: "pos"), LabeledText(text: "bad, bad", label: "neg")])
        let tsv = try write("d.tsv", "text\tlabel\nhello there\t1\n")
        XCTAssertEqual(try UserFiles.examples(TextFileSource(path: tsv)), [LabeledText(text: "hello there", label: "1")])
        let jsonl = try write("d.jsonl", "{\"text\": \"a\", \"label\": 3}\n\n{\"text\": \"b\", \"label\": \"x\"}\n")
        XCTAssertEqual(try UserFiles.examples(TextFileSource(path: jsonl)).map(\.label), ["3", "x"])
        let latin = try writeBytes("l.csv", Array("text,label\ncaf".utf8) + [0xE9] + Array(",1\n".utf8))
        XCTAssertEqual(try UserFiles.examples(TextFileSource(path: latin, encoding: "latin-1")).first?.text, "café")
    }

    func testMalformedUserFiles() throws {
        assertError(try UserFiles.examples(TextFileSource(path: try write("empty.csv", ""))), contains: ["empty.csv", "empty"])
        assertError(try UserFiles.examples(TextFileSource(path: try write("nolabel.csv", "text,score\nhi,1\n"))),
                    contains: ["nolabel.csv:1", "no label column 'label'"])
        assertError(try UserFiles.examples(TextFileSource(path: try write("short.csv", "text,label\nhi,1\nonly\n"))),
                    contains: ["short.csv:3", "1 fields"])
        let bad = try writeBytes("bytes.csv", Array("text,label\nok,1\n".utf8) + [0xFF, 0xFE] + Array(",1\n".utf8))
        assertError(try UserFiles.examples(TextFileSource(path: bad)), contains: ["bytes.csv:3", "not valid"])
        assertError(try UserFiles.examples(TextFileSource(path: try write("j.jsonl", "{\"text\": \"a\"}\n"))),
                    contains: ["j.jsonl:1", "no label field"])
        assertError(try UserFiles.examples(TextFileSource(path: folder.appendingPathComponent("missing.csv").path)),
                    contains: ["missing.csv", "not found"])
    }

    func testVectorFilesAndTheirErrors() throws {
        let glove = try write("v.txt", "the 0.1 0.2 0.3\ncat -1 0 1\n")
        let v = try UserFiles.vectors(path: glove, format: .glove)
        XCTAssertEqual(v.words, ["the", "cat"])
        XCTAssertEqual(v.vector("cat"), [-1, 0, 1])
        let w2v = try write("w.txt", "2 3\nthe 0.1 0.2 0.3\ncat -1 0 1\n")
        XCTAssertEqual(try UserFiles.vectors(path: w2v, format: .word2vecText).vector("the"), [0.1, 0.2, 0.3])

        assertError(try UserFiles.vectors(path: try write("short.txt", "the 0.1 0.2 0.3\ncat -1 0\n"), format: .glove),
                    contains: ["short.txt:2", "2 values, expected 3"])
        assertError(try UserFiles.vectors(path: try write("dim.txt", "2 4\nthe 0.1 0.2 0.3\n"), format: .word2vecText),
                    contains: ["dim.txt:2", "3 values, expected 4"])
        assertError(try UserFiles.vectors(path: try write("hdr.txt", "two 3\nthe 0.1 0.2 0.3\n"), format: .word2vecText),
                    contains: ["hdr.txt:1", "header"])
        assertError(try UserFiles.vectors(path: try write("count.txt", "3 3\nthe 0.1 0.2 0.3\n"), format: .word2vecText),
                    contains: ["count.txt:1", "declares 3"])
        assertError(try UserFiles.vectors(path: try write("nan.txt", "the 0.1 x 0.3\n"), format: .glove), contains: ["nan.txt:1", "'x'"])
        let utf = try writeBytes("u.txt", Array("the 1 2\n".utf8) + [0xC3, 0x28] + Array(" 1 2\n".utf8))
        assertError(try UserFiles.vectors(path: utf, format: .glove), contains: ["u.txt:2", "UTF-8"])

        // word2vec binary: header, then `word ` + dim float32s per vector.
        var bytes = Array("2 2\n".utf8)
        for (word, values) in [("the", [Float(1), 2]), ("cat", [3, 4])] {
            bytes += Array("\(word) ".utf8)
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
            bytes.append(0x0A)
        }
        let binary = try writeBytes("v.bin", bytes)
        XCTAssertEqual(try UserFiles.vectors(path: binary, format: .word2vecBinary).vector("cat"), [3, 4])
        assertError(try UserFiles.vectors(path: try writeBytes("cut.bin", Array(bytes.prefix(bytes.count - 6))), format: .word2vecBinary),
                    contains: ["cut.bin", "vector 2 ('cat')", "file ends"])
    }

    func testCoNLLAndCorpora() throws {
        let conll = try write("n.conll", "-DOCSTART- O\n\n@bob\tB-person\nrocks\tO\n\nhi\tO\n")
        XCTAssertEqual(try UserFiles.conll(path: conll),
                       [TaggedSentence(tokens: ["@bob", "rocks"], tags: ["B-person", "O"]), TaggedSentence(tokens: ["hi"], tags: ["O"])])
        assertError(try UserFiles.conll(path: try write("bad.conll", "a\tO\nb\tPERSON\n")), contains: ["bad.conll:2", "PERSON"])
        assertError(try UserFiles.conll(path: try write("one.conll", "a\tO\nlonely\n")), contains: ["one.conll:2", "one field"])
        assertError(try UserFiles.conll(path: try write("cols.conll", "a\tNN\tO\nb\tB-loc\n")), contains: ["cols.conll:2", "2 columns, line 1 has 3"])
        // I- continuing no entity of its type: at a start, after O, after another type (conlleval reads each as a new entity).
        let irregular = try UserFiles.conll(path: try write("i.conll", "a\tI-loc\nb\tI-loc\nc\tO\nd\tI-per\ne\tB-loc\nf\tI-per\n\ng\tB-org\nh\tI-org\n"))
        XCTAssertEqual(ConllReader.irregularContinuations(irregular), 3)

        XCTAssertEqual(try UserFiles.corpus(path: try write("c.txt", "doc one\n\ndoc  two\n")), ["doc one", "doc  two"])
        let docs = folder.appendingPathComponent("docs")
        try FileManager.default.createDirectory(at: docs, withIntermediateDirectories: true)
        try Data("b\ntext".utf8).write(to: docs.appendingPathComponent("2.txt"))
        try Data("a".utf8).write(to: docs.appendingPathComponent("1.txt"))
        XCTAssertEqual(try UserFiles.corpus(path: docs.path), ["a", "b text"])
        // Malformed corpora: bytes that are not UTF-8 (file and line named), a missing path.
        assertError(try UserFiles.corpus(path: try writeBytes("latin1.txt", Array("fine\ncaf".utf8) + [0xE9, 0x0A])), contains: ["latin1.txt:2", "UTF-8"])
        try Data([0x61, 0xFF]).write(to: docs.appendingPathComponent("3.txt"))
        assertError(try UserFiles.corpus(path: docs.path), contains: ["3.txt:1", "UTF-8"])
        assertError(try UserFiles.corpus(path: folder.appendingPathComponent("nowhere.txt").path), contains: ["nowhere.txt", "file not found"])
    }

    func testNumpyColumnMajorMatrix() throws {
        // 3×2 float32 in Fortran order: columns [1,2,3] and [4,5,6].
        var header = "{'descr': '<f4', 'fortran_order': True, 'shape': (3, 2), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        for v in [Float(1), 2, 3, 4, 5, 6] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        let m = try NumpyArray.readFloat32Matrix(URL(fileURLWithPath: try writeBytes("m.npy", bytes)))
        XCTAssertEqual(m.rows, 3)
        XCTAssertEqual(m.values, [1, 4, 2, 5, 3, 6], "row-major after reading column-major")
    }

    func testUnknownAndUninstallableDatasets() {
        assertError(try DatasetCatalog.entry("imdb"), contains: ["'imdb' is not installable", "as a file"])
        assertError(try DatasetCatalog.entry("mr-sentence"), contains: ["unknown dataset 'mr-sentence'", "did you mean 'mr-sentences'"])
        let store = DataStore(root: folder, cache: folder.appendingPathComponent("cache"))
        assertError(try store.examples("bbc-news"), contains: ["'bbc-news' is not installed", "tlab data install bbc-news"])
    }
}
