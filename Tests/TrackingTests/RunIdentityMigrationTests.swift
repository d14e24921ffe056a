import Foundation
import GRDB
import TestSupport
@testable import Tracking
import XCTest

/// Runs recorded while their configurations carried the spec's prose come to the identity planning gives them
/// now: in a database made before (its migration), and from an archive written before (its import).
final class RunIdentityMigrationTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try temporaryFolder("tlab-identity", create: true) }

    let experiment = ExperimentRecord(id: "e", specFile: "e.yaml", description: "an experiment", createdAt: Date())

    /// A run as planning recorded it before: its configuration with the experiment's prose, an old hash.
    func recorded(_ oldHash: String, seed: Int, description: String, status: RunStatus) -> RunRecord {
        let config = #"{"experiment":{"description":"\#(description)","id":"e","question":"Why?"},"model":{"kind":"kim-cnn"},"run":{"seed":\#(seed)}}"#
        var r = RunRecord(experimentId: "e", hash: oldHash, arm: "a", dataset: "d", seed: seed, fold: nil, trainingSize: nil,
                          sweepJSON: "{}", configJSON: config)
        r.status = status
        if status.hasEnded { (r.startedAt, r.finishedAt, r.resultJSON) = (Date(), Date(), "{}") }
        return r
    }

    /// Inserts `run` into a database of the schema before `v4-worker-identity`, whose runs had no worker host or start time (nor job).
    func insertAsBefore(_ run: inout RunRecord, _ db: Database) throws {
        try run.insert(db, leavingOut: ["workerHost", "workerStarted", "job"])
    }

    func testADatabaseMadeBeforeIsMigratedLosingNoRecordedResult() throws {
        let path = folder.appendingPathComponent("old.sqlite").path
        do {  // a database as the build before this migration left it
            let pool = try DatabasePool(path: path)
            try ResultsStore.migrator.migrate(pool, upTo: "v2-stages")
            try pool.write { db in
                try experiment.insert(db)
                for var r in [recorded("finished-1", seed: 1, description: "First words.", status: .finished),
                              recorded("queued-1", seed: 1, description: "Other words.", status: .queued),  // the same run, reworded
                              recorded("finished-2", seed: 2, description: "First words.", status: .finished),
                              recorded("finished-2b", seed: 2, description: "Other words.", status: .diverged),
                              recorded("queued-3", seed: 3, description: "First words.", status: .queued),
                              RunRecord(experimentId: "e", hash: "stage", arm: "stage:lm", dataset: "d", seed: 1, fold: nil, trainingSize: nil,
                                        sweepJSON: "{}", configJSON: #"{"experiment":{"description":"x"}}"#, kind: .stage)] {
                    try insertAsBefore(&r, db)
                }
            }
        }
        // A stopped run's saved state, named by its old hash.
        let state = folder.appendingPathComponent("artifacts/queued-3.resume")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        try Data(#"{"elapsed":600}"#.utf8).write(to: state.appendingPathComponent("progress.json"))

        let store = try ResultsStore(path: path)
        let runs = try store.runs(experiment: "e")
        let expected = { (seed: Int) in try XCTUnwrap(RunIdentity.withoutProse(self.recorded("x", seed: seed, description: "", status: .queued))) }
        let byOld = { (old: String) in try store.currentHash(old, experiment: "e") }
        XCTAssertEqual(runs.map(\.status), [.finished, .finished, .diverged, .queued, .queued], "five of six: one withdrawn")
        XCTAssertEqual(try byOld("finished-1"), try expected(1).hash)
        XCTAssertEqual(try byOld("queued-1"), "queued-1", "the queued twin of a finished run is withdrawn")
        XCTAssertEqual(try byOld("finished-2"), try expected(2).hash)
        XCTAssertEqual(runs.first { $0.status == .diverged }?.hash, "finished-2b", "a second result stays, under its old hash")
        XCTAssertEqual(try byOld("queued-3"), try expected(3).hash)
        XCTAssertEqual(runs.first { $0.seed == 3 }?.configJSON, try expected(3).configJSON)
        XCTAssertFalse(runs.first { $0.seed == 3 }!.configJSON.contains("description"))
        XCTAssertEqual(runs.first { $0.isStage }?.hash, "stage", "a stage's configuration never held the prose: untouched")
        XCTAssertEqual(ResumeBundle.trainedSeconds(of: store.resumeState(of: try expected(3).hash)), 600, "its state follows it")
        XCTAssertFalse(FileManager.default.fileExists(atPath: state.path))
        XCTAssertEqual(try ResultsStore(path: path).runs(experiment: "e").map(\.hash), runs.map(\.hash), "opened again: nothing more to do")
    }

    func testAnArchiveWrittenBeforeIsImportedAsPlanningRecordsItNow() throws {
        let a = try ResultsStore(path: folder.appendingPathComponent("a/e.sqlite").path)
        try a.register(experiment: experiment, runs: [recorded("old-1", seed: 1, description: "First words.", status: .queued)])
        let run = try XCTUnwrap(a.claim(experiment: "e", worker: WorkerIdentity(pid: 1), environment: RunEnvironment(host: "h", gitRevision: "r", versionsJSON: "{}", threads: 1, blasCore: "Zen")).run)
        try a.finish(run: run.id!, status: .finished, resultJSON: #"{"status":"finished"}"#, error: nil)
        let archive = try a.archive(experiment: "e")
        XCTAssertTrue(String(decoding: archive, as: UTF8.self).contains("old-1"), "as a build before this one wrote it")

        let b = try ResultsStore(path: folder.appendingPathComponent("b/e.sqlite").path)
        XCTAssertEqual(try b.importArchive(archive, source: "e.runs.jsonl").imported, 1)
        let now = try XCTUnwrap(RunIdentity.withoutProse(recorded("old-1", seed: 1, description: "", status: .finished)))
        XCTAssertEqual(try b.runs(experiment: "e").map(\.hash), [now.hash])
        XCTAssertEqual(try b.runs(experiment: "e").map(\.configJSON), [now.configJSON])
        XCTAssertEqual(try b.currentHash("old-1", experiment: "e"), now.hash)
        XCTAssertEqual(try b.importArchive(archive, source: "e.runs.jsonl").alreadyRecorded, 1, "imported again: the same run")
    }
}
