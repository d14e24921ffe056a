import Foundation
import TestSupport
import Tracking
import XCTest

/// The queue as the Slurm coordinator drives it: ready runs, runs handed to tasks, re-queued or imported back from a
/// task's own database (its shard), a stage's artifact taken where the task wrote it.
final class ClusterQueueTests: XCTestCase {
    let experiment = ExperimentRecord(id: "e", specFile: "s.yaml", description: "", createdAt: Date())
    let stage = RunRecord(experimentId: "e", hash: "k", arm: "stage:s", dataset: "d", seed: 1, fold: nil, trainingSize: nil,
                          sweepJSON: "{}", configJSON: "{}", kind: .stage)
    let run = RunRecord(experimentId: "e", hash: "r", arm: "a", dataset: "d", seed: 1, fold: nil, trainingSize: "100",
                        sweepJSON: "{}", configJSON: "{}", needs: ["k"])
    let node = RunEnvironment(host: "node7", gitRevision: "g", versionsJSON: "{}", threads: 1, blasCore: "c", job: "41_0")

    /// A task's life: its database seeded from the manifest's task, the run claimed and finished there (a stage writing
    /// its artifact into the shared folder), its archive imported by the coordinator.
    func runTask(_ task: ClusterTask, shared: URL, result: String, artifact: Bool) throws -> Data {
        let store = try ResultsStore(path: try temporaryFolder("tlab-task").appendingPathComponent("task.sqlite").path, artifacts: shared)
        try store.seed(task: task)
        let claimed = try XCTUnwrap(store.claim(experiment: "e", worker: WorkerIdentity(pid: 1), environment: node).run)
        XCTAssertEqual(claimed.hash, task.run.hash)
        XCTAssertEqual(claimed.attempts, task.run.attempts + 1, "the attempt counted as the coordinator's hand-out counts it")
        var record: ArtifactRecord?
        var resultJSON = result
        if artifact {
            let folder = shared.appendingPathComponent(claimed.hash)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("weights".utf8).write(to: folder.appendingPathComponent("w.f32"))
            resultJSON = #"{"kind":"lm","artifactSHA256":"\#(try ArtifactBundle.digest(of: folder))"}"#
            record = ArtifactRecord(configHash: claimed.hash, kind: "lm", path: claimed.hash, createdByRun: claimed.id)
        }
        if !task.stages.isEmpty {  // a run meets the stage's artifact where the coordinator has it
            let used = try XCTUnwrap(store.artifact("k"))
            XCTAssertEqual(store.url(of: used).path, shared.appendingPathComponent("k").path)
            try store.recordUse(run: claimed.id!, stage: "stage:s", artifact: used)
        }
        try store.record(metrics: [MetricRecord(runId: claimed.id!, epoch: 1, split: "valid", name: "accuracy", value: 0.75)])
        try store.finish(run: claimed.id!, status: .finished, resultJSON: resultJSON, error: nil, artifact: record)
        return try store.archive(experiment: "e")
    }

