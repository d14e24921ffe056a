import Foundation
import Outcomes
import GRDB

/// A portable, complete record of an experiment's ended runs, as JSON Lines: a header line naming the
/// experiment, then one line per run with its row (configuration and hash, environment, timings,
/// status, result), its per-epoch metrics, its events, its artifact uses and, for a stage run, the instances
/// of its artifact. `tlab export --format jsonl` writes it and
/// `tlab import` reads it into another database, where a configuration it holds is then never run
/// again. It is how results outlive the machine that computed them: the SQLite database is not
/// committed, its archive is (`results/<experiment>.runs.jsonl`).
///
/// A run queued to run again (`ResultsStore.runAgain`, or a stage made again) comes too, as queued, with
/// the events that hold its earlier results or its earlier instances, so that they outlive the machine as well; an
/// import applies a run's (not a stage's) to a database holding that earlier result (queues it there
/// too), and an archived result a database has already queued again is not brought back.
///
/// Stage runs come as records; their product is an artifact folder the archive carries only as an
/// `ArtifactBundle` beside it, if one was written. Without one, `tlab run` makes a stage again where a run
/// that has not ended still needs it (`ResultsStore.register`), and records the earlier instance.
public enum RunArchive {
    public static let format = "transferlab-runs"
    public static let version = 2
    /// Version 1 kept stage instances and artifact uses as events (`LegacyStageEvents`); it is read still.
    static let readable = 1...2

    struct Header: Codable {
        var format: String
        var version: Int
        var experiment: ExperimentRecord
    }

    struct Entry: Codable {
        var run: RunRecord
        var metrics: [Metric]
        var events: [Event]
        /// A stage run's instances, oldest first (version 2).
        var instances: [StageInstanceRecord]?
        var uses: [Use]?
    }

    /// An artifact use (`ArtifactUseRecord`); an earlier result's names that result's event by its time.
    struct Use: Codable {
        var stage: String, stageKey: String, madeByRun: Int64?, madeFinishedAt: String?, at: Date, earlierResultAt: Date?
    }

    /// A metric as a compact `[epoch, split, name, value]` array (an archive holds hundreds of thousands).
    struct Metric: Codable {
        var epoch: Int, split: String, name: String, value: Double
        init(_ m: MetricRecord) { epoch = m.epoch; split = m.split; name = m.name; value = m.value }
        init(from decoder: Decoder) throws {
            var c = try decoder.unkeyedContainer()
            epoch = try c.decode(Int.self); split = try c.decode(String.self); name = try c.decode(String.self); value = try c.decode(Double.self)
        }
        func encode(to encoder: Encoder) throws {
            var c = encoder.unkeyedContainer()
            try c.encode(epoch); try c.encode(split); try c.encode(name); try c.encode(value)
        }
    }

    struct Event: Codable {
        var at: Date, kind: String, message: String
    }

    /// Whether a run's history events (`EventRecord.history`) hold the result that ended at `finishedAt`:
    /// then that result was queued to run again, and is not the latest.
    static func history(_ events: [(kind: String, message: String)], holds finishedAt: Date?) -> Bool {
        guard let finishedAt else { return false }
        let at = dates.string(from: finishedAt)
        return events.contains { e in
            guard e.kind == EventRecord.earlierResult else { return false }
            let earlier = try? decoder.decode(ResultsStore.EarlierResult.self, from: Data(e.message.utf8))
            return earlier?.finishedAt.map(dates.string) == at
        }
    }

    /// What an import did with each run of the archive.
    public struct ImportSummary: Equatable, Sendable {
        /// Added to the database (a queued run of the same configuration replaced).
        public var imported = 0
        /// Already recorded as ended in the database: left as they were.
        public var alreadyRecorded = 0
        /// Running in the database right now: left to their worker.
        public var running = 0
        /// Of `imported`, stage runs (their records; the archive does not carry their artifacts).
        public var stages = 0
        /// Stage artifacts registered from bundles beside the archive (`ArtifactBundle`), checked file by file.
        public var artifacts = 0
        /// Ended runs here that the archive has queued to run again (their results kept as earlier ones).
        public var queuedAgain = 0
        public init() {}
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case malformed(source: String, line: Int, reason: String)
        case noExperiment(String, database: String)
        public var description: String {
            switch self {
            case let .malformed(source, line, reason): "\(source):\(line): \(reason)"
            case let .noExperiment(id, database): "no experiment '\(id)' in \(database)"
            }
        }
    }

