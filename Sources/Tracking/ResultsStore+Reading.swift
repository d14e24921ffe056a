import Foundation
import GRDB

/// Reading runs, metrics, events and artifacts.
extension ResultsStore {

    public func runs(experiment: String) throws -> [RunRecord] {
        try pool.read { db in try RunRecord.filter(RunRecord.Columns.experimentId == experiment).order(RunRecord.Columns.id).fetchAll(db) }
    }

    /// The runs of `experiment` in one status (served by the status index).
    public func runs(experiment: String, status: RunStatus) throws -> [RunRecord] {
        try pool.read { db in
            try RunRecord.filter(RunRecord.Columns.experimentId == experiment && RunRecord.Columns.status == status.rawValue).order(RunRecord.Columns.id).fetchAll(db)
        }
    }

    public func run(_ id: Int64) throws -> RunRecord? { try pool.read { db in try RunRecord.fetchOne(db, key: id) } }

    public func metrics(run id: Int64) throws -> [MetricRecord] {
        try pool.read { db in try MetricRecord.filter(MetricRecord.Columns.runId == id).order(MetricRecord.Columns.epoch, MetricRecord.Columns.split, MetricRecord.Columns.name).fetchAll(db) }
    }

    public func events(run id: Int64) throws -> [EventRecord] {
        try pool.read { db in try EventRecord.filter(EventRecord.Columns.runId == id).order(EventRecord.Columns.id).fetchAll(db) }
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

    public func experiments() throws -> [ExperimentRecord] { try pool.read { db in try ExperimentRecord.order(ExperimentRecord.Columns.id).fetchAll(db) } }
}
