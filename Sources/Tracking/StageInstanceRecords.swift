import Foundation
import GRDB

/// One instance of a stage's artifact: the stage run's end on one machine. A stage made again (its artifact
/// stayed on a machine that is gone, or `tlab requeue` queued it) is another instance of the same
/// configuration, and on other kernels another model. Keyed by the stage, the run that made it and when it ended.
public struct StageInstanceRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "stageInstances"

    /// Its columns, for requests.
    public enum Columns {
        public static let experimentId = Column("experimentId")
        public static let stageKey = Column("stageKey")
        public static let madeByRun = Column("madeByRun")
        public static let finishedAt = Column("finishedAt")
        public static let replacedAt = Column("replacedAt")
    }
    public var experimentId: String
    /// The stage's artifact key (its run's hash).
    public var stageKey: String
    /// The id of the stage run that made it, where it was made.
    public var madeByRun: Int64
    /// When that run ended, as ISO 8601 with milliseconds (`RunArchive.dates`), as the records of its uses name it.
    public var finishedAt: String
    public var gitRevision: String?
    public var host: String?
    public var blasCore: String?
    public var threads: Int?
    public var resultJSON: String?
    /// When the stage was queued to be made again; nil for the instance its artifact holds now.
    public var replacedAt: Date?

    /// The instance a finished stage run made.
    public init?(madeBy run: RunRecord) {
        guard run.isStage, run.status == .finished, let id = run.id, let finishedAt = run.finishedAt else { return nil }
        experimentId = run.experimentId; stageKey = run.hash; madeByRun = id; self.finishedAt = RunArchive.dates.string(from: finishedAt)
        gitRevision = run.gitRevision; host = run.host; blasCore = run.blasCore; threads = run.threads; resultJSON = run.resultJSON
    }

    public init(experimentId: String, stageKey: String, madeByRun: Int64, finishedAt: String, gitRevision: String?, host: String?,
                blasCore: String?, threads: Int?, resultJSON: String?, replacedAt: Date?) {
        self.experimentId = experimentId; self.stageKey = stageKey; self.madeByRun = madeByRun; self.finishedAt = finishedAt
        self.gitRevision = gitRevision; self.host = host; self.blasCore = blasCore; self.threads = threads; self.resultJSON = resultJSON
        self.replacedAt = replacedAt
    }

    /// "made by run N finished T": what tells one instance from another.
    public var identity: String { "made by run \(madeByRun) finished \(finishedAt)" }

    /// Where and with which kernels it was made.
    public var provenance: String {
        "at revision \(gitRevision.map { String($0.prefix(12)) } ?? "?") on \(host ?? "?") with OpenBLAS \(blasCore ?? "?"), \(threads ?? 1) thread(s)"
    }

    /// Whether `use` names this instance.
    public func isUsed(by use: ArtifactUseRecord) -> Bool {
        use.stageKey == stageKey && use.madeByRun == madeByRun && use.madeFinishedAt == finishedAt
    }

    /// The instance of `key` that a store's artifact holds now (made by the stage run `run`), if recorded.
    static func current(of key: String, madeBy run: Int64, _ db: Database) throws -> StageInstanceRecord? {
        try filter(Columns.stageKey == key && Columns.madeByRun == run && Columns.replacedAt == nil).fetchOne(db)
    }

    /// Marks the instance a stage run's artifact holds as replaced (the stage is queued to be made again),
    /// recording it first if it was not (a stage that ended before instances were rows of this table).
    static func replace(madeBy run: RunRecord, at date: Date = Date(), _ db: Database) throws {
        if var made = StageInstanceRecord(madeBy: run), try !made.exists(db) {
            made.replacedAt = date
            try made.insert(db)
        }
        try filter(Columns.experimentId == run.experimentId && Columns.stageKey == run.hash && Columns.replacedAt == nil)
            .updateAll(db, Columns.replacedAt.set(to: date))
    }
}

