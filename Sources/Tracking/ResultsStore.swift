import Foundation
import GRDB

/// The results database: experiments, runs and their metrics, events and artifacts, in SQLite
/// (WAL, so reports read while workers write). Each method is one transaction.
/// Schema: `docs/results-schema.md`.
public final class ResultsStore: Sendable {
    public let path: String
    let pool: DatabasePool
    /// Applied to recorded configurations at open and at import (`RunIdentity.rewritten`), old hashes kept as aliases.
    let rewrites: [ConfigRewrite]

    public init(path: String, rewrites: [ConfigRewrite] = []) throws {
        self.path = path
        self.rewrites = rewrites
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)  // writers from several worker processes wait for each other
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        // Two processes opening a new database at once (two `tlab run` started together) would both find
        // a migration missing and both apply it, and the second one's switch to WAL fails with "database is
        // locked" while the first makes its file; a lock file beside the database makes them take turns.
        let lock = open(path + "-migration.lock", O_CREAT | O_RDWR, 0o644)
        guard lock >= 0 else { throw DatabaseError(message: "cannot open \(path)-migration.lock: \(String(cString: strerror(errno)))") }
        defer { close(lock) }  // (releases the lock)
        flock(lock, LOCK_EX)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
        if !rewrites.isEmpty { try pool.write { db in try RunIdentity.migrate(db, rewrites: rewrites) } }
        try renameAliasedStates()
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.create(table: "experiments") { t in
                t.primaryKey("id", .text)
                t.column("specFile", .text).notNull()
                t.column("description", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "runs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("experimentId", .text).notNull().references("experiments", onDelete: .cascade)
                t.column("hash", .text).notNull()
                t.column("arm", .text).notNull()
                t.column("dataset", .text).notNull()
                t.column("seed", .integer).notNull()
                t.column("fold", .integer)
                t.column("trainingSize", .text)
                t.column("sweepJSON", .text).notNull()
                t.column("configJSON", .text).notNull()
                t.column("status", .text).notNull().check { ["queued", "running", "finished", "diverged", "failed", "timeout"].contains($0) }
                t.column("attempts", .integer).notNull()
                t.column("workerPid", .integer)
                t.column("host", .text)
                t.column("gitRevision", .text)
                t.column("versionsJSON", .text)
                t.column("threads", .integer)
                t.column("blasCore", .text)
                t.column("queuedAt", .datetime).notNull()
                t.column("startedAt", .datetime)
                t.column("finishedAt", .datetime)
                t.column("error", .text)
                t.column("resultJSON", .text)
                t.uniqueKey(["experimentId", "hash"])
            }
            try db.create(index: "runs_status", on: "runs", columns: ["experimentId", "status"])
            try db.create(table: "metrics") { t in
                t.column("runId", .integer).notNull().references("runs", onDelete: .cascade)
                t.column("epoch", .integer).notNull()
                t.column("split", .text).notNull()
                t.column("name", .text).notNull()
                t.column("value", .double).notNull()
                t.primaryKey(["runId", "epoch", "split", "name"])
            }
            try db.create(table: "events") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("runId", .integer).notNull().references("runs", onDelete: .cascade)
                t.column("at", .datetime).notNull()
                t.column("kind", .text).notNull()
                t.column("message", .text).notNull()
            }
            try db.create(table: "artifacts") { t in
                t.primaryKey("configHash", .text)
                t.column("kind", .text).notNull()
                t.column("path", .text).notNull()
                t.column("createdByRun", .integer).references("runs", onDelete: .setNull)
                t.column("createdAt", .datetime).notNull()
            }
        }
        m.registerMigration("v2-stages") { db in
            // `kind`: "run", or "stage" for a run that produces an artifact others use; `needs`: JSON
            // array of the artifact keys a run waits for.
            try db.alter(table: "runs") { t in
                t.add(column: "kind", .text).notNull().defaults(to: "run")
                t.add(column: "needs", .text)
            }
        }
        m.registerMigration("v3-prose-free-identity") { db in
            try db.create(table: "runAliases") { t in
                t.column("experimentId", .text).notNull()
                t.column("oldHash", .text).notNull()
                t.column("newHash", .text).notNull()
                t.primaryKey(["experimentId", "oldHash"])
            }
            try RunIdentity.migrate(db)
        }
        m.registerMigration("v4-worker-identity") { db in
            try db.alter(table: "runs") { t in
                t.add(column: "workerHost", .text)
                t.add(column: "workerStarted", .integer)
            }
        }
        return m
    }

    /// Where artifacts live: `artifacts/` beside the database, one folder per artifact key.
    public var artifactsFolder: URL { URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("artifacts") }

    // MARK: Planning

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
                if var made = try RunRecord.filter(Column("experimentId") == stage.experimentId && Column("hash") == stage.hash).fetchOne(db) {
                    guard made.status == .finished else { continue }
                    try Self.dropRecords(of: made.id!, db)
                    var earlier = EventRecord(runId: made.id!, kind: EventRecord.earlierInstance, message: Self.instanceSummary(made))
                    try earlier.insert(db)
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
            let queued = try RunRecord.filter(Column("experimentId") == experiment && Column("status") == RunStatus.queued.rawValue).fetchAll(db)
            let gone = queued.filter { !planned.contains($0.hash) }.compactMap(\.id)
            for ids in stride(from: 0, to: gone.count, by: 500).map({ Array(gone[$0..<min($0 + 500, gone.count)]) }) {
                try RunRecord.filter(ids.contains(Column("id"))).deleteAll(db)
            }
            return gone.count
        }
    }

    /// Re-queues runs left `running` by workers that no longer exist (or `timeout` runs with attempts
    /// left), deleting their partial metrics and events. Returns the re-queued run ids. A dead
    /// worker's attempt counts towards `maxAttempts` unless `chargeAttempt` is false: runs left by a
    /// scheduler that died together with its workers (a killed session) were not at fault.
    public func requeueOrphans(experiment: String, isAlive: (WorkerIdentity) -> Bool, maxAttempts: Int, chargeAttempt: Bool = true) throws -> [Int64] {
        try pool.write { db in
            let stale = try RunRecord.filter(Column("experimentId") == experiment && Column("status") == RunStatus.running.rawValue).fetchAll(db)
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
                let open = try RunRecord.filter(Column("experimentId") == experiment
                                                && [RunStatus.queued.rawValue, RunStatus.running.rawValue].contains(Column("status"))).fetchAll(db)
                let ids = filter.selection(of: open).filter { $0.status == .queued && admitted?.contains($0.id!) ?? true }.compactMap(\.id)
                selected = String(decoding: try JSONEncoder().encode(ids), as: UTF8.self)
            }
            let restriction = selected == nil ? "" : " AND id IN (SELECT value FROM json_each(?))"
            let arguments = StatementArguments([experiment] + (selected.map { [$0] } ?? []))
            guard var run = try RunRecord.fetchOne(db, sql: """
                SELECT * FROM runs WHERE experimentId = ? AND status = 'queued' AND (needs IS NULL OR NOT EXISTS (
                    SELECT 1 FROM json_each(runs.needs) j WHERE j.value NOT IN (SELECT configHash FROM artifacts)))\(restriction)
                ORDER BY seed, IFNULL(fold, -1), IFNULL(CAST(NULLIF(trainingSize, 'all') AS REAL), 1e300) DESC, kind = 'stage', id LIMIT 1
                """, arguments: arguments) else {
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
            try run.update(db)
            return .run(run)
        }
    }

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
    /// metrics and events, all but the records of earlier instances of a stage's artifact.
    static func dropRecords(of run: Int64, _ db: Database) throws {
        try MetricRecord.filter(Column("runId") == run).deleteAll(db)
        try EventRecord.filter(Column("runId") == run && !EventRecord.history.contains(Column("kind"))).deleteAll(db)
    }

    /// An ended run's earlier result as it is kept (`EventRecord.earlierResult`).
    public struct EarlierResult: Codable, Equatable, Sendable {
        public struct Event: Codable, Equatable, Sendable { public var at: Date; public var kind: String; public var message: String }
        public var reason: String
        public var status: RunStatus
        public var attempts: Int
        public var startedAt: Date?
        public var finishedAt: Date?
        public var host: String?
        public var gitRevision: String?
        public var blasCore: String?
        public var threads: Int?
        public var resultJSON: String?
        public var error: String?
        public var metrics: [MetricRecord]
        public var events: [Event]
    }

    /// The earlier results kept in a run's `earlier-result` events, oldest first.
    public static func earlierResults(in events: [EventRecord]) -> [EarlierResult] {
        events.filter { $0.kind == EventRecord.earlierResult }.sorted { $0.at < $1.at }
            .compactMap { try? RunArchive.decoder.decode(EarlierResult.self, from: Data($0.message.utf8)) }
    }

    /// The earlier results of an experiment's runs queued to run again, by run id (runs without any absent).
    public func earlierResults(experiment: String) throws -> [Int64: [EarlierResult]] {
        try events(experiment: experiment, kinds: [EventRecord.earlierResult]).mapValues(Self.earlierResults(in:)).filter { !$0.value.isEmpty }
    }

    /// Queues ended runs to run again, keeping what they recorded: each non-stage run gets an
    /// `earlier-result` event holding its status, times, provenance, result, metrics and events (JSON);
    /// a stage run gets an `earlier-instance` event and loses its artifact record, so the runs needing
    /// it wait for it to be made again. E.g. the runs that met an earlier instance of a stage's
    /// artifact (`tlab requeue --met-earlier-instances`), to compare arms on one language model. Runs
    /// not ended are left as they are. Returns the ids queued again.
    @discardableResult
    public func runAgain(_ ids: [Int64], reason: String) throws -> [Int64] {
        let encoder = RunArchive.encoder
        let queued: [(id: Int64, hash: String)] = try pool.write { db in
            var queued: [(id: Int64, hash: String)] = []
            for id in ids {
                guard var run = try RunRecord.fetchOne(db, key: id), run.status.hasEnded else { continue }
                if run.isStage {
                    var event = EventRecord(runId: id, kind: EventRecord.earlierInstance, message: Self.instanceSummary(run))
                    try event.insert(db)
                    try ArtifactRecord.deleteOne(db, key: run.hash)
                } else {
                    let metrics = try MetricRecord.filter(Column("runId") == id).order(Column("epoch"), Column("split"), Column("name")).fetchAll(db)
                    let events = try EventRecord.filter(Column("runId") == id && !EventRecord.history.contains(Column("kind"))).order(Column("id")).fetchAll(db)
                    let earlier = EarlierResult(reason: reason, status: run.status, attempts: run.attempts, startedAt: run.startedAt,
                                                finishedAt: run.finishedAt, host: run.host, gitRevision: run.gitRevision, blasCore: run.blasCore,
                                                threads: run.threads, resultJSON: run.resultJSON, error: run.error, metrics: metrics,
                                                events: events.map { EarlierResult.Event(at: $0.at, kind: $0.kind, message: $0.message) })
                    var event = EventRecord(runId: id, kind: EventRecord.earlierResult, message: String(decoding: try encoder.encode(earlier), as: UTF8.self))
                    try event.insert(db)
                }
                try Self.dropRecords(of: id, db)
                run.status = .queued
                run.attempts = 0
                run.worker = nil
                run.startedAt = nil; run.finishedAt = nil; run.resultJSON = nil; run.error = nil
                run.host = nil; run.gitRevision = nil; run.versionsJSON = nil; run.threads = nil; run.blasCore = nil
                try run.update(db)
                queued.append((id, run.hash))
            }
            return queued
        }
        // No per-epoch state of an earlier attempt is resumed from (it met the earlier artifacts).
        for run in queued {
            for leftover in ["\(run.hash).resume", "\(run.hash).partial"] {
                try? FileManager.default.removeItem(at: artifactsFolder.appendingPathComponent(leftover))
            }
        }
        return queued.map(\.id)
    }

    /// What identifies one instance of a stage's artifact (made again elsewhere, on other kernels, it is
    /// another instance of the same configuration): when, by which revision, where and with which
    /// kernels its run ended, and its result.
    public static func instanceSummary(_ run: RunRecord) -> String {
        let at = run.finishedAt.map { RunArchive.dates.string(from: $0) } ?? "?"
        return "made by run \(run.id.map(String.init) ?? "?") finished \(at) at revision \(run.gitRevision.map { String($0.prefix(12)) } ?? "?")"
            + " on \(run.host ?? "?") with OpenBLAS \(run.blasCore ?? "?"), \(run.threads ?? 1) thread(s); result \(run.resultJSON ?? "none")"
    }

    /// Appends metrics (one epoch's worth) in one transaction.
    public func record(metrics: [MetricRecord]) throws {
        try pool.write { db in for m in metrics { try m.upsert(db) } }
    }

    public func record(event: EventRecord) throws {
        try pool.write { db in var e = event; try e.insert(db) }
    }

    /// Ends a run with its status and result (JSON), and registers the artifact it made, in one transaction.
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
            for var run in try RunRecord.filter(Column("status") == RunStatus.running.rawValue).fetchAll(db)
            where run.worker.map { held in workers.contains { $0.pid == held.pid && $0.host == held.host } } ?? false {
                try Self.dropRecords(of: run.id!, db)
                run.status = .queued
                run.attempts = max(run.attempts - 1, 0)
                run.worker = nil
                try run.update(db)
            }
        }
    }

    // MARK: Reading

    public func runs(experiment: String) throws -> [RunRecord] {
        try pool.read { db in try RunRecord.filter(Column("experimentId") == experiment).order(Column("id")).fetchAll(db) }
    }

    /// The runs of `experiment` in one status (served by the status index).
    public func runs(experiment: String, status: RunStatus) throws -> [RunRecord] {
        try pool.read { db in
            try RunRecord.filter(Column("experimentId") == experiment && Column("status") == status.rawValue).order(Column("id")).fetchAll(db)
        }
    }

    public func run(_ id: Int64) throws -> RunRecord? { try pool.read { db in try RunRecord.fetchOne(db, key: id) } }

    public func metrics(run id: Int64) throws -> [MetricRecord] {
        try pool.read { db in try MetricRecord.filter(Column("runId") == id).order(Column("epoch"), Column("split"), Column("name")).fetchAll(db) }
    }

    public func events(run id: Int64) throws -> [EventRecord] {
        try pool.read { db in try EventRecord.filter(Column("runId") == id).order(Column("id")).fetchAll(db) }
    }

    /// The experiment's events of the given kinds, by run id, in the order recorded (one query).
    public func events(experiment: String, kinds: Set<String>) throws -> [Int64: [EventRecord]] {
        try pool.read { db in
            Dictionary(grouping: try EventRecord.fetchAll(db, sql: """
                SELECT e.* FROM events e JOIN runs r ON r.id = e.runId
                WHERE r.experimentId = ? AND e.kind IN (SELECT value FROM json_each(?)) ORDER BY e.id
                """, arguments: [experiment, String(decoding: try JSONEncoder().encode(kinds.sorted()), as: UTF8.self)]), by: \.runId)
        }
    }

    public func statusCounts(experiment: String) throws -> [RunStatus: Int] {
        try pool.read { db in
            var counts: [RunStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM runs WHERE experimentId = ? GROUP BY status", arguments: [experiment]) {
                if let s = RunStatus(rawValue: row["status"]) { counts[s] = row["n"] }
            }
            return counts
        }
    }

    /// Per run of the experiment, the sum of its per-epoch training seconds (metric `train`.`seconds`).
    public func epochSeconds(experiment: String) throws -> [Int64: Double] {
        try pool.read { db in
            var sums: [Int64: Double] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT m.runId AS id, SUM(m.value) AS seconds FROM metrics m JOIN runs r ON r.id = m.runId
                WHERE r.experimentId = ? AND m.split = 'train' AND m.name = 'seconds' GROUP BY m.runId
                """, arguments: [experiment]) { sums[row["id"]] = row["seconds"] }
            return sums
        }
    }

    /// The latest metric `split`.`name` across running runs (for the live progress line).
    public func latestRunningMetric(experiment: String, split: String, name: String) throws -> Double? {
        try pool.read { db in
            try Double.fetchOne(db, sql: """
                SELECT m.value FROM metrics m JOIN runs r ON r.id = m.runId
                WHERE r.experimentId = ? AND r.status = 'running' AND m.split = ? AND m.name = ? ORDER BY m.rowid DESC LIMIT 1
                """, arguments: [experiment, split, name])
        }
    }

    /// The artifact made by the configuration with this key, if any run has made it.
    public func artifact(_ key: String) throws -> ArtifactRecord? { try pool.read { db in try ArtifactRecord.fetchOne(db, key: key) } }

    /// The artifact's folder (`path` is relative to `artifactsFolder`).
    public func url(of artifact: ArtifactRecord) -> URL { artifactsFolder.appendingPathComponent(artifact.path) }

    public func experiments() throws -> [ExperimentRecord] { try pool.read { db in try ExperimentRecord.order(Column("id")).fetchAll(db) } }
}

/// What a worker records about where a run ran, so it can be rerun.
public struct RunEnvironment: Sendable {
    public var host: String
    public var gitRevision: String
    public var versionsJSON: String
    public var threads: Int
    public var blasCore: String
    public init(host: String, gitRevision: String, versionsJSON: String, threads: Int, blasCore: String) {
        self.host = host; self.gitRevision = gitRevision; self.versionsJSON = versionsJSON; self.threads = threads; self.blasCore = blasCore
    }
}
