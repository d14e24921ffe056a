import Foundation
import GRDB

/// The queue: registering planned runs, claiming, finishing, timing out and releasing them, and putting back the runs of
/// workers that died.
extension ResultsStore {

    /// Registers an experiment and its runs; runs already present (same experiment and hash) are kept
    /// as they are, so a finished configuration is never queued twice. A stage run is registered only
    /// while a run that has not ended needs its artifact (directly or through another stage) and the
    /// artifact does not exist; a stage recorded as made whose artifact is not here (its database
    /// imported from another machine's archive) is queued again, its old metrics and events dropped.
    /// Returns how many runs were new or queued again.
    @discardableResult
    public func register(experiment: ExperimentRecord, runs: [RunRecord]) throws -> Int {
        try pool.write { db in
            if try ExperimentRecord.exists(db, key: experiment.id) {  // keeps the experiment's first createdAt
                try db.execute(sql: "UPDATE experiments SET specFile = ?, description = ? WHERE id = ?",
                               arguments: [experiment.specFile, experiment.description, experiment.id])
            } else {
                try experiment.insert(db)
            }
            var added = 0
            var needed = Set<String>()
            for run in runs where !run.isStage {
                let status = try RunStatus.fetchOne(db, sql: "SELECT status FROM runs WHERE experimentId = ? AND hash = ?",
                                                    arguments: [run.experimentId, run.hash])
                if !(status?.isTerminal ?? false) { needed.formUnion(run.neededArtifacts) }
            }
            // Stages needed by needed stages (a fine-tuning stage needs the pretraining one's artifact).
            let stages = runs.filter(\.isStage)
            while true {
                let more = stages.filter { needed.contains($0.hash) }.flatMap(\.neededArtifacts).filter { !needed.contains($0) }
                if more.isEmpty { break }
                needed.formUnion(more)
            }
            for var stage in stages where needed.contains(stage.hash) {
                if try ArtifactRecord.exists(db, key: stage.hash) { continue }  // made by any experiment: not again
                if var made = try RunRecord.filter(RunRecord.Columns.experimentId == stage.experimentId && RunRecord.Columns.hash == stage.hash).fetchOne(db) {
                    guard made.status == .finished else { continue }
                    try Self.dropRecords(of: made.id!, db)
                    try StageInstanceRecord.replace(madeBy: made, db)
                    made.status = .queued
                    made.attempts = 0
                    made.startedAt = nil; made.finishedAt = nil; made.resultJSON = nil; made.error = nil
                    try made.update(db)
                    added += 1
                    continue
                }
                try stage.insert(db)
                added += 1
            }
            for var run in runs where !run.isStage {  // after the stages, so run ids follow the order of the work
                try run.insert(db, onConflict: .ignore)
                if db.changesCount > 0 { added += 1 }
            }
            return added
        }
    }

    /// Queues a copy of `run` (same experiment, hash and configuration; nothing recorded yet) and
    /// registers the artifacts it needs (their folders must be in this database's artifacts folder):
    /// the scratch database in which `tlab verify` runs a recorded run again.
    public func enqueueCopy(of run: RunRecord, artifacts: [ArtifactRecord]) throws -> Int64 {
        try pool.write { db in
            if try !ExperimentRecord.exists(db, key: run.experimentId) {
                try ExperimentRecord(id: run.experimentId, specFile: "", description: "copy of run \(run.id ?? 0)", createdAt: Date()).insert(db)
            }
            for artifact in artifacts { try artifact.upsert(db) }
            var copy = RunRecord(experimentId: run.experimentId, hash: run.hash, arm: run.arm, dataset: run.dataset, seed: run.seed,
                                 fold: run.fold, trainingSize: run.trainingSize, sweepJSON: run.sweepJSON, configJSON: run.configJSON,
                                 kind: run.kind, needs: run.neededArtifacts)
            try copy.insert(db)
            return copy.id!
        }
    }

    /// Removes the experiment's queued runs whose configuration is no longer planned (the spec was
    /// edited or narrowed by overrides), so workers run only what the current spec asks for. They
    /// never started, so nothing recorded is lost; planning them again queues them again. Finished,
    /// failed and running runs are kept. Returns how many were withdrawn.
    @discardableResult
    public func withdrawQueued(experiment: String, notIn planned: Set<String>) throws -> Int {
        try pool.write { db in
            let queued = try RunRecord.filter(RunRecord.Columns.experimentId == experiment && RunRecord.Columns.status == RunStatus.queued.rawValue).fetchAll(db)
            let gone = queued.filter { !planned.contains($0.hash) }.compactMap(\.id)
            for ids in stride(from: 0, to: gone.count, by: 500).map({ Array(gone[$0..<min($0 + 500, gone.count)]) }) {
                try RunRecord.filter(ids.contains(RunRecord.Columns.id)).deleteAll(db)
            }
            return gone.count
        }
    }