    static var dates: ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }

    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        nonisolated(unsafe) let dates = dates  // this encoder's own formatter, used only as it encodes
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(dates.string(from: date))
        }
        return e
    }

    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        nonisolated(unsafe) let dates = dates  // this decoder's own formatter, used only as it decodes
        d.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let text = try c.decode(String.self)
            guard let date = dates.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an ISO 8601 date: \(text)")
            }
            return date
        }
        return d
    }
}

extension ResultsStore {
    /// The experiment's ended runs (finished, diverged, failed, timed out) with their metrics, events,
    /// artifact uses and stage instances, and its runs queued to run again with their history (earlier
    /// results and their uses, earlier instances; as queued), as a run archive (`RunArchive`), in run order.
    public func archive(experiment id: String) throws -> Data {
        try pool.read { db in
            guard let experiment = try ExperimentRecord.fetchOne(db, key: id) else { throw RunArchive.Failure.noExperiment(id, database: path) }
            let ended = RunStatus.allCases.filter(\.hasEnded).map(\.rawValue)
            let history = EventRecord.history.sorted()
            let runs = try RunRecord.fetchAll(db, sql: """
                SELECT * FROM runs r WHERE r.experimentId = ? AND (r.status IN (SELECT value FROM json_each(?))
                    OR EXISTS (SELECT 1 FROM events e WHERE e.runId = r.id AND e.kind IN (SELECT value FROM json_each(?)))
                    OR (r.kind = 'stage' AND EXISTS (SELECT 1 FROM stageInstances i WHERE i.experimentId = r.experimentId AND i.stageKey = r.hash)))
                ORDER BY r.id
                """, arguments: [id, String(decoding: try JSONEncoder().encode(ended), as: UTF8.self),
                                   String(decoding: try JSONEncoder().encode(history), as: UTF8.self)])
            let metrics = Dictionary(grouping: try MetricRecord.fetchAll(db, sql: """
                SELECT m.* FROM metrics m JOIN runs r ON r.id = m.runId WHERE r.experimentId = ? ORDER BY m.runId, m.epoch, m.split, m.name
                """, arguments: [id]), by: \.runId)
            let events = Dictionary(grouping: try EventRecord.fetchAll(db, sql: """
                SELECT e.* FROM events e JOIN runs r ON r.id = e.runId WHERE r.experimentId = ? ORDER BY e.id
                """, arguments: [id]), by: \.runId)
            let stages = try stageHistory(experiment: id, db)
            let instances = Dictionary(grouping: stages.instances, by: \.stageKey)
            let uses = Dictionary(grouping: stages.uses, by: \.runId)
            let encoder = RunArchive.encoder
            var out = try encoder.encode(RunArchive.Header(format: RunArchive.format, version: RunArchive.version, experiment: experiment))
            for var run in runs {
                run.worker = nil  // a process of the machine that ran it
                var kept = events[run.id!] ?? [], measured = metrics[run.id!] ?? [], used = uses[run.id!] ?? []
                let made = run.isStage ? instances[run.hash] ?? [] : []
                let eventTimes = Dictionary(kept.map { ($0.id!, $0.at) }) { a, _ in a }
                if !run.status.hasEnded {  // queued again (or its new attempt running): its history alone
                    run.status = .queued
                    run.startedAt = nil; run.finishedAt = nil; run.resultJSON = nil; run.error = nil; run.attempts = 0
                    run.host = nil; run.gitRevision = nil; run.versionsJSON = nil; run.threads = nil; run.blasCore = nil; run.job = nil
                    kept = kept.filter { EventRecord.history.contains($0.kind) }
                    measured = []
                    used = used.filter { $0.earlierResult != nil }
                }
                let entry = RunArchive.Entry(run: run, metrics: measured.map(RunArchive.Metric.init),
                                             events: kept.map { RunArchive.Event(at: $0.at, kind: $0.kind, message: $0.message) },
                                             instances: made.isEmpty ? nil : made,
                                             uses: used.isEmpty ? nil : used.map {
                                                 RunArchive.Use(stage: $0.stage, stageKey: $0.stageKey, madeByRun: $0.madeByRun, madeFinishedAt: $0.madeFinishedAt,
                                                                at: $0.at, earlierResultAt: $0.earlierResult.flatMap { eventTimes[$0] })
                                             })
                out.append(0x0A)
                out.append(try encoder.encode(entry))
            }
            out.append(0x0A)
            return out
        }
    }

