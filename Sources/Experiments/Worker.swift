import Datasets
import Foundation
import Outcomes
import Numerics
import Specs
import Tracking
import Training

/// A worker process's loop: claim the next ready run (see `ResultsStore.claim`), execute it, record everything, repeat.
public enum Worker {
    /// With a `deadline`, only runs it admits are claimed; the loop ends when none is left.
    public static func loop(store: ResultsStore, experiment: String, data: DataStore, environment: RunEnvironment,
                            filter: RunFilter = RunFilter(), deadline: Deadline? = nil, kinds: RunKinds = .standard) throws -> Int {
        let worker = WorkerIdentity.current()
        var done = 0
        while true {
            let admitted = try deadline.map { try store.admitted(by: $0, experiment: experiment, filter: filter) }
            switch try store.claim(experiment: experiment, worker: worker, environment: environment, filter: filter, admitted: admitted) {
            case let .run(run):
                try execute(run, store: store, data: data, kinds: kinds)
                done += 1
            case .wait:
                Thread.sleep(forTimeInterval: 0.5)  // another worker is making an artifact queued runs need
            case .done:
                return done
            }
        }
    }

    /// The artifact folders a run's configuration names in `run.artifacts` (stage name → folder). With
    /// an observer, each is recorded as used (`ArtifactUseRecord`): the key alone does not say
    /// which instance of a stage's artifact a run met when the stage was made again on another machine.
    static func artifacts(of config: ConfigNode, store: ResultsStore, observer: RecordingObserver? = nil) throws -> [String: URL] {
        var folders: [String: URL] = [:]
        for (name, key) in try ConfigDecoder().decode(StageUses.self, from: config).run?.artifacts.entries ?? [] {
            guard let artifact = try store.artifact(key) else {
                throw RunFailure(message: "artifact of stage '\(name)' is missing")
            }
            folders[name] = store.url(of: artifact)
            if let observer { try store.recordUse(run: observer.runId, stage: "stage:\(name)", artifact: artifact) }
        }
        return folders
    }

    /// Runs a stage into its work folder, moves it to `artifacts/<key>` and records both at once.
    static func executeStage(_ run: RunRecord, config: ConfigNode, store: ResultsStore, data: DataStore, observer: RecordingObserver,
                             kinds: RunKinds) throws {
        let fm = FileManager.default
        let final = store.artifactsFolder.appendingPathComponent(run.hash)
        // One folder per stage key: only the worker that claimed the stage run writes it. What an
        // earlier, killed attempt left is cleared, except `resume/` (per-epoch state of long stages).
        let partial = store.artifactsFolder.appendingPathComponent("\(run.hash).partial")
        try fm.createDirectory(at: partial, withIntermediateDirectories: true)
        for leftover in try fm.contentsOfDirectory(atPath: partial.path) where leftover != StageRun.resumeFolder {
            try fm.removeItem(at: partial.appendingPathComponent(leftover))
        }
        var result: RunOutcome
        do {
            result = try StageRun.execute(config, into: partial, data: data, artifacts: try artifacts(of: config, store: store, observer: observer),
                                          observer: observer, kinds: kinds)
        } catch {
            try? fm.removeItem(at: partial)  // a deterministic failure: nothing to resume
            throw error
        }
        try? fm.removeItem(at: partial.appendingPathComponent(StageRun.resumeFolder))
        try? fm.removeItem(at: final)  // a crashed earlier attempt's leftovers, never a recorded artifact
        try fm.moveItem(at: partial, to: final)
        result.artifactSHA256 = try ArtifactBundle.digest(of: final)
        try store.finish(run: run.id!, status: .finished, resultJSON: result.json, error: nil,
                         artifact: ArtifactRecord(configHash: run.hash, kind: result.kind ?? "stage", path: run.hash, createdByRun: run.id))
    }

    static func execute(_ run: RunRecord, store: ResultsStore, data: DataStore, kinds: RunKinds = .standard) throws {
        let id = run.id!
        let observer = RecordingObserver(store: store, runId: id)
        do {
            let config = try ConfigNode.parse(yaml: run.configJSON, file: "run \(id) config")
            if run.isStage {
                try executeStage(run, config: config, store: store, data: data, observer: observer, kinds: kinds)
                return
            }
            let (kind, typed) = try kinds.decodeRun(config)
            let artifacts = try artifacts(of: config, store: store, observer: observer)
            // Per-epoch state of a classifier run: a run killed mid-way resumes after its last saved epoch.
            let resume = store.resumeState(of: run.hash)
            defer {  // runs only after the outcome is recorded or thrown
                try? FileManager.default.removeItem(at: resume)
                ResumeBundle.clearOrigin(of: resume)
            }
            // A state carried from other machines (`ResumeBundle`) names the attempts whose epochs it holds.
            let elsewhere = ResumeBundle.attempts(of: resume)
            switch ResumeState.numerics(of: resume) {
            case nil: ResumeBundle.clearOrigin(of: resume)
            case NumericsVersion.current?:
                observer.note("resuming from the last epoch an interrupted attempt saved"
                              + (elsewhere.isEmpty ? "" : "; its epochs ran on " + elsewhere.map(\.summary).joined(separator: ", then ")))
            case let other?:
                ResumeBundle.clearOrigin(of: resume)
                observer.note("starting over: an interrupted attempt saved its state with numerics version \(other), this build computes version \(NumericsVersion.current)")
            }
            let result = try kind.execute(typed, RunContext(data: data, artifacts: artifacts, observer: observer, resume: resume, config: config))
            try store.finish(run: id, status: result.status == .diverged ? .diverged : .finished, resultJSON: result.json, error: result.error)
        } catch {
            // A configuration or data error is deterministic: record it, do not retry.
            try store.finish(run: id, status: .failed, resultJSON: nil, error: "\(error)")
        }
    }
}

/// Writes each epoch's metrics and each note to the results database as they happen.
final class RecordingObserver: RunObserver {
    let store: ResultsStore
    let runId: Int64
    init(store: ResultsStore, runId: Int64) { self.store = store; self.runId = runId }

    func epochEnded(_ record: EpochRecord) {
        let values: [(String, String, Double)] = [
            ("train", "loss", record.trainLoss), ("valid", "loss", record.valid.loss),
            ("valid", "accuracy", record.valid.accuracy), ("valid", "macro_f1", record.valid.macroF1),
            ("train", "seconds", record.seconds), ("train", "phase", Double(record.phase)),
        ] + ["entity_f1", "entity_precision", "entity_recall"].compactMap { name in record.valid.scores?[name].map { ("valid", name, $0) } }
        try? store.record(metrics: values.map { MetricRecord(runId: runId, epoch: record.epoch, split: $0.0, name: $0.1, value: $0.2) })
    }

    func record(epoch: Int, split: String, name: String, value: Double) {
        try? store.record(metrics: [MetricRecord(runId: runId, epoch: epoch, split: split, name: name, value: value)])
    }

    func note(_ message: String) {
        let kind = message.hasPrefix("froze") || message.hasPrefix("unfroze") ? "freeze" : "note"
        try? store.record(event: EventRecord(runId: runId, kind: kind, message: message))
    }
}

/// The artifacts a run's or a stage's configuration uses (`run.artifacts`: stage name → key), whatever its kind.
struct StageUses: Decodable, OpenConfig {
    struct Uses: Decodable, OpenConfig {
        var artifacts: Ordered<String>
        enum CodingKeys: String, CodingKey { case artifacts }
        init(from decoder: any Decoder) throws { artifacts = try decoder.container(keyedBy: CodingKeys.self).decode(.artifacts, or: Ordered()) }
    }
    var run: Uses?
}
