import Foundation
@testable import Reports
import Specs
import TestSupport
import Tracking
import XCTest

/// `tlab report` never replaces a notebook with a run-less one unless asked, and writes nothing outside its folder.
final class NotebookWriterTests: XCTestCase {
    func testANotebookIsNotReplacedByOneWithoutRuns() throws {
        let folder = try temporaryFolder("tlab-writer")
        let specPath = folder.appendingPathComponent("w.yaml")
        try Data("experiment: {id: w}\ndata: {datasets: [mr-sentences]}\nmodel: {kind: kim-cnn}\n".utf8).write(to: specPath)
        let spec = try SpecLoader.load(specPath.path)
        let store = try ResultsStore(path: folder.appendingPathComponent("r.sqlite").path)
        let out = folder.appendingPathComponent("notebooks")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let existing = out.appendingPathComponent("w.md")
        try Data("# a notebook with results\n".utf8).write(to: existing)
        func write(replacing: Bool) throws -> NotebookWriter.Written {
            try NotebookWriter.write(spec: spec, planned: try Expansion.runs(spec), store: store, folder: out, command: "test", revision: "test",
                                     dataLines: [], replacingWithoutRuns: replacing)
        }
        XCTAssertThrowsError(try write(replacing: false)) { XCTAssertTrue("\($0)".contains("holds no run of this spec"), "\($0)") }
        XCTAssertEqual(try String(contentsOf: existing, encoding: .utf8), "# a notebook with results\n")
        XCTAssertEqual(try write(replacing: true).runs, 0)
        XCTAssertNotEqual(try String(contentsOf: existing, encoding: .utf8), "# a notebook with results\n")
    }
}
