import Foundation
import TestSupport
import Tracking
import XCTest

final class ResultsStoreTests: XCTestCase {
    var path: String!

    override func setUpWithError() throws { path = try temporaryFolder("tlab-db", create: false).appendingPathComponent("r.sqlite").path }

    func runs(_ n: Int) -> [RunRecord] {
        (0..<n).map { RunRecord(experimentId: "e", hash: "h\($0)", arm: "a", dataset: "d", seed: $0, fold: nil, trainingSize: nil,
                                sweepJSON: "{}", configJSON: "{}") }
    }

    let environment = RunEnvironment(host: "h", gitRevision: "g", versionsJSON: "{}", threads: 1, blasCore: "c")
    let experiment = ExperimentRecord(id: "e", specFile: "s.yaml", description: "", createdAt: Date())

    func testRegistrationIsIdempotentByHash() throws {
        let store = try ResultsStore(path: path)
        XCTAssertEqual(try store.register(experiment: experiment, runs: runs(3)), 3)
        XCTAssertEqual(try store.register(experiment: experiment, runs: runs(5)), 2, "only the two new hashes")
        XCTAssertEqual(try store.runs(experiment: "e").count, 5)
        // Registering again updates the spec file and description, and keeps when the experiment began.
        let later = ExperimentRecord(id: "e", specFile: "moved.yaml", description: "edited", createdAt: experiment.createdAt.addingTimeInterval(3600))
        try store.register(experiment: later, runs: [])
        let recorded = try XCTUnwrap(store.experiments().first)
        XCTAssertEqual([recorded.specFile, recorded.description], ["moved.yaml", "edited"])
        XCTAssertEqual(recorded.createdAt.timeIntervalSince1970, experiment.createdAt.timeIntervalSince1970, accuracy: 0.001)
    }

