import Foundation
import GRDB
import TestSupport
@testable import Tracking
import XCTest

/// A database written before stage instances were rows (their events only) is brought up to date when opened:
/// migration `v5-stage-instances` makes the rows and drops the events they came from.
final class StageInstanceMigrationTests: XCTestCase {
    func testLegacyStageEventsBecomeRowsWhenTheDatabaseIsOpened() throws {
        let path = try temporaryFolder("tlab-migration").appendingPathComponent("old.sqlite").path
        let finished = Date(timeIntervalSince1970: 1_700_000_000.25)
        do {
            let pool = try DatabasePool(path: path)
            try ResultsStore.migrator.migrate(pool, upTo: "v4-worker-identity")
            try pool.write { db in
                try ExperimentRecord(id: "e", specFile: "e.yaml", description: "", createdAt: Date()).insert(db)
                var stage = RunRecord(experimentId: "e", hash: "stagekey0001aa", arm: "stage:pretrain", dataset: "corpus", seed: 1, fold: nil,
                                      trainingSize: nil, sweepJSON: "{}", configJSON: "{}", kind: .stage)
                stage.status = .finished; stage.finishedAt = finished; stage.host = "vm"; stage.blasCore = "Zen"; stage.threads = 1
                stage.gitRevision = "0123456789abcdef"; stage.resultJSON = #"{"kind":"lm-pretrain"}"#
                try stage.insert(db, leavingOut: ["job"])  // (added by v6-cluster-jobs)
                var run = RunRecord(experimentId: "e", hash: "r", arm: "siatl", dataset: "d", seed: 1, fold: nil, trainingSize: "100",
                                    sweepJSON: "{}", configJSON: "{}", needs: ["stagekey0001aa"])
                run.status = .finished; run.finishedAt = finished.addingTimeInterval(60)
                try run.insert(db, leavingOut: ["job"])
                let at = "2023-11-14T22:13:20.250Z"
                XCTAssertEqual(RunArchive.dates.string(from: finished), at)
                for (runId, kind, message) in [
                    (stage.id!, "earlier-instance", "made by run 9 finished 2023-11-01T00:00:00.000Z at revision fedcba987654 on old with OpenBLAS Cooperlake, 2 thread(s); result none"),
                    (run.id!, "artifact", "uses stage:pretrain stagekey0001, made by run \(stage.id!) finished \(at) at revision 0123456789ab on vm with OpenBLAS Zen, 1 thread(s); result {}"),
                    (run.id!, "note", "vocabulary 10"),
                ] {
                    var event = EventRecord(runId: runId, kind: kind, message: message)
                    try event.insert(db)
                }
            }
        }
        let store = try ResultsStore(path: path)
        let history = try store.stageHistory(experiment: "e")
        XCTAssertEqual(history.instances.map(\.identity), ["made by run 9 finished 2023-11-01T00:00:00.000Z", "made by run 1 finished 2023-11-14T22:13:20.250Z"])
        XCTAssertEqual(history.instances[0].provenance, "at revision fedcba987654 on old with OpenBLAS Cooperlake, 2 thread(s)")
        XCTAssertNil(history.instances[0].resultJSON, "'result none'")
        XCTAssertNotNil(history.instances[0].replacedAt)
        XCTAssertNil(history.instances[1].replacedAt, "the finished stage's artifact holds the instance it made")
        XCTAssertEqual(history.uses.count, 1)
        XCTAssertEqual(history.uses[0].stageKey, "stagekey0001aa", "the full key, from the run's needs")
        XCTAssertEqual(history.uses[0].stage, "stage:pretrain")
        XCTAssertTrue(history.instances[1].isUsed(by: history.uses[0]))
        XCTAssertEqual(try store.events(run: 2).map(\.kind), ["note"], "the converted events are gone, the others kept")
        XCTAssertEqual(try store.events(run: 1).map(\.kind), [])
    }
}