/// A run's use of a stage's artifact: which instance it met (stage key, the run that made it and when that
/// run ended; nil when no recorded run made it). `earlierResult` is the id of the `earlier-result` event of
/// the attempt that used it when the run was queued again since; nil for its latest attempt.
public struct ArtifactUseRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "artifactUses"

    /// Its columns, for requests.
    public enum Columns {
        public static let runId = Column("runId")
        public static let earlierResult = Column("earlierResult")
    }
    public var id: Int64?
    public var runId: Int64
    /// The stage's name in the run's configuration (`stage:pretrain`).
    public var stage: String
    public var stageKey: String
    public var madeByRun: Int64?
    /// As `StageInstanceRecord.finishedAt`.
    public var madeFinishedAt: String?
    public var at: Date
    public var earlierResult: Int64?

    public init(runId: Int64, stage: String, stageKey: String, madeByRun: Int64?, madeFinishedAt: String?, at: Date = Date(), earlierResult: Int64? = nil) {
        self.runId = runId; self.stage = stage; self.stageKey = stageKey; self.madeByRun = madeByRun; self.madeFinishedAt = madeFinishedAt
        self.at = at; self.earlierResult = earlierResult
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// The instances of an experiment's stages and its runs' uses of them, as a report reads them.
public struct StageHistory: Sendable {
    public var instances: [StageInstanceRecord]
    public var uses: [ArtifactUseRecord]
    public init(instances: [StageInstanceRecord] = [], uses: [ArtifactUseRecord] = []) { self.instances = instances; self.uses = uses }
}

extension ResultsStore {
    /// The instances of `experiment`'s stages (oldest first) and its runs' recorded uses of artifacts.
    public func stageHistory(experiment: String) throws -> StageHistory {
        try pool.read { db in try stageHistory(experiment: experiment, db) }
    }

    func stageHistory(experiment: String, _ db: Database) throws -> StageHistory {
        StageHistory(
                instances: try StageInstanceRecord.filter(StageInstanceRecord.Columns.experimentId == experiment)
                    .order(StageInstanceRecord.Columns.finishedAt).fetchAll(db),
                uses: try ArtifactUseRecord.fetchAll(db, sql: """
                    SELECT u.* FROM artifactUses u JOIN runs r ON r.id = u.runId WHERE r.experimentId = ? ORDER BY u.id
                    """, arguments: [experiment]))
    }

    /// The instances of a stage run's artifact, oldest first (none for a run that is not a stage).
    public func instances(of stage: RunRecord) throws -> [StageInstanceRecord] {
        guard stage.isStage else { return [] }
        return try pool.read { db in
            try StageInstanceRecord.filter(StageInstanceRecord.Columns.experimentId == stage.experimentId && StageInstanceRecord.Columns.stageKey == stage.hash)
                .order(StageInstanceRecord.Columns.finishedAt).fetchAll(db)
        }
    }

    /// A run's recorded uses of stage artifacts, in the order recorded.
    public func uses(run id: Int64) throws -> [ArtifactUseRecord] {
        try pool.read { db in try ArtifactUseRecord.filter(ArtifactUseRecord.Columns.runId == id).order(Column("id")).fetchAll(db) }
    }

    /// Records that run `runId` uses the artifact `artifact` as stage `stage`: the instance its making run left.
    public func recordUse(run runId: Int64, stage: String, artifact: ArtifactRecord) throws {
        try pool.write { db in
            let maker = try artifact.createdByRun.flatMap { try RunRecord.fetchOne(db, key: $0) }
            let made = try maker.flatMap { try StageInstanceRecord.current(of: artifact.configHash, madeBy: $0.id!, db) }
            var use = ArtifactUseRecord(runId: runId, stage: stage, stageKey: artifact.configHash,
                                        madeByRun: made?.madeByRun ?? maker?.id, madeFinishedAt: made?.finishedAt ?? maker?.finishedAt.map(RunArchive.dates.string))
            try use.insert(db)
        }
    }
}
