import Foundation
import Outcomes
import GRDB

/// One experiment (a spec's `experiment.id`).
public struct ExperimentRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    public static let databaseTableName = "experiments"

    /// Its columns, for requests.
    public enum Columns {
        public static let id = Column("id")
    }
    public var id: String
    public var specFile: String
    public var description: String
    public var createdAt: Date
    public init(id: String, specFile: String, description: String, createdAt: Date) {
        self.id = id; self.specFile = specFile; self.description = description; self.createdAt = createdAt
    }
}

/// Where a run is in its life.
public enum RunStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case queued, running, finished, diverged, failed, timeout
    public var isTerminal: Bool { [.finished, .diverged, .failed].contains(self) }
    /// Trained to an outcome: finished, or stopped at a non-finite loss. Such a run has a result (and a duration).
    public var hasResult: Bool { self == .finished || self == .diverged }
    /// Ended, well or not: terminal, or out of attempts at its time limit. What a run archive holds.
    public var hasEnded: Bool { isTerminal || self == .timeout }
}

/// One run: coordinates, resolved configuration (and its hash), environment, status and result.
public struct RunRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    public static let databaseTableName = "runs"

    /// Its columns, for requests.
    public enum Columns {
        public static let id = Column("id")
        public static let experimentId = Column("experimentId")
        public static let hash = Column("hash")
        public static let status = Column("status")
        public static let kind = Column("kind")
        public static let seed = Column("seed")
    }
    public var id: Int64?
    public var experimentId: String
    public var hash: String
    public var arm: String
    public var dataset: String
    public var seed: Int
    public var fold: Int?
    public var trainingSize: String?
    public var sweepJSON: String
    public var configJSON: String
    public var status: RunStatus
    public var attempts: Int
    public var workerPid: Int?
    /// The worker's host and process start time beside its pid (`WorkerIdentity`).
    public var workerHost: String?
    public var workerStarted: Int64?
    public var host: String?
    public var gitRevision: String?
    public var versionsJSON: String?
    public var threads: Int?
    public var blasCore: String?
    public var queuedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var error: String?
    public var resultJSON: String?
    /// A run, or a stage: a run whose product (an artifact keyed by `hash`) other runs use.
    public enum Kind: String, Codable, Sendable, DatabaseValueConvertible { case run, stage }
    public var kind: Kind
    /// JSON array of the artifact keys this run waits for, or nil.
    public var needs: String?
    /// The cluster job that ran it (`<array job>_<task>`; its node is `host`), where one did.
    public var job: String?

    public init(experimentId: String, hash: String, arm: String, dataset: String, seed: Int, fold: Int?, trainingSize: String?,
                sweepJSON: String, configJSON: String, kind: Kind = .run, needs: [String] = []) {
        self.experimentId = experimentId; self.hash = hash; self.arm = arm; self.dataset = dataset; self.seed = seed
        self.fold = fold; self.trainingSize = trainingSize; self.sweepJSON = sweepJSON; self.configJSON = configJSON
        self.kind = kind
        self.needs = needs.isEmpty ? nil : String(decoding: try! JSONEncoder().encode(needs), as: UTF8.self)
        status = .queued; attempts = 0; queuedAt = Date()
    }

    public var isStage: Bool { kind == .stage }

    /// The worker that holds it while it runs.
    public var worker: WorkerIdentity? {
        get { workerPid.map { WorkerIdentity(host: workerHost ?? host ?? "", pid: $0, started: workerStarted.map(UInt64.init)) } }
        set { (workerPid, workerHost, workerStarted) = (newValue?.pid, newValue?.host, newValue?.started.map(Int64.init)) }
    }

    /// The artifact keys in `needs`.
    public var neededArtifacts: [String] { needs.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? [] }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A metric value of a run at an epoch (or step) on a split.
public struct MetricRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "metrics"

    /// Its columns, for requests.
    public enum Columns {
        public static let runId = Column("runId")
        public static let epoch = Column("epoch")
        public static let split = Column("split")
        public static let name = Column("name")
    }
    public var runId: Int64
    public var epoch: Int
    public var split: String
    public var name: String
    public var value: Double
    public init(runId: Int64, epoch: Int, split: String, name: String, value: Double) {
        self.runId = runId; self.epoch = epoch; self.split = split; self.name = name; self.value = value
    }
}

extension Sequence where Element == MetricRecord {
    /// The sum of a run's per-epoch training seconds (metric `train`.`seconds`, as `ResultsStore.epochSeconds`
    /// sums them in the database); nil when none is among these records.
    public var trainingSeconds: Double? {
        let seconds = filter { $0.split == "train" && $0.name == "seconds" }
        return seconds.isEmpty ? nil : seconds.reduce(0) { $0 + $1.value }
    }
}

/// Something that happened in a run: phase change, freeze/unfreeze, early stop, notes.
public struct EventRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    public static let databaseTableName = "events"

    /// Its columns, for requests.
    public enum Columns {
        public static let id = Column("id")
        public static let runId = Column("runId")
        public static let kind = Column("kind")
    }
    public var id: Int64?
    public var runId: Int64
    public var at: Date
    public var kind: String
    public var message: String
    public init(runId: Int64, kind: String, message: String) { self.runId = runId; at = Date(); self.kind = kind; self.message = message }
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// An ended run's earlier result, kept when it was queued to run again (`ResultsStore.runAgain`):
    /// JSON of its status, times, provenance, result, metrics and events. Kept when the run's other events
    /// are dropped, so the history survives.
    public static let earlierResult = "earlier-result"
    /// The events an attempt's records never drop.
    public static let history: Set<String> = [earlierResult]
}

/// A stored product of a run (checkpoint, vectors), keyed by the hash of the configuration that made it.
public struct ArtifactRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    public static let databaseTableName = "artifacts"
    public var configHash: String
    public var kind: String
    public var path: String
    public var createdByRun: Int64?
    public var createdAt: Date
    public init(configHash: String, kind: String, path: String, createdByRun: Int64?, createdAt: Date = Date()) {
        self.configHash = configHash; self.kind = kind; self.path = path; self.createdByRun = createdByRun; self.createdAt = createdAt
    }
}

extension RunRecord {
    /// The run's stored result; nil when it has none, an error naming the run when it does not decode.
    public func outcome() throws -> RunOutcome? {
        try resultJSON.map { try RunOutcome(json: $0, run: "run \(id.map(String.init) ?? "?") (\(arm), \(dataset), seed \(seed))") }
    }
}