    /// Ended runs queued again keep what they recorded: a run its result, metrics and events in an
    /// `earlier-result` event; a stage its instance marked replaced, its artifact
    /// record gone, so its dependents wait for it. No earlier per-epoch state is resumed from.
    func testRunsQueuedAgainKeepTheirEarlierRecords() throws {
        let store = try ResultsStore(path: path)
        try store.register(experiment: experiment, runs: [
            RunRecord(experimentId: "e", hash: "k", arm: "stage:s", dataset: "d", seed: 1, fold: nil, trainingSize: nil, sweepJSON: "{}", configJSON: "{}", kind: .stage),
            RunRecord(experimentId: "e", hash: "r", arm: "a", dataset: "d", seed: 1, fold: nil, trainingSize: "100", sweepJSON: "{}", configJSON: "{}", needs: ["k"]),
        ])
        let stage = try XCTUnwrap(store.claim(experiment: "e", worker: WorkerIdentity(pid: 1), environment: environment).run)
        try store.finish(run: stage.id!, status: .finished, resultJSON: #"{"kind":"lm"}"#, error: nil,
                         artifact: ArtifactRecord(configHash: "k", kind: "lm", path: "k", createdByRun: stage.id))
        let run = try XCTUnwrap(store.claim(experiment: "e", worker: WorkerIdentity(pid: 1), environment: environment).run)
        try store.recordUse(run: run.id!, stage: "stage:pretrain", artifact: XCTUnwrap(store.artifact("k")))
        try store.record(metrics: [MetricRecord(runId: run.id!, epoch: 0, split: "valid", name: "accuracy", value: 0.5),
                                   MetricRecord(runId: run.id!, epoch: 1, split: "valid", name: "accuracy", value: 0.625)])
        try store.record(event: EventRecord(runId: run.id!, kind: "note", message: "early stop"))
        try store.finish(run: run.id!, status: .finished, resultJSON: #"{"test":{"accuracy":0.6}}"#, error: nil)
        let resume = store.artifactsFolder.appendingPathComponent("r.resume")
        try FileManager.default.createDirectory(at: resume, withIntermediateDirectories: true)

        XCTAssertEqual(try store.runAgain([run.id!, stage.id!], reason: "met an earlier instance"), [run.id!, stage.id!])
        let again = try XCTUnwrap(store.run(run.id!))
        XCTAssertEqual(again.status, .queued)
        XCTAssertNil(again.resultJSON)
        XCTAssertEqual(again.attempts, 0)
        XCTAssertNil(again.gitRevision, "provenance goes with the earlier result; the next attempt records its own")
        XCTAssertNil(again.blasCore)
        XCTAssertEqual(try store.metrics(run: run.id!).count, 0)
        let events = try store.events(run: run.id!)
        XCTAssertEqual(events.map(\.kind), [EventRecord.earlierResult])
        let earlier = try XCTUnwrap(ResultsStore.earlierResults(in: events).first)
        XCTAssertEqual(earlier.reason, "met an earlier instance")
        XCTAssertEqual(earlier.status, .finished)
        XCTAssertEqual(earlier.resultJSON, #"{"test":{"accuracy":0.6}}"#)
        XCTAssertEqual(earlier.metrics.map(\.value), [0.5, 0.625])
        XCTAssertEqual(earlier.events.map(\.message), ["early stop"])
        XCTAssertEqual(earlier.gitRevision, "g")
        XCTAssertFalse(FileManager.default.fileExists(atPath: resume.path))
        XCTAssertEqual(try store.events(run: stage.id!).map(\.kind), [])
        // The stage's instance is kept as replaced; the run's use of it stays, as its earlier result's.
        let history = try store.stageHistory(experiment: "e")
        XCTAssertEqual(history.instances.count, 1)
        XCTAssertEqual(history.instances[0].madeByRun, stage.id)
        XCTAssertNotNil(history.instances[0].replacedAt)
        XCTAssertNotNil(earlier.eventId)
        XCTAssertEqual(history.uses.map(\.earlierResult), [earlier.eventId])
        XCTAssertTrue(history.instances[0].isUsed(by: history.uses[0]))
        XCTAssertEqual(try store.run(stage.id!)?.status, .queued)
        // The stage first (its artifact is gone), then the run; a run not ended is left alone.
        XCTAssertEqual(try store.claim(experiment: "e", worker: WorkerIdentity(pid: 2), environment: environment).run?.hash, "k")
        guard case .wait = try store.claim(experiment: "e", worker: WorkerIdentity(pid: 2), environment: environment) else { return XCTFail("the run waits for the stage") }
        XCTAssertEqual(try store.runAgain([stage.id!], reason: "x"), [], "a running run is not queued again")
    }

    func testQueuedRunsNoLongerPlannedAreWithdrawnButRecordedOnesKept() throws {
        let store = try ResultsStore(path: path)
        try store.register(experiment: experiment, runs: runs(4))
        let done = try XCTUnwrap(store.claim(experiment: "e", worker: WorkerIdentity(pid: 1), environment: environment).run)
        try store.finish(run: done.id!, status: .finished, resultJSON: "{}", error: nil)
        // The spec now plans only h2 and a new h9: h1 and h3 (queued) go; h0 (finished) stays.
        XCTAssertEqual(try store.withdrawQueued(experiment: "e", notIn: ["h2", "h9"]), 2)
        XCTAssertEqual(try store.register(experiment: experiment, runs: [runs(3)[2], RunRecord(experimentId: "e", hash: "h9", arm: "a", dataset: "d", seed: 9, fold: nil, trainingSize: nil, sweepJSON: "{}", configJSON: "{}")]), 1)
        XCTAssertEqual(try store.runs(experiment: "e").map(\.hash).sorted(), ["h0", "h2", "h9"])
        XCTAssertEqual(try store.runs(experiment: "e", status: .finished).map(\.hash), ["h0"])
    }

    func testClaimsAreExclusiveAcrossConnections() throws {
        let a = try ResultsStore(path: path), b = try ResultsStore(path: path)
        try a.register(experiment: experiment, runs: runs(40))
        let claimed = Claims()
        let environment = self.environment
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            let store = worker % 2 == 0 ? a : b
            while let run = try? store.claim(experiment: "e", worker: WorkerIdentity(pid: 1000 + worker), environment: environment).run {
                claimed.add(run.id!)
            }
        }
        XCTAssertEqual(claimed.ids.count, 40)
        XCTAssertEqual(Set(claimed.ids).count, 40, "no run claimed twice")
    }

    func testOrphansAreRequeuedWithoutTheirPartialMetrics() throws {
        let store = try ResultsStore(path: path)
        try store.register(experiment: experiment, runs: runs(2))
        let run = try store.claim(experiment: "e", worker: WorkerIdentity(pid: 424242), environment: environment).run!
        try store.record(metrics: [MetricRecord(runId: run.id!, epoch: 1, split: "valid", name: "accuracy", value: 0.5)])
        XCTAssertEqual(try store.requeueOrphans(experiment: "e", isAlive: { _ in false }, maxAttempts: 3), [run.id!])
        XCTAssertTrue(try store.metrics(run: run.id!).isEmpty)
        XCTAssertEqual(try store.run(run.id!)?.status, .queued)
        // After the last attempt a dying worker's run is failed, not retried forever.
        for _ in 0..<2 {  // attempts 2 and 3
            let again = try store.claim(experiment: "e", worker: WorkerIdentity(pid: 424242), environment: environment).run!
            XCTAssertEqual(again.id, run.id)
            _ = try store.requeueOrphans(experiment: "e", isAlive: { _ in false }, maxAttempts: 3)
        }
        XCTAssertEqual(try store.run(run.id!)?.status, .failed)
        XCTAssertEqual(try store.run(run.id!)?.attempts, 3)
        // Runs orphaned together with their scheduler (a killed session) do not use up attempts.
        let other = try store.claim(experiment: "e", worker: WorkerIdentity(pid: 434343), environment: environment).run!
        for _ in 0..<5 {
            XCTAssertEqual(try store.requeueOrphans(experiment: "e", isAlive: { _ in false }, maxAttempts: 3, chargeAttempt: false), [other.id!])
            XCTAssertEqual(try store.claim(experiment: "e", worker: WorkerIdentity(pid: 434343), environment: environment).run?.id, other.id)
        }
        XCTAssertEqual(try store.run(other.id!)?.attempts, 1)
    }

    func testEpochSecondsSumEachRunsTrainingSeconds() throws {
        let store = try ResultsStore(path: path)
        try store.register(experiment: experiment, runs: runs(3))
        let a = try store.claim(experiment: "e", worker: WorkerIdentity(pid: 1), environment: environment).run!.id!
        let b = try store.claim(experiment: "e", worker: WorkerIdentity(pid: 1), environment: environment).run!.id!
        try store.record(metrics: [MetricRecord(runId: a, epoch: 1, split: "train", name: "seconds", value: 1.5),
                                   MetricRecord(runId: a, epoch: 2, split: "train", name: "seconds", value: 2.25),
                                   MetricRecord(runId: a, epoch: 2, split: "train", name: "loss", value: 9),
                                   MetricRecord(runId: a, epoch: 2, split: "valid", name: "seconds", value: 9),
                                   MetricRecord(runId: b, epoch: 1, split: "train", name: "seconds", value: 4)])
        let other = ExperimentRecord(id: "f", specFile: "f.yaml", description: "", createdAt: Date())
        try store.register(experiment: other, runs: [RunRecord(experimentId: "f", hash: "x", arm: "a", dataset: "d", seed: 1, fold: nil,
                                                               trainingSize: nil, sweepJSON: "{}", configJSON: "{}")])
        let c = try store.claim(experiment: "f", worker: WorkerIdentity(pid: 1), environment: environment).run!.id!
        try store.record(metrics: [MetricRecord(runId: c, epoch: 1, split: "train", name: "seconds", value: 7)])
        XCTAssertEqual(try store.epochSeconds(experiment: "e"), [a: 3.75, b: 4])
    }

    func testTimeoutsAndReleaseAndFinish() throws {
        let store = try ResultsStore(path: path)
        try store.register(experiment: experiment, runs: runs(2))
        let first = try store.claim(experiment: "e", worker: WorkerIdentity(pid: 7), environment: environment).run!
        try store.markTimeout(run: first.id!, maxAttempts: 1)
        XCTAssertEqual(try store.run(first.id!)?.status, .timeout)
        let second = try store.claim(experiment: "e", worker: WorkerIdentity(pid: 8), environment: environment).run!
        try store.release(workers: [WorkerIdentity(pid: 8)])
        XCTAssertEqual(try store.run(second.id!)?.status, .queued)
        XCTAssertEqual(try store.run(second.id!)?.attempts, 0)
        let third = try store.claim(experiment: "e", worker: WorkerIdentity(pid: 9), environment: environment).run!
        try store.finish(run: third.id!, status: .diverged, resultJSON: "{}", error: "non-finite loss")
        XCTAssertEqual(try store.statusCounts(experiment: "e"), [.timeout: 1, .diverged: 1])
        XCTAssertEqual(try store.run(third.id!)?.host, "h")
    }

    /// Readers see consistent data while another connection writes (WAL); no "database is locked".
    func testConcurrentWritesAndReads() throws {
        let writer = try ResultsStore(path: path), reader = try ResultsStore(path: path)
        try writer.register(experiment: experiment, runs: runs(1))
        let id = try writer.runs(experiment: "e")[0].id!
        let errors = Claims()
        DispatchQueue.concurrentPerform(iterations: 2) { role in
            for epoch in 0..<200 {
                do {
                    if role == 0 {
                        try writer.record(metrics: [MetricRecord(runId: id, epoch: epoch, split: "valid", name: "loss", value: Double(epoch))])
                    } else {
                        let seen = try reader.metrics(run: id)
                        if seen.enumerated().contains(where: { $0.element.epoch != $0.offset }) { errors.add(-1) }
                    }
                } catch { errors.add(-2) }
            }
        }
        XCTAssertTrue(errors.ids.isEmpty)
        XCTAssertEqual(try reader.metrics(run: id).count, 200)
    }

    /// Seed by seed and fold by fold, larger training sets first, ready runs before stage runs of the
    /// same size; runs wait for the artifacts they need, and fail once those can no longer be made.
    func testClaimOrderAndArtifactDependencies() throws {
        let store = try ResultsStore(path: path)
        func record(_ hash: String, seed: Int, fold: Int?, size: String? = nil, kind: RunRecord.Kind = .run, needs: [String] = []) -> RunRecord {
            RunRecord(experimentId: "e", hash: hash, arm: kind == .stage ? "stage:s" : "a", dataset: "d", seed: seed, fold: fold,
                      trainingSize: size, sweepJSON: "{}", configJSON: "{}", kind: kind, needs: needs)
        }
        try store.register(experiment: experiment, runs: [
            record("r-2-0", seed: 2, fold: 0), record("r-1-1", seed: 1, fold: 1), record("r-1-0", seed: 1, fold: 0),
            record("stage", seed: 1, fold: nil, size: "1000", kind: .stage), record("needs-stage", seed: 1, fold: nil, size: "1000", needs: ["stage"]),
            record("ready-300", seed: 1, fold: nil, size: "300"), record("ready-3000", seed: 1, fold: nil, size: "3000"),
            record("ready-all", seed: 1, fold: nil, size: "all"), record("ready-1000", seed: 1, fold: nil, size: "1000"),
        ])
        var ready: [String] = []
        for _ in 0..<3 { ready.append(try XCTUnwrap(store.claim(experiment: "e", worker: WorkerIdentity(pid: 1), environment: environment).run).hash) }
        XCTAssertEqual(ready, ["ready-all", "ready-3000", "ready-1000"], "the largest first")
        let stage = try store.claim(experiment: "e", worker: WorkerIdentity(pid: 1), environment: environment).run!
        XCTAssertEqual(stage.hash, "stage", "after the ready runs of its size, before those of smaller sizes")
        var order: [String] = []
        while let run = try store.claim(experiment: "e", worker: WorkerIdentity(pid: 1), environment: environment).run { order.append(run.hash) }
        XCTAssertEqual(order, ["ready-300", "r-1-0", "r-1-1", "r-2-0"], "the run needing the stage's artifact is not ready yet")
        guard case .wait = try store.claim(experiment: "e", worker: WorkerIdentity(pid: 1), environment: environment) else { return XCTFail("expected wait") }
        try store.finish(run: stage.id!, status: .finished, resultJSON: "{}", error: nil,
                         artifact: ArtifactRecord(configHash: "stage", kind: "trivial", path: "stage", createdByRun: stage.id))
        XCTAssertEqual(try store.claim(experiment: "e", worker: WorkerIdentity(pid: 1), environment: environment).run?.hash, "needs-stage")
        // A second experiment needing the same artifact finds it; a third needing a failed stage's does not.
        try store.register(experiment: ExperimentRecord(id: "f", specFile: "f.yaml", description: "", createdAt: Date()), runs: [
            RunRecord(experimentId: "f", hash: "stage", arm: "stage:s", dataset: "d", seed: 1, fold: nil, trainingSize: nil, sweepJSON: "{}", configJSON: "{}", kind: .stage),
            RunRecord(experimentId: "f", hash: "bad", arm: "stage:b", dataset: "d", seed: 1, fold: nil, trainingSize: nil, sweepJSON: "{}", configJSON: "{}", kind: .stage),
            RunRecord(experimentId: "f", hash: "x", arm: "a", dataset: "d", seed: 1, fold: nil, trainingSize: nil, sweepJSON: "{}", configJSON: "{}", needs: ["stage", "bad"]),
        ])
        XCTAssertEqual(try store.runs(experiment: "f").map(\.hash), ["bad", "x"], "a stage whose artifact exists is not registered again")
        let bad = try store.claim(experiment: "f", worker: WorkerIdentity(pid: 2), environment: environment).run!
        try store.finish(run: bad.id!, status: .failed, resultJSON: nil, error: "boom")
        guard case .done = try store.claim(experiment: "f", worker: WorkerIdentity(pid: 2), environment: environment) else { return XCTFail("expected done") }
        let stranded = try store.runs(experiment: "f").first { $0.hash == "x" }!
        XCTAssertEqual(stranded.status, .failed)
        XCTAssertTrue(stranded.error?.contains("needs artifact bad, whose stage run failed") ?? false, stranded.error ?? "")
    }
}

final class Claims: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var ids: [Int64] = []
    func add(_ id: Int64) { lock.lock(); ids.append(id); lock.unlock() }
}

