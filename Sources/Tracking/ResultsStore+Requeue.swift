import Foundation
import GRDB

/// Runs queued to run again (`tlab requeue`) with what they recorded before.
extension ResultsStore {
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
        /// The id of the event that keeps it, which its artifact uses name (`ArtifactUseRecord.earlierResult`); not part of it.
        public var eventId: Int64?

        enum CodingKeys: String, CodingKey {
            case reason, status, attempts, startedAt, finishedAt, host, gitRevision, blasCore, threads, resultJSON, error, metrics, events
        }
    }

    /// The earlier results kept in a run's `earlier-result` events, oldest first.
    public static func earlierResults(in events: [EventRecord]) -> [EarlierResult] {
        events.filter { $0.kind == EventRecord.earlierResult }.sorted { $0.at < $1.at }
            .compactMap { event in
                var earlier = try? RunArchive.decoder.decode(EarlierResult.self, from: Data(event.message.utf8))
                earlier?.eventId = event.id
                return earlier
            }
    }

    /// The earlier results of an experiment's runs queued to run again, by run id (runs without any absent).
    public func earlierResults(experiment: String) throws -> [Int64: [EarlierResult]] {
        try events(experiment: experiment, kinds: [EventRecord.earlierResult]).mapValues(Self.earlierResults(in:)).filter { !$0.value.isEmpty }
    }

    /// Queues ended runs to run again, keeping what they recorded: each non-stage run gets an
    /// `earlier-result` event holding its status, times, provenance, result, metrics and events (JSON);
    /// (its artifact uses stay, marked as the earlier result's); a stage run's instance is marked replaced
    /// (`StageInstanceRecord.replacedAt`) and it loses its artifact record, so the runs needing
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
                    try StageInstanceRecord.replace(madeBy: run, db)
                    try ArtifactRecord.deleteOne(db, key: run.hash)
                } else {
                    let metrics = try MetricRecord.filter(MetricRecord.Columns.runId == id).order(MetricRecord.Columns.epoch, MetricRecord.Columns.split, MetricRecord.Columns.name).fetchAll(db)
                    let events = try EventRecord.filter(EventRecord.Columns.runId == id && !EventRecord.history.contains(EventRecord.Columns.kind)).order(EventRecord.Columns.id).fetchAll(db)
                    let earlier = EarlierResult(reason: reason, status: run.status, attempts: run.attempts, startedAt: run.startedAt,
                                                finishedAt: run.finishedAt, host: run.host, gitRevision: run.gitRevision, blasCore: run.blasCore,
                                                threads: run.threads, resultJSON: run.resultJSON, error: run.error, metrics: metrics,
                                                events: events.map { EarlierResult.Event(at: $0.at, kind: $0.kind, message: $0.message) })
                    var event = EventRecord(runId: id, kind: EventRecord.earlierResult, message: String(decoding: try encoder.encode(earlier), as: UTF8.self))
                    try event.insert(db)
                    try ArtifactUseRecord.filter(ArtifactUseRecord.Columns.runId == id && ArtifactUseRecord.Columns.earlierResult == nil)
                        .updateAll(db, ArtifactUseRecord.Columns.earlierResult.set(to: event.id))
                }
                try Self.dropRecords(of: id, db)
                run.status = .queued
                run.attempts = 0
                run.worker = nil
                run.startedAt = nil; run.finishedAt = nil; run.resultJSON = nil; run.error = nil
                run.host = nil; run.gitRevision = nil; run.versionsJSON = nil; run.threads = nil; run.blasCore = nil; run.job = nil
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

}