    /// Reads a run archive into this database in one transaction (all of it or, on a malformed line,
    /// none). An ended run whose configuration (experiment and hash) is not recorded here is added
    /// with its metrics and events, keeping its run id when that id is free; a queued or timed-out
    /// run of the same configuration is replaced by it (a stage run only with its artifact bundle, below:
    /// without one, a queued stage is being made here). Runs already ended or running here are left out
    /// and counted. `source` names the archive in error messages.
    ///
    /// With `artifacts` (a folder of `ArtifactBundle`s, `<key>/`, usually `artifact-bundles/` beside the
    /// archive), a finished stage run whose bundle is there and whose artifact this database lacks gets
    /// that artifact, after every file's SHA-256 is checked and the manifest is found to name this very
    /// stage run: it is not made again (a stage queued to be made again is replaced by the archived record).
    ///
    /// With `artifactsInPlace` (a cluster job's shard, whose stage wrote its artifact straight into this database's
    /// artifacts folder), a finished stage run's artifact already in that folder, whose digest is the one its result
    /// records, is registered where it is.
    public func importArchive(_ data: Data, source: String, artifacts: URL? = nil, artifactsInPlace: Bool = false) throws -> RunArchive.ImportSummary {
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated()
            .filter { !$0.element.allSatisfy { $0 == 0x20 || $0 == 0x0D || $0 == 0x09 } }
        let decoder = RunArchive.decoder
        func malformed(_ line: Int, _ reason: String) -> RunArchive.Failure { .malformed(source: source, line: line + 1, reason: reason) }
        func reason(_ error: Error) -> String {
            switch error {
            case let DecodingError.keyNotFound(key, context): "missing field \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
            case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
                 let DecodingError.dataCorrupted(context):
                "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
            default: "\(error)"
            }
        }
        guard let first = lines.first else { throw RunArchive.Failure.malformed(source: source, line: 1, reason: "empty archive") }
        let header: RunArchive.Header
        do { header = try decoder.decode(RunArchive.Header.self, from: Data(first.element)) } catch {
            throw malformed(first.offset, "not a run archive header (\(reason(error)))")
        }
        guard header.format == RunArchive.format else { throw malformed(first.offset, "format is '\(header.format)', expected '\(RunArchive.format)'") }
        guard RunArchive.readable.contains(header.version) else {
            throw malformed(first.offset, "archive version \(header.version); this tlab reads versions \(RunArchive.readable.lowerBound) to \(RunArchive.readable.upperBound)")
        }
        var entries: [RunArchive.Entry] = []
        for (offset, bytes) in lines.dropFirst() {
            let entry: RunArchive.Entry
            do { entry = try decoder.decode(RunArchive.Entry.self, from: Data(bytes)) } catch { throw malformed(offset, reason(error)) }
            guard entry.run.experimentId == header.experiment.id else {
                throw malformed(offset, "run of experiment '\(entry.run.experimentId)' in the archive of '\(header.experiment.id)'")
            }
            let queuedAgain = entry.run.status == .queued && (entry.events.contains { EventRecord.history.contains($0.kind) || $0.kind == LegacyStageEvents.earlierInstance }
                                                               || entry.instances?.contains { $0.replacedAt != nil } == true)
            guard entry.run.status.hasEnded || queuedAgain else {
                throw malformed(offset, "run \(entry.run.id.map(String.init) ?? "?") is \(entry.run.status.rawValue); an archive holds ended runs "
                                + "and runs queued again with their earlier results")
            }
            entries.append(entry)
        }
        // A run archived while configurations carried the spec's prose (or fields its kind never had) is imported as
        // planning makes it now, its old hash kept as an alias.
        var aliases: [(old: String, new: String)] = []
        for i in entries.indices {
            guard let plain = RunIdentity.rewritten(entries[i].run, by: rewrites) else { continue }
            aliases.append((entries[i].run.hash, plain.hash))
            entries[i].run = plain
        }
        // Bundles are checked and copied beside the artifacts folder before the transaction (slow file work); inside it,
        // a copy the import uses is only renamed into place. Copies not used are removed.
        var staged: [String: URL] = [:]
        let fm = FileManager.default
        defer { for copy in staged.values { try? fm.removeItem(at: copy) } }
        if let artifacts {
            for entry in entries {
                guard let bundle = try pool.read({ db in try self.usableBundle(in: artifacts, for: entry.run, db) }) else { continue }
                let copy = artifactsFolder.appendingPathComponent("\(entry.run.hash).incoming")
                try fm.createDirectory(at: artifactsFolder, withIntermediateDirectories: true)
                try? fm.removeItem(at: copy)
                try fm.copyItem(at: bundle, to: copy)
                staged[entry.run.hash] = copy
            }
        }
        var inPlace: [String: URL] = [:]  // never removed: they are the artifacts
        if artifactsInPlace {
            for entry in entries where entry.run.isStage && entry.run.status == .finished {
                let folder = artifactsFolder.appendingPathComponent(entry.run.hash)
                guard try pool.read({ db in try !ArtifactRecord.exists(db, key: entry.run.hash) }),
                      FileManager.default.fileExists(atPath: folder.path),
                      let recorded = try entry.run.outcome()?.artifactSHA256 else { continue }
                let found = try ArtifactBundle.digest(of: folder)
                guard found == recorded else {
                    throw ArtifactBundle.Failure(description: "\(folder.path): its files' digest is \(found.prefix(12)), but stage run \(entry.run.hash.prefix(12)) recorded \(recorded.prefix(12))")
                }
                inPlace[entry.run.hash] = folder
            }
        }
        return try pool.write { db in
            var summary = RunArchive.ImportSummary()
            if try !ExperimentRecord.exists(db, key: header.experiment.id) { try header.experiment.insert(db) }
            for (old, new) in aliases { try RunIdentity.Alias.record(experiment: header.experiment.id, old: old, new: new, db) }
            for entry in entries {
                let bundle = try ArtifactRecord.exists(db, key: entry.run.hash) ? nil : staged[entry.run.hash] ?? inPlace[entry.run.hash]
                let history = { (events: [(kind: String, message: String)]) in events.filter { EventRecord.history.contains($0.kind) } }
                let archivedHistory = history(entry.events.map { ($0.kind, $0.message) })
                var keptHere: [EventRecord] = []  // history events of a run here that the archive's lacks
                var keptUses: [ArtifactUseRecord] = []  // and the artifact uses of those earlier results
                if let here = try RunRecord.filter(RunRecord.Columns.experimentId == entry.run.experimentId && RunRecord.Columns.hash == entry.run.hash).fetchOne(db) {
                    if here.status == .running { summary.running += 1; continue }
                    let hereEvents = try EventRecord.filter(EventRecord.Columns.runId == here.id! && EventRecord.history.contains(EventRecord.Columns.kind)).fetchAll(db)
                    if entry.run.status == .queued {
                        // Queued again where the archive was written: so here too, if this is the result it holds. Not
                        // a stage: one is made again where its artifact is missing, which says nothing of its artifact here.
                        if entry.run.isStage || (here.status.hasEnded && !RunArchive.history(archivedHistory, holds: here.finishedAt)) {
                            summary.alreadyRecorded += 1; continue
                        }
                        if here.status.hasEnded { summary.queuedAgain += 1 }
                    } else {
                        // A result this database has queued again is not brought back (a stage's instance is, with its
                        // artifact: a stage is made again where its artifact is missing).
                        let superseded = !entry.run.isStage && RunArchive.history(hereEvents.map { ($0.kind, $0.message) }, holds: entry.run.finishedAt)
                        let replaceable = entry.run.isStage ? bundle != nil : here.status == .queued || here.status == .timeout
                        if !replaceable || superseded { summary.alreadyRecorded += 1; continue }
                    }
                    keptHere = hereEvents.filter { e in !archivedHistory.contains { $0.kind == e.kind && $0.message == e.message } }
                    let keptIds = keptHere.map(\.id!)
                    keptUses = try ArtifactUseRecord.filter(ArtifactUseRecord.Columns.runId == here.id! && keptIds.contains(ArtifactUseRecord.Columns.earlierResult)).fetchAll(db)
                    try RunRecord.deleteOne(db, key: here.id)
                }
                var run = entry.run
                if let id = run.id, try RunRecord.exists(db, key: id) { run.id = nil }
                try run.insert(db)
                let runId = run.id!
                for m in entry.metrics { try MetricRecord(runId: runId, epoch: m.epoch, split: m.split, name: m.name, value: m.value).insert(db) }
                var eventIds: [Date: Int64] = [:], keptIds: [Int64: Int64] = [:]
                for e in entry.events.map({ (at: $0.at, kind: $0.kind, message: $0.message, id: Int64?.none) })
                    + keptHere.map({ (at: $0.at, kind: $0.kind, message: $0.message, id: $0.id) }) {
                    var event = EventRecord(runId: runId, kind: e.kind, message: e.message)
                    event.at = e.at
                    try event.insert(db)
                    if let old = e.id { keptIds[old] = event.id } else { eventIds[e.at] = event.id }
                }
                for use in entry.uses ?? [] {
                    var row = ArtifactUseRecord(runId: runId, stage: use.stage, stageKey: use.stageKey, madeByRun: use.madeByRun,
                                                madeFinishedAt: use.madeFinishedAt, at: use.at, earlierResult: use.earlierResultAt.flatMap { eventIds[$0] })
                    try row.insert(db)
                }
                for var use in keptUses {
                    use.id = nil; use.runId = runId; use.earlierResult = use.earlierResult.flatMap { keptIds[$0] }
                    try use.insert(db)
                }
                for var instance in entry.instances ?? [] {
                    instance.experimentId = run.experimentId; instance.stageKey = run.hash
                    try instance.insert(db, onConflict: .ignore)
                }
                if header.version == 1 { try LegacyStageEvents.convert(db, runs: [runId]) }
                if let made = StageInstanceRecord(madeBy: run) { try made.insert(db, onConflict: .ignore) }
                if run.status == .queued { continue }  // counted above when it queued a result here again
                summary.imported += 1
                if run.isStage { summary.stages += 1 }
                if let bundle {
                    try register(copy: bundle, of: run, db)
                    staged[run.hash] = nil
                    summary.artifacts += 1
                }
            }
            return summary
        }
    }

