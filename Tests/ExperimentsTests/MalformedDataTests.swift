import Datasets
@testable import Experiments
import Foundation
import Specs
import TestSupport
import XCTest

/// The data files users produce, malformed: `validate` reads and checks them before anything runs, each problem at
/// its file and line; an edited file plans new runs.
final class MalformedDataTests: XCTestCase {
    func problems(_ folder: URL, file name: String, _ bytes: Data, format: String = "") throws -> String {
        let path = folder.appendingPathComponent(name).path
        try bytes.write(to: URL(fileURLWithPath: path))
        let spec = folder.appendingPathComponent("s.yaml")
        try Data("""
        experiment: {id: files}
        data: {datasets: [{file: \(path)\(format)}]}
        model: {kind: kim-cnn}
        """.utf8).write(to: spec)
        let runs = try Expansion.runs(try SpecLoader.load(spec.path))
        return SpecCheck.problems(in: runs, data: DataStore(root: folder)).filter { !$0.contains("glove-6b-50d") }.joined(separator: "\n")
    }

    func testMalformedTextFilesAreFoundAtValidateWithTheirLine() throws {
        let folder = try temporaryFolder("tlab-data-files")
        let cases: [(String, Data, String, [String])] = [
            ("nul.csv", Data("text,label\ngood,pos\nb".utf8) + Data([0, 0]) + Data("d,neg\n".utf8), "", ["nul.csv:3", "NUL byte"]),
            ("one-class.csv", Data("text,label\ngood,pos\nfine,pos\n".utf8), "", ["one-class.csv", "two classes at least"]),
            ("ragged.csv", Data("text,label\ngood,pos\nbad,neg,extra\n".utf8), "", ["ragged.csv:3", "3 fields, the header has 2"]),
            ("empty.csv", Data(), "", ["empty.csv", "empty"]),
            ("header-only.csv", Data("text,label\n".utf8), "", ["header-only.csv", "no examples"]),
            ("no-label.csv", Data("text,score\ngood,1\n".utf8), "", ["no-label.csv:1", "no label column 'label'"]),
            ("unclosed.csv", Data("text,label\n\"good,pos\nbad,neg\n".utf8), "", ["unclosed.csv:2", "never closed"]),
            ("latin.csv", Data("text,label\ncaf".utf8) + Data([0xE9]) + Data(",pos\nbad,neg\n".utf8), "", ["latin.csv:2", "not valid"]),
            ("broken.jsonl", Data("{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\", \"label\"\n".utf8), "", ["broken.jsonl:2", "not a JSON object"]),
            ("no-text.jsonl", Data("{\"text\": \"a\", \"label\": 1}\n{\"body\": \"b\", \"label\": 2}\n".utf8), "", ["no-text.jsonl:2", "no string field 'text'"]),
            ("one-class.jsonl", Data("{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\", \"label\": 1}\n".utf8), "", ["one-class.jsonl", "two classes"]),
            ("wrong-column.tsv", Data("text\tlabel\ngood\tpos\n".utf8), ", text: sentence", ["wrong-column.tsv:1", "no text column 'sentence'"]),
            ("utf16.csv", "text,label\ngood,pos\nbad,neg\n".data(using: .utf16LittleEndian)!, "", ["utf16.csv:1", "NUL byte"]),
            ("blank.jsonl", Data("\n\n  \n".utf8), "", ["blank.jsonl", "empty"]),
            ("bad-encoding.csv", Data("text,label\ngood,pos\nbad,neg\n".utf8), ", encoding: klingon", ["bad-encoding.csv", "unknown encoding 'klingon'"]),
        ]
        let tlab = TlabProcess.isBuilt ? TlabProcess(folder: folder) : nil
        let db = folder.appendingPathComponent("results.sqlite").path
        for (name, bytes, format, fragments) in cases {
            let start = Date()
            let found = try problems(folder, file: name, bytes, format: format)
            for fragment in fragments { XCTAssertTrue(found.contains(fragment), "\(name): '\(found)' lacks '\(fragment)'") }
            XCTAssertLessThan(Date().timeIntervalSince(start), 2, name)
            // And through the command line: a non-zero exit within 2 s naming the file, no backtrace, under 200 MB, nothing written.
            guard let tlab else { continue }
            let spec = folder.appendingPathComponent("s.yaml").path
            for command in [["validate", spec], ["run", spec, "--db", db]] {
                let began = Date()
                let (status, output, memory) = try tlab.measured(command)
                XCTAssertNotEqual(status, 0, "\(name), tlab \(command[0])")
                XCTAssertTrue(output.contains(fragments[0]), "\(name), tlab \(command[0]): \(output)")
                XCTAssertFalse(output.contains("Fatal error") || output.contains("Backtrace"), "\(name): \(output)")
                XCTAssertLessThan(Date().timeIntervalSince(began), 2, "\(name), tlab \(command[0])")
                XCTAssertLessThan(memory, 200 * 1024, "\(name): \(memory) KiB")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: db), "\(name): a results database was written")
        }
    }

    func testMalformedVectorFilesAreRefusedAtTheirLine() throws {
        let folder = try temporaryFolder("tlab-vector-files")
        let cases: [(String, String, [String])] = [
            ("duplicate.txt", "the 0.1 0.2\nof 0.3 0.4\nthe 0.5 0.6\n", ["duplicate.txt:3", "the word 'the' again (first on line 1)"]),
            ("nan.txt", "the 0.1 0.2\nof nan 0.4\n", ["nan.txt:2", "not a finite number"]),
            ("inf.txt", "the 0.1 inf\n", ["inf.txt:1", "not a finite number"]),
            ("short.txt", "the 0.1 0.2\nof 0.3\n", ["short.txt:2", "a short or long row"]),
            ("empty.txt", "", ["empty.txt", "no vectors"]),
        ]
        for (name, text, fragments) in cases {
            let path = folder.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try UserFiles.vectors(path: path, format: .glove), name) { error in
                for fragment in fragments { XCTAssertTrue("\(error)".contains(fragment), "\(name): '\(error)' lacks '\(fragment)'") }
            }
        }
    }

    /// A user file's content is part of a run's identity: the same spec over an edited file plans other runs.
    func testAnEditedFilePlansNewRuns() throws {
        let folder = try temporaryFolder("tlab-data-identity")
        let csv = folder.appendingPathComponent("reviews.csv")
        let spec = folder.appendingPathComponent("s.yaml")
        try Data("experiment: {id: x}\ndata: {datasets: [{file: \(csv.path)}]}\nmodel: {kind: kim-cnn}\n".utf8).write(to: spec)
        try Data("text,label\ngood,pos\nbad,neg\n".utf8).write(to: csv)
        let before = try Expansion.runs(try SpecLoader.load(spec.path))
        XCTAssertEqual(before.first?.dataset, "reviews", "named after the file, never its path")
        XCTAssertEqual(try Expansion.runs(try SpecLoader.load(spec.path)).map(\.hash), before.map(\.hash))
        try Data("text,label\ngood,pos\nawful,neg\n".utf8).write(to: csv)
        XCTAssertNotEqual(try Expansion.runs(try SpecLoader.load(spec.path)).map(\.hash), before.map(\.hash))
    }
}
