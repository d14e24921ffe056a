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
    /// Where artifacts and resume states live: one folder per artifact key (default `artifacts/` beside the
    /// database; on a cluster, a folder on shared storage).
    public let artifactsFolder: URL

    /// Opens (or creates) the database at `path`; an error names the file.
    public convenience init(path: String, rewrites: [ConfigRewrite] = [], artifacts: URL? = nil) throws {
        do {
            try self.init(opening: path, rewrites: rewrites, artifacts: artifacts)
        } catch {
            throw DatabaseFileError(path: path, reason: "\(error)")
        }
    }

    /// Opens an existing database to read only (a file or folder this user may not write): nothing is migrated or moved.
    public convenience init(readingOnly path: String, artifacts: URL? = nil) throws {
        do {
            try self.init(reading: path, artifacts: artifacts)
        } catch let error as DatabaseFileError {
            throw error
        } catch {
            throw DatabaseFileError(path: path, reason: "\(error)")
        }
    }

    private init(reading path: String, artifacts: URL?) throws {
        self.path = path
        rewrites = []
        artifactsFolder = artifacts ?? Self.defaultArtifacts(beside: path)
        guard FileManager.default.fileExists(atPath: path) else { throw DatabaseFileError(path: path, reason: "no such file") }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(30)
        pool = try DatabasePool(path: path, configuration: configuration)
        guard try pool.read({ db in try Self.migrator.hasCompletedMigrations(db) }) else {
            throw DatabaseFileError(path: path, reason: "written by an older tlab: a command that writes (tlab run, tlab import) brings it up to date")
        }
    }

    private init(opening path: String, rewrites: [ConfigRewrite], artifacts: URL?) throws {
        self.path = path
        self.rewrites = rewrites
        artifactsFolder = artifacts ?? Self.defaultArtifacts(beside: path)
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
        m.registerMigration("v5-stage-instances") { db in
            try db.create(table: "stageInstances") { t in
                t.column("experimentId", .text).notNull()
                t.column("stageKey", .text).notNull()
                t.column("madeByRun", .integer).notNull()
                t.column("finishedAt", .text).notNull()
                t.column("gitRevision", .text)
                t.column("host", .text)
                t.column("blasCore", .text)
                t.column("threads", .integer)
                t.column("resultJSON", .text)
                t.column("replacedAt", .datetime)
                t.primaryKey(["experimentId", "stageKey", "madeByRun", "finishedAt"])
            }
            try db.create(table: "artifactUses") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("runId", .integer).notNull().references("runs", onDelete: .cascade)
                t.column("stage", .text).notNull()
                t.column("stageKey", .text).notNull()
                t.column("madeByRun", .integer)
                t.column("madeFinishedAt", .text)
                t.column("at", .datetime).notNull()
                t.column("earlierResult", .integer).references("events", onDelete: .cascade)
            }
            try db.create(index: "artifactUses_run", on: "artifactUses", columns: ["runId"])
            try LegacyStageEvents.convert(db)
        }
        m.registerMigration("v6-cluster-jobs") { db in
            // `job`: the cluster job (`<array job>_<task>`) that ran the run, where one did.
            try db.alter(table: "runs") { t in t.add(column: "job", .text) }
        }
        return m
    }

    /// `artifacts/` beside the database.
    static func defaultArtifacts(beside path: String) -> URL {
        URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("artifacts")
    }
}

/// The results database could not be opened or migrated.
public struct DatabaseFileError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "results database \(path): \(reason)" }
}
