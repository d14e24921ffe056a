import Foundation
import GRDB

/// One run as a cluster job gets it: the run, its experiment and the finished stage runs whose artifacts it
/// uses (their folders on the shared artifacts folder). A job runs it in a database of its own (`seed(task:)`).
public struct ClusterTask: Codable, Sendable {
    public var experiment: ExperimentRecord
    public var run: RunRecord
    public var stages: [RunRecord]
    public init(experiment: ExperimentRecord, run: RunRecord, stages: [RunRecord]) {
        self.experiment = experiment; self.run = run; self.stages = stages
    }
}

/// Who holds a run given to a cluster job: the job's name (`slurm:<manifest>`) as host, the task's index in
/// the array as pid and, once the array is submitted, the array's job id as start.
extension WorkerIdentity {
    public static let clusterPrefix = "slurm:"

    public static func cluster(manifest: String, index: Int, job: UInt64? = nil) -> WorkerIdentity {
        WorkerIdentity(host: clusterPrefix + manifest, pid: index, started: job)
    }

    /// The manifest a cluster job's task runs, if this is one.
    public var clusterManifest: String? { host.hasPrefix(Self.clusterPrefix) ? String(host.dropFirst(Self.clusterPrefix.count)) : nil }
}

/// The queue as a cluster coordinator drives it: it takes ready runs itself, hands them to jobs, and takes
/// their results back from the jobs' run archives (`importArchive(_:source:artifactsInPlace:)`).
extension ResultsStore {
    /// The queued runs of `experiment` that `filter` selects among `planned` whose artifacts all exist, in the
    /// order `claim` takes them; queued runs whose artifacts can no longer be made fail first.
    public func readyRuns(experiment: String, filter: RunFilter = RunFilter(), planned: Set<String>? = nil) throws -> [RunRecord] {
        try pool.write { db in
            try Self.failUnproducible(db, experiment: experiment)
            let ready = try RunRecord.fetchAll(db, sql: "\(Self.readyQueued) \(Self.claimOrder)", arguments: [experiment])
                .filter { planned?.contains($0.hash) ?? true }
            guard !filter.isEmpty else { return ready }
            let open = try RunRecord.filter(RunRecord.Columns.experimentId == experiment
                                            && [RunStatus.queued.rawValue, RunStatus.running.rawValue].contains(RunRecord.Columns.status)).fetchAll(db)
            let selected = Set(filter.selection(of: open).compactMap(\.id))
            return ready.filter { selected.contains($0.id!) }
        }
    }

    /// The jobs' tasks for `runs` (each with the finished stage runs it uses), as they are recorded now.
    public func clusterTasks(for runs: [RunRecord]) throws -> [ClusterTask] {
        try pool.read { db in
            try runs.map { run in
                guard let experiment = try ExperimentRecord.fetchOne(db, key: run.experimentId) else {
                    throw RunArchive.Failure.noExperiment(run.experimentId, database: path)
                }
                let stages = try run.neededArtifacts.compactMap { key -> RunRecord? in
                    guard let artifact = try ArtifactRecord.fetchOne(db, key: key), let maker = artifact.createdByRun else { return nil }
                    return try RunRecord.fetchOne(db, key: maker)
                }
                return ClusterTask(experiment: experiment, run: run, stages: stages)
            }
        }
    }

    /// Marks queued runs as running in the cluster job tasks `workers` names (an attempt each), all or none.
    public func handOut(_ runs: [(id: Int64, worker: WorkerIdentity)]) throws {
        try pool.write { db in
            for (id, worker) in runs {
                guard var run = try RunRecord.fetchOne(db, key: id), run.status == .queued else {
                    throw DatabaseError(message: "run \(id) is no longer queued")
                }
                run.status = .running
                run.worker = worker
                run.attempts += 1
                run.startedAt = Date()
                try run.update(db)
            }
        }
    }

    /// Records the job id of a submitted manifest's tasks.
    public func assign(job: UInt64, toManifest manifest: String) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE runs SET workerStarted = ? WHERE status = 'running' AND workerHost = ?",
                           arguments: [Int64(job), WorkerIdentity.clusterPrefix + manifest])
        }
    }

    /// The experiment's runs held by cluster job tasks.
    public func clusterRuns(experiment: String) throws -> [RunRecord] {
        try pool.read { db in
            try RunRecord.fetchAll(db, sql: "SELECT * FROM runs WHERE experimentId = ? AND status = 'running' AND workerHost LIKE ? ORDER BY id",
                                   arguments: [experiment, WorkerIdentity.clusterPrefix + "%"])
        }
    }

    /// Puts a run a cluster job held back in the queue, its partial records dropped, saying why in its error; an
    /// attempt charged (a job that failed, timed out, was preempted or cancelled) fails it once it used its last.
    /// Returns its status now.
    @discardableResult
    public func requeue(run id: Int64, reason: String, chargeAttempt: Bool, maxAttempts: Int) throws -> RunStatus {
        try pool.write { db in
            guard var run = try RunRecord.fetchOne(db, key: id), run.status == .running else { return .queued }
            try Self.dropRecords(of: id, db)
            if !chargeAttempt { run.attempts = max(run.attempts - 1, 0) }
            run.worker = nil
            run.error = reason
            if chargeAttempt && run.attempts >= maxAttempts {
                run.status = .failed
                run.error = "\(reason); giving up after \(run.attempts) attempt(s)"
                run.finishedAt = Date()
            } else {
                run.status = .queued
            }
            try run.update(db)
            return run.status
        }
    }

    /// Puts a run a cluster job ended back to queued, unchanged, so that its archived result replaces it (`importArchive`).
    public func reopen(run id: Int64) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE runs SET status = 'queued', workerPid = NULL, workerHost = NULL, workerStarted = NULL WHERE id = ? AND status = 'running'",
                           arguments: [id])
        }
    }

    /// Fills an empty database with a cluster task: its experiment, the stage runs it uses with their artifacts (in
    /// this database's artifacts folder, shared with the coordinator's) and the run itself, queued as the manifest
    /// holds it (written before the hand-out), so that the task's claim counts the attempt as the coordinator did.
    public func seed(task: ClusterTask) throws {
        try pool.write { db in
            try task.experiment.insert(db, onConflict: .ignore)
            for var stage in task.stages {
                try stage.insert(db, onConflict: .ignore)
                try ArtifactRecord(configHash: stage.hash, kind: try stage.outcome()?.kind ?? "stage", path: stage.hash,
                                   createdByRun: stage.id, createdAt: stage.finishedAt ?? Date()).insert(db, onConflict: .ignore)
                if let made = StageInstanceRecord(madeBy: stage) { try made.insert(db, onConflict: .ignore) }
            }
            var run = task.run
            run.status = .queued
            run.worker = nil
            run.startedAt = nil
            try run.insert(db, onConflict: .replace)
        }
    }
}