    /// The bundle of `run`'s artifact in `folder`, checked, if `run` is a finished stage run, the bundle is
    /// there and this database has no artifact of its key; a bundle of another instance is an error.
    func usableBundle(in folder: URL, for run: RunRecord, _ db: Database) throws -> URL? {
        let bundle = folder.appendingPathComponent(run.hash)
        guard run.isStage, run.status == .finished, FileManager.default.fileExists(atPath: bundle.appendingPathComponent(ArtifactBundle.manifestName).path),
              try !ArtifactRecord.exists(db, key: run.hash) else { return nil }
        let manifest = try ArtifactBundle.verify(bundle)
        let finished = run.finishedAt.map { RunArchive.dates.string(from: $0) } ?? "?"
        guard manifest.key == run.hash, manifest.run == run.id, manifest.finishedAt == finished else {
            throw ArtifactBundle.Failure(description: "\(bundle.path): the artifact of run \(manifest.run) finished \(manifest.finishedAt), "
                                         + "but the archive's stage run \(run.hash.prefix(12)) is run \(run.id.map(String.init) ?? "?") finished \(finished)")
        }
        return bundle
    }

    /// Moves the copy of a checked bundle into place in this database's artifacts folder and records it as made by `run`.
    func register(copy: URL, of run: RunRecord, _ db: Database) throws {
        let fm = FileManager.default, target = artifactsFolder.appendingPathComponent(run.hash)
        if copy.standardizedFileURL.path != target.standardizedFileURL.path {
            try? fm.removeItem(at: target)  // leftovers of an attempt no record names
            try fm.moveItem(at: copy, to: target)
        }
        let kind = try run.outcome()?.kind
        try ArtifactRecord(configHash: run.hash, kind: kind ?? "stage", path: run.hash, createdByRun: run.id, createdAt: run.finishedAt ?? Date()).insert(db)
    }
}