    func testStageThenRunThroughTasksAndShards() throws {
        let shared = try temporaryFolder("tlab-shared")
        let coordinator = try ResultsStore(path: try temporaryFolder("tlab-coordinator").appendingPathComponent("r.sqlite").path, artifacts: shared)
        try coordinator.register(experiment: experiment, runs: [stage, run])
        XCTAssertEqual(try coordinator.readyRuns(experiment: "e").map(\.hash), ["k"], "the run waits for the stage's artifact")

        let stageRun = try XCTUnwrap(coordinator.readyRuns(experiment: "e").first)
        let stageTask = try XCTUnwrap(coordinator.clusterTasks(for: [stageRun]).first)  // the manifest, written before the hand-out
        try coordinator.handOut([(stageRun.id!, .cluster(manifest: "m1", index: 0))])
        try coordinator.assign(job: 41, toManifest: "m1")
        let held = try coordinator.clusterRuns(experiment: "e")
        XCTAssertEqual(held.map(\.hash), ["k"])
        XCTAssertEqual(held.first?.worker, .cluster(manifest: "m1", index: 0, job: 41))
        XCTAssertEqual(held.first?.worker?.clusterManifest, "m1")
        XCTAssertEqual(try coordinator.readyRuns(experiment: "e").count, 0, "a handed-out run is not ready again")

        let stageShard = try runTask(stageTask, shared: shared, result: "", artifact: true)
        try coordinator.reopen(run: stageRun.id!)
        let summary = try coordinator.importArchive(stageShard, source: "shard m1_0", artifactsInPlace: true)
        XCTAssertEqual(summary.imported, 1)
        XCTAssertEqual(summary.artifacts, 1, "the stage's artifact is registered where the task wrote it")
        XCTAssertTrue(FileManager.default.fileExists(atPath: shared.appendingPathComponent("k/w.f32").path))
        let madeStage = try XCTUnwrap(coordinator.run(stageRun.id!))
        XCTAssertEqual([madeStage.status.rawValue, madeStage.host, madeStage.job], ["finished", "node7", "41_0"])
        XCTAssertEqual(madeStage.attempts, 1)

        let ready = try coordinator.readyRuns(experiment: "e")
        XCTAssertEqual(ready.map(\.hash), ["r"], "the stage's artifact exists: its run is ready")
        let task = try XCTUnwrap(coordinator.clusterTasks(for: ready).first)
        try coordinator.handOut([(ready[0].id!, .cluster(manifest: "m2", index: 0))])
        XCTAssertEqual(task.stages.map(\.hash), ["k"], "the task carries the stage run whose artifact it uses")
        let runShard = try runTask(task, shared: shared, result: #"{"test":{"accuracy":0.7}}"#, artifact: false)
        try coordinator.reopen(run: ready[0].id!)
        let second = try coordinator.importArchive(runShard, source: "shard m2_0", artifactsInPlace: true)
        XCTAssertEqual([second.imported, second.alreadyRecorded], [1, 1], "the run imported, the stage it carried already here")
        let finished = try XCTUnwrap(coordinator.run(ready[0].id!))
        XCTAssertEqual(finished.status, .finished)
        XCTAssertEqual(try coordinator.metrics(run: finished.id!).map(\.value), [0.75])
        XCTAssertEqual(try coordinator.uses(run: finished.id!).map(\.madeByRun), [stageRun.id!], "its use names the stage run that made the artifact")
        XCTAssertEqual(try coordinator.clusterRuns(experiment: "e").count, 0)
    }

    /// An artifact whose files are not those its stage recorded is refused, not registered.
    func testAStageArtifactWithOtherFilesIsRefused() throws {
        let shared = try temporaryFolder("tlab-shared")
        let coordinator = try ResultsStore(path: try temporaryFolder("tlab-coordinator").appendingPathComponent("r.sqlite").path, artifacts: shared)
        try coordinator.register(experiment: experiment, runs: [stage, run])
        let stageRun = try XCTUnwrap(coordinator.readyRuns(experiment: "e").first)
        let task = try XCTUnwrap(coordinator.clusterTasks(for: [stageRun]).first)
        try coordinator.handOut([(stageRun.id!, .cluster(manifest: "m1", index: 0))])
        let shard = try runTask(task, shared: shared, result: "", artifact: true)
        try Data("other".utf8).write(to: shared.appendingPathComponent("k/w.f32"))
        try coordinator.reopen(run: stageRun.id!)
        XCTAssertThrowsError(try coordinator.importArchive(shard, source: "shard m1_0", artifactsInPlace: true)) { error in
            XCTAssertTrue("\(error)".contains("recorded"), "\(error)")
        }
        XCTAssertNil(try coordinator.artifact("k"))
    }

    /// A task that ended without a shard: its run is queued again with the reason, its attempt counted unless the
    /// coordinator itself stopped it, and failed once it used its last.
    func testRequeueChargesAttemptsUntilTheLast() throws {
        let coordinator = try ResultsStore(path: try temporaryFolder("tlab-coordinator").appendingPathComponent("r.sqlite").path)
        let plain = RunRecord(experimentId: "e", hash: "p", arm: "a", dataset: "d", seed: 1, fold: nil, trainingSize: nil, sweepJSON: "{}", configJSON: "{}")
        try coordinator.register(experiment: experiment, runs: [plain])
        let id = try XCTUnwrap(coordinator.readyRuns(experiment: "e").first?.id)
        try coordinator.handOut([(id, .cluster(manifest: "m1", index: 0, job: 7))])
        XCTAssertEqual(try coordinator.requeue(run: id, reason: "stopped", chargeAttempt: false, maxAttempts: 2), .queued)
        XCTAssertEqual(try coordinator.run(id)?.attempts, 0)
        try coordinator.handOut([(id, .cluster(manifest: "m2", index: 0, job: 8))])
        XCTAssertEqual(try coordinator.requeue(run: id, reason: "Slurm task 8_0 ended CANCELLED", chargeAttempt: true, maxAttempts: 2), .queued)
        XCTAssertEqual(try coordinator.run(id)?.error, "Slurm task 8_0 ended CANCELLED")
        try coordinator.handOut([(id, .cluster(manifest: "m3", index: 0, job: 9))])
        XCTAssertEqual(try coordinator.requeue(run: id, reason: "Slurm task 9_0 ended NODE_FAIL", chargeAttempt: true, maxAttempts: 2), .failed)
        XCTAssertEqual(try coordinator.run(id)?.error, "Slurm task 9_0 ended NODE_FAIL; giving up after 2 attempt(s)")
        XCTAssertThrowsError(try coordinator.handOut([(id, .cluster(manifest: "m4", index: 0))]), "only a queued run is handed out")
    }
}
