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

    /// A database holding only ended runs (one a run archive filled) still gets the interim banner while the spec plans
    /// runs it does not hold.
    func testRunsThePlanHoldsAndTheDatabaseDoesNotMakeTheNotebookInterim() throws {
        let folder = try temporaryFolder("tlab-writer-interim")
        let specPath = folder.appendingPathComponent("w.yaml")
        try Data("experiment: {id: w}\ndata: {datasets: [mr-sentences]}\nmodel: {kind: kim-cnn}\nsweep: {seed: [1, 2, 3]}\n".utf8).write(to: specPath)
        let spec = try SpecLoader.load(specPath.path)
        let planned = try Expansion.runs(spec)
        XCTAssertEqual(planned.count, 3)
        let store = try ResultsStore(path: folder.appendingPathComponent("r.sqlite").path)
        let first = planned[0]
        _ = try store.register(experiment: ExperimentRecord(id: "w", specFile: specPath.path, description: "", createdAt: Date()),
                               runs: [RunRecord(experimentId: "w", hash: first.hash, arm: first.arm, dataset: first.dataset, seed: first.seed, fold: nil,
                                                trainingSize: nil, sweepJSON: "{}", configJSON: "{}")])
        let environment = RunEnvironment(host: "h", gitRevision: "abc", versionsJSON: "{}", threads: 1, blasCore: "Haswell")
        let run = try XCTUnwrap(store.claim(experiment: "w", worker: WorkerIdentity(pid: 1), environment: environment).run)
        try store.finish(run: run.id!, status: .finished, resultJSON: #"{"status":"finished","test":{"accuracy":0.7}}"#, error: nil)
        let written = try NotebookWriter.write(spec: spec, planned: planned, store: store, folder: folder.appendingPathComponent("notebooks"),
                                               command: "test", revision: "test", dataLines: [])
        let markdown = try String(contentsOf: written.notebook, encoding: .utf8)
        XCTAssertTrue(markdown.contains("> **Interim report**: 1 of the 3 runs the spec plans have ended; 2 have not run yet."), markdown)
    }
}