    /// Queues the failed and timed-out runs of `experiment` among `planned` (hashes) to run again from scratch, their
    /// partial records dropped and their attempts reset (`tlab run --retry-failed`). Returns how many.
    public func requeueFailed(experiment: String, planned: Set<String>) throws -> Int {
        try pool.write { db in
            let failed = try RunRecord.filter(RunRecord.Columns.experimentId == experiment
                                              && [RunStatus.failed.rawValue, RunStatus.timeout.rawValue].contains(RunRecord.Columns.status)).fetchAll(db)
            var count = 0
            for var run in failed where planned.contains(run.hash) {
                try Self.dropRecords(of: run.id!, db)
                (run.status, run.attempts, run.error, run.resultJSON, run.startedAt, run.finishedAt) = (.queued, 0, nil, nil, nil, nil)
                run.worker = nil
                try run.update(db)
                count += 1
            }
            return count
        }
    }

    /// Re-queues runs left `running` by workers that no longer exist (or `timeout` runs with attempts
    /// left), deleting their partial metrics and events. Returns the re-queued run ids. A dead
    /// worker's attempt counts towards `maxAttempts` unless `chargeAttempt` is false: runs left by a
    /// scheduler that died together with its workers (a killed session) were not at fault.
    public func requeueOrphans(experiment: String, isAlive: (WorkerIdentity) -> Bool, maxAttempts: Int, chargeAttempt: Bool = true) throws -> [Int64] {
        try pool.write { db in
            let stale = try RunRecord.filter(RunRecord.Columns.experimentId == experiment && RunRecord.Columns.status == RunStatus.running.rawValue).fetchAll(db)
                .filter { $0.worker.map { !isAlive($0) } ?? true }
            var requeued: [Int64] = []
            for var run in stale {
                try Self.dropRecords(of: run.id!, db)
                if !chargeAttempt { run.attempts = max(run.attempts - 1, 0) }
                if run.attempts >= maxAttempts {
                    run.status = .failed
                    run.error = "worker died \(run.attempts) time(s); giving up"
                    run.finishedAt = Date()
                } else {
                    run.status = .queued
                    requeued.append(run.id!)
                }
                run.worker = nil
                try run.update(db)
            }
            return requeued
        }
    }

    // MARK: Workers

    /// What a worker gets when it asks for work.
    public enum Claim: Sendable {
        case run(RunRecord)
        /// Queued runs wait for an artifact another run is producing.
        case wait
        /// Nothing left to do.
        case done

        /// The claimed run, if one was.
        public var run: RunRecord? { if case let .run(r) = self { return r }; return nil }
    }

