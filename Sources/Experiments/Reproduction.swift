import Datasets
import Foundation
import Numerics
import Tracking

/// Runs a recorded run again from its stored configuration, in a scratch database, and compares
/// every per-epoch metric and the result with what was recorded, bit for bit (timings aside): the
/// check that a run is reproducible with this build, on this machine, with the run's thread count.
public enum Reproduction {
    public struct Outcome: Sendable {
        public let original: RunRecord
        public let rerun: RunRecord
        /// Metrics compared (every epoch, split and name but timings); 0 when the run has none recorded
        /// (the runs recovered from an export, which kept results only): then only the result is compared.
        public let compared: Int
        /// Metrics that differ or exist on one side only, as "epoch 3 valid.loss: 0.41 → 0.42".
        public let differences: [String]
        /// Status and result (timings aside) the same.
        public let resultMatches: Bool
        public var identical: Bool { differences.isEmpty && resultMatches }
        /// The numerics version the original was computed with (`NumericsVersion`; 1 for runs recorded
        /// before runs kept it); nil when its versions were not recorded.
        public var recordedNumerics: Int? { Reproduction.numerics(of: original) }
    }

    /// The numerics version of a run's record (1 when its versions predate the field).
    static func numerics(of run: RunRecord) -> Int? {
        guard let json = run.versionsJSON, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        return (object["numerics"] as? String).flatMap { Int($0) } ?? 1
    }

    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reruns run `id` of `store` in-process with the run's own BLAS thread count.
    public static func rerun(_ id: Int64, store: ResultsStore, data: DataStore, environment: RunEnvironment) throws -> Outcome {
        guard let original = try store.run(id) else { throw Refusal(description: "no run \(id) in the database") }
        guard original.status.hasResult else {
            throw Refusal(description: "run \(id) is \(original.status.rawValue): only a finished or diverged run has results to reproduce")
        }
        let scratchFolder = FileManager.default.temporaryDirectory.appendingPathComponent("tlab-verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratchFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratchFolder) }
        let scratch = try ResultsStore(path: scratchFolder.appendingPathComponent("verify.sqlite").path)
        // The artifacts it was trained from (a pretrained LM, vectors), linked, not copied.
        try FileManager.default.createDirectory(at: scratch.artifactsFolder, withIntermediateDirectories: true)
        var artifacts: [ArtifactRecord] = []
        for key in original.neededArtifacts {
            guard let artifact = try store.artifact(key) else {
                throw Refusal(description: "run \(id) needs artifact \(key.prefix(12)), which is not on this machine (`tlab run` of its spec makes it again)")
            }
            try FileManager.default.createSymbolicLink(at: scratch.url(of: artifact), withDestinationURL: store.url(of: artifact))
            artifacts.append(ArtifactRecord(configHash: artifact.configHash, kind: artifact.kind, path: artifact.path, createdByRun: nil,
                                            createdAt: artifact.createdAt))  // its stage run is not in the scratch database
        }
        _ = try scratch.enqueueCopy(of: original, artifacts: artifacts)
        BLAS.threads = original.threads ?? 1
        var rerunEnvironment = environment
        rerunEnvironment.threads = BLAS.threads
        guard case let .run(claimed) = try scratch.claim(experiment: original.experimentId, worker: .current(), environment: rerunEnvironment) else {
            throw Refusal(description: "run \(id): its copy could not be claimed")
        }
        try Worker.execute(claimed, store: scratch, data: data)
        return Outcome(original: original, before: try store.metrics(run: id),
                       rerun: try scratch.run(claimed.id!)!, after: try scratch.metrics(run: claimed.id!))
    }
}

extension Reproduction.Outcome {
    /// Timings differ from run to run; everything else must not. They are the durations ("seconds",
    /// "…_seconds") and speeds ("tokens_per_second", "effective_words_per_second") runs record.
    static func isTiming(_ name: String) -> Bool { name == "seconds" || name.hasSuffix("_seconds") || name.hasSuffix("per_second") }

    /// Compares the recorded run and its metrics (`before`) with the rerun and its metrics (`after`).
    init(original: RunRecord, before: [MetricRecord], rerun: RunRecord, after: [MetricRecord]) {
        func key(_ m: MetricRecord) -> String { "epoch \(m.epoch) \(m.split).\(m.name)" }
        let old = Dictionary(before.filter { !Self.isTiming($0.name) }.map { (key($0), $0.value) }, uniquingKeysWith: { a, _ in a })
        let new = Dictionary(after.filter { !Self.isTiming($0.name) }.map { (key($0), $0.value) }, uniquingKeysWith: { a, _ in a })
        var differences: [String] = []
        for k in Set(old.keys).union(new.keys).sorted() where !old.isEmpty {
            switch (old[k], new[k]) {
            case let (a?, b?) where a.bitPattern != b.bitPattern: differences.append("\(k): \(a) → \(b)")
            case (nil, let b?): differences.append("\(k): not recorded → \(b)")
            case (let a?, nil): differences.append("\(k): \(a) → not recorded")
            default: break
            }
        }
        self.original = original
        self.rerun = rerun
        compared = old.count
        self.differences = differences
        resultMatches = original.status == rerun.status && Self.withoutTimings(original.resultJSON) == Self.withoutTimings(rerun.resultJSON)
    }

    /// A result's JSON in one canonical text without its timings: keys sorted (an imported
    /// archive may order them otherwise), numbers in Swift's shortest round-trip form, so two results
    /// are equal only if every number is equal to the last bit.
    static func withoutTimings(_ json: String?) -> String? {
        guard let json, let value = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]) else { return json }
        func canonical(_ value: Any) -> String {
            switch value {
            case let object as [String: Any]:
                return "{" + object.keys.filter { !isTiming($0) }.sorted().map { "\"\($0)\":" + canonical(object[$0]!) }.joined(separator: ",") + "}"
            case let array as [Any]: return "[" + array.map(canonical).joined(separator: ",") + "]"
            case let string as String: return "\"\(string)\""
            case let number as NSNumber: return number.doubleValue.description
            default: return "null"
            }
        }
        return canonical(value)
    }
}