    /// Atomically takes a queued run of `experiment` whose needed artifacts all exist, for worker
    /// `pid`: seed by seed and fold by fold (so a partly done sweep already has every arm and dataset
    /// at its first seeds); within a seed and fold, the largest training sets first (a run on the whole
    /// training split, then 3,000 examples, …: the longest runs start early, while a working session
    /// still has the time to finish them, and the short ones fill the end); within a size, runs that
    /// are ready before stage runs (its artifact's runs then follow a stage at once: an artifact may not
    /// outlive its machine) — not before every stage of the seed, which left the arms that need a
    /// stage (ULMFiT's fine-tuned LM) for the seed's very end; then in registration order. When none
    /// is ready, runs
    /// whose artifacts can no longer be produced (their stage run failed) fail too, and the answer is
    /// `.wait` while others may still become ready. With a `filter`, only the runs it selects are
    /// taken (and counted for `.done`); with `admitted` (a `Deadline`'s), only those of them with these ids.
    public func claim(experiment: String, worker: WorkerIdentity, environment: RunEnvironment, filter: RunFilter = RunFilter(),
                      admitted: Set<Int64>? = nil) throws -> Claim {
        try pool.write { db in
            var selected: String? = nil  // JSON array of the selected queued run ids
            if !filter.isEmpty || admitted != nil {
                let open = try RunRecord.filter(RunRecord.Columns.experimentId == experiment
                                                && [RunStatus.queued.rawValue, RunStatus.running.rawValue].contains(RunRecord.Columns.status)).fetchAll(db)
                let ids = filter.selection(of: open).filter { $0.status == .queued && admitted?.contains($0.id!) ?? true }.compactMap(\.id)
                selected = String(decoding: try JSONEncoder().encode(ids), as: UTF8.self)
            }
            let restriction = selected == nil ? "" : " AND id IN (SELECT value FROM json_each(?))"
            let arguments = StatementArguments([experiment] + (selected.map { [$0] } ?? []))
            guard var run = try RunRecord.fetchOne(db, sql: "\(Self.readyQueued)\(restriction) \(Self.claimOrder) LIMIT 1", arguments: arguments) else {
                try Self.failUnproducible(db, experiment: experiment)
                let queued = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs WHERE experimentId = ? AND status = 'queued'\(restriction)",
                                              arguments: arguments) ?? 0
                return queued == 0 ? .done : .wait
            }
            run.status = .running
            run.worker = worker
            run.attempts += 1
            run.startedAt = Date()
            run.host = environment.host
            run.gitRevision = environment.gitRevision
            run.versionsJSON = environment.versionsJSON
            run.threads = environment.threads
            run.blasCore = environment.blasCore
            run.job = environment.job
            try run.update(db)
            return .run(run)
        }
    }

    /// The experiment's (`?`) queued runs whose needed artifacts all exist.
    static let readyQueued = """
        SELECT * FROM runs WHERE experimentId = ? AND status = 'queued' AND (needs IS NULL OR NOT EXISTS (
            SELECT 1 FROM json_each(runs.needs) j WHERE j.value NOT IN (SELECT configHash FROM artifacts)))
        """
    /// The order in which ready runs are taken (`claim`).
    static let claimOrder = "ORDER BY seed, IFNULL(fold, -1), IFNULL(CAST(NULLIF(trainingSize, 'all') AS REAL), 1e300) DESC, kind = 'stage', id"

    /// Fails queued runs that need an artifact which neither exists nor is being made by a queued or
    /// running stage run (of any experiment); repeats, since a failed stage strands its dependents.
    static func failUnproducible(_ db: Database, experiment: String) throws {
        while true {
            let stranded = try Row.fetchAll(db, sql: """
                SELECT r.id AS id, j.value AS need FROM runs r, json_each(r.needs) j
                WHERE r.experimentId = ? AND r.status = 'queued' AND j.value NOT IN (SELECT configHash FROM artifacts)
                  AND NOT EXISTS (SELECT 1 FROM runs s WHERE s.hash = j.value AND s.kind = 'stage' AND s.status IN ('queued', 'running'))
                """, arguments: [experiment])
            guard !stranded.isEmpty else { return }
            for row in stranded {
                let need: String = row["need"]
                try db.execute(sql: "UPDATE runs SET status = 'failed', finishedAt = ?, error = ? WHERE id = ? AND status = 'queued'",
                               arguments: [Date(), "needs artifact \(need.prefix(12)), whose stage run failed", row["id"] as Int64])
            }
        }
    }

    /// Deletes the records of an attempt that did not end, before its run goes back in the queue: its
    /// metrics, events (all but its earlier results) and artifact uses (all but its earlier results').
    static func dropRecords(of run: Int64, _ db: Database) throws {
        try MetricRecord.filter(MetricRecord.Columns.runId == run).deleteAll(db)
        try EventRecord.filter(EventRecord.Columns.runId == run && !EventRecord.history.contains(EventRecord.Columns.kind)).deleteAll(db)
        try ArtifactUseRecord.filter(ArtifactUseRecord.Columns.runId == run && ArtifactUseRecord.Columns.earlierResult == nil).deleteAll(db)
    }

    /// Appends metrics (one epoch's worth) in one transaction.
    public func record(metrics: [MetricRecord]) throws {
        try pool.write { db in for m in metrics { try m.upsert(db) } }
    }

    public func record(event: EventRecord) throws {
        try pool.write { db in var e = event; try e.insert(db) }
    }

    /// Ends a run with its status and result (JSON), and registers the artifact it made (and, for a stage, the instance), in one transaction.
    public func finish(run id: Int64, status: RunStatus, resultJSON: String?, error: String?, artifact: ArtifactRecord? = nil) throws {
        try pool.write { db in
            guard var run = try RunRecord.fetchOne(db, key: id) else { return }
            try artifact?.upsert(db)
            run.status = status
            run.resultJSON = resultJSON
            run.error = error
            run.finishedAt = Date()
            run.worker = nil
            try run.update(db)
            if artifact != nil, let made = StageInstanceRecord(madeBy: try RunRecord.fetchOne(db, key: id)!) { try made.insert(db, onConflict: .replace) }
        }
    }

    /// Marks a running run as timed out (the scheduler then kills its worker).
    public func markTimeout(run id: Int64, maxAttempts: Int) throws {
        try pool.write { db in
            guard var run = try RunRecord.fetchOne(db, key: id) else { return }
            try Self.dropRecords(of: id, db)
            run.status = run.attempts >= maxAttempts ? .timeout : .queued
            run.error = "timed out (attempt \(run.attempts))"
            run.worker = nil
            if run.status == .timeout { run.finishedAt = Date() }
            try run.update(db)
        }
    }

    /// Puts workers' running runs back in the queue (Ctrl-C), without charging an attempt.
    public func release(workers: [WorkerIdentity]) throws {
        try pool.write { db in
            for var run in try RunRecord.filter(RunRecord.Columns.status == RunStatus.running.rawValue).fetchAll(db)
            where run.worker.map({ held in workers.contains { $0.pid == held.pid && $0.host == held.host } }) ?? false {
                try Self.dropRecords(of: run.id!, db)
                run.status = .queued
                run.attempts = max(run.attempts - 1, 0)
                run.worker = nil
                try run.update(db)
            }
        }
    }
}
