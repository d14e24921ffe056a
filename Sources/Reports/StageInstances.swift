import Foundation
import Tracking

/// Which instance of a stage's artifact each run used, for stages made more than once (their artifact
/// stayed on a machine that is gone, so a later database made them again): another machine's kernels
/// round differently, so a language model trained again is another model, and the notebook says which
/// runs met which, and which paired runs of a claim met different ones. A run's own record
/// (`ArtifactUseRecord`) names the instance; a run that used the stage through another stage
/// (ULMFiT's classifier through its fine-tuned LM) met the instance that stage met; a run ended before
/// such records were kept is counted with the instance that was current when it ended.
public struct StageInstances {
    let runs: [RunRecord]
    /// Recorded artifact uses by run id, and earlier results (queued to run again) by run id.
    let uses: [Int64: [ArtifactUseRecord]]
    let earlier: [Int64: [ResultsStore.EarlierResult]]

    /// The stages made more than once, each with its instances in the order they were made.
    let remade: [(stage: RunRecord, instances: [Instance])]
    /// For each stage made more than once (by key), each instance's index → the first instance that is the same
    /// model (`Instance.isSameModel(as:)`): runs that met either met one model.
    let sameModel: [String: [Int]]

    public init(runs: [RunRecord], history: StageHistory, earlier: [Int64: [ResultsStore.EarlierResult]] = [:]) {
        self.runs = runs; self.earlier = earlier
        uses = Dictionary(grouping: history.uses, by: \.runId)
        let made = Dictionary(grouping: history.instances, by: \.stageKey)
        remade = runs.filter(\.isStage).compactMap { stage in
            // Replaced ones in the order they were made again, then the one its artifact holds (none while it is made again).
            let rows = (made[stage.hash] ?? []).filter { $0.experimentId == stage.experimentId }
            let replaced = rows.filter { $0.replacedAt != nil }.sorted { $0.replacedAt! < $1.replacedAt! }
            guard !replaced.isEmpty else { return nil }
            let current = stage.status == .finished ? rows.filter { $0.replacedAt == nil } : []
            return (stage, (replaced + current).map(Instance.init))
        }
        sameModel = Dictionary(uniqueKeysWithValues: remade.map { stage, instances in
            (stage.hash, instances.indices.map { j in instances.indices.first { i in i == j || instances[i].isSameModel(as: instances[j]) }! })
        })
    }

    /// One instance of a stage's artifact.
    struct Instance {
        let record: StageInstanceRecord
        var replacedAt: Date? { record.replacedAt }
        /// The artifact's SHA-256 (`RunOutcome`'s `artifactSHA256`), for instances made since it is kept.
        let digest: String?
        /// The OpenBLAS kernels and threads it was made with and its result's figures to the last digit: a
        /// language model trained again on the same kernels is the same model, and its perplexities say so (a
        /// different one would not match them to 16 digits). Nil without figures.
        let fingerprint: String?
        /// Its result's summary figures.
        let figures: [(name: String, value: Double)]

        init(_ record: StageInstanceRecord) {
            self.record = record
            let result = record.resultJSON.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            digest = result?["artifactSHA256"] as? String
            figures = (result?["summary"] as? [String: Double] ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            fingerprint = figures.isEmpty ? nil : "OpenBLAS \(record.blasCore ?? "?"), \(record.threads ?? 1) thread(s): "
                + figures.map { "\($0.name) \($0.value)" }.joined(separator: ", ")
        }

        /// The same model as `other`: equal artifact digests where both have one, else equal fingerprints.
        func isSameModel(as other: Instance) -> Bool {
            if let a = digest, let b = other.digest { return a == b }
            return fingerprint != nil && fingerprint == other.fingerprint
        }

        /// How it is known to be the same model as `other`.
        func sameModelEvidence(_ other: Instance) -> String {
            digest != nil && other.digest != nil ? "its artifact's SHA-256 is the same" : "made on the same kernels, its results the same to the last digit"
        }

        /// Its identity and provenance, with its result's summary figures.
        var description: String {
            record.identity + " " + record.provenance
                + (figures.isEmpty ? "" : " (" + figures.map { "\($0.name) " + String(format: "%.7g", $0.value) }.joined(separator: ", ") + ")")
        }
    }

    /// How a run is known to have used an instance.
    enum Evidence { case recorded, inferred }

    /// Which of `instances` of `stage` an ended run used, directly or through the stages it needs; nil
    /// when it did not use the stage (or its use cannot be told).
    /// With `earlier`, the run's earlier result (`ResultsStore.EarlierResult`) is asked about instead:
    /// its own records and when it ended.
    func instance(of stage: RunRecord, _ instances: [Instance], usedBy run: RunRecord,
                  earlier: ResultsStore.EarlierResult? = nil) -> (index: Int, evidence: Evidence)? {
        let needs = run.neededArtifacts
        if needs.contains(stage.hash) {
            let used = (uses[run.id!] ?? []).last { $0.stageKey == stage.hash && $0.earlierResult == (earlier.map { $0.eventId } ?? nil) }
            if let used, let i = instances.firstIndex(where: { $0.record.isUsed(by: used) }) {
                return (i, .recorded)
            }
            if let end = earlier.map({ $0.finishedAt }) ?? run.finishedAt, let i = instances.firstIndex(where: { $0.replacedAt.map { end < $0 } ?? true }) {
                return (i, .inferred)
            }
            return nil
        }
        for through in runs where through.isStage && through.id != run.id && needs.contains(through.hash) {
            if let found = instance(of: stage, instances, usedBy: through) { return found }
        }
        return nil
    }

    /// For each ended run that used a stage made more than once, the instance of each such stage it
    /// used (stage key → index in the order made); runs using no such stage are absent.
    func used() -> [Int64: [String: Int]] {
        var used: [Int64: [String: Int]] = [:]
        for run in runs where run.status.hasEnded {
            let met = met(by: run)
            if !met.isEmpty { used[run.id!] = met }
        }
        return used
    }

    /// The instance of each stage made more than once that `run` used (stage key → index in the order
    /// made), or with `earlier`, that its earlier result used.
    func met(by run: RunRecord, earlier: ResultsStore.EarlierResult? = nil) -> [String: Int] {
        var met: [String: Int] = [:]
        for (stage, instances) in remade where stage.id != run.id {
            if let used = instance(of: stage, instances, usedBy: run, earlier: earlier) { met[stage.hash] = sameModel[stage.hash]![used.index] }
        }
        return met
    }

    /// The ended runs, stage runs among them, that met an instance of a stage made more than once
    /// other than its current one, and another model (every instance, while the stage is being made again):
    /// what to run again (`tlab requeue --met-earlier-instances`) for every run of a comparison to meet one model.
    public func metEarlierInstances() -> [RunRecord] {
        var earlier = Set<Int64>()
        for (stage, instances) in remade {
            let model = sameModel[stage.hash]!
            let current = stage.status == .finished ? model[instances.count - 1] : nil
            for run in runs where run.id != stage.id && run.status.hasEnded {
                if let met = instance(of: stage, instances, usedBy: run), model[met.index] != current { earlier.insert(run.id!) }
            }
        }
        return runs.filter { earlier.contains($0.id!) }
    }

    /// Whether two runs met different instances of a stage both used.
    static func differ(_ a: [String: Int], _ b: [String: Int]) -> Bool { a.contains { stage, i in b[stage].map { $0 != i } ?? false } }

    /// One markdown line per stage made more than once; none when every stage was made once.
    func lines() -> [String] {
        remade.map { stage, instances in
            var recorded = Array(repeating: 0, count: instances.count), inferred = recorded, rerun = recorded
            for run in runs where run.id != stage.id {
                if run.status.hasEnded, let used = instance(of: stage, instances, usedBy: run) {
                    if used.evidence == .recorded { recorded[used.index] += 1 } else { inferred[used.index] += 1 }
                }
                for earlier in earlier[run.id!] ?? [] {
                    if let used = instance(of: stage, instances, usedBy: run, earlier: earlier) { rerun[used.index] += 1 }
                }
            }
            let parts = instances.indices.map { i -> String in
                var how: [String] = []
                if recorded[i] > 0 { how.append("\(recorded[i]) name it in their records or their stages'") }
                if inferred[i] > 0 { how.append("\(inferred[i]) ended before it was replaced") }
                let total = recorded[i] + inferred[i]
                let again = rerun[i] == 0 ? "" : "; earlier results of \(rerun[i]) run\(rerun[i] == 1 ? "" : "s") queued to run again used it too"
                let first = sameModel[stage.hash]![i]
                let same = first == i ? "" : "; the same model as the \(Self.ordinal(first + 1)) (\(instances[i].sameModelEvidence(instances[first])))"
                return instances[i].description + " — used by "
                    + (total == 0 ? "no run" : "\(total) run\(total == 1 ? "" : "s") (" + how.joined(separator: "; ") + ")") + again + same
            }
            let remaking = stage.status != .finished
            return "`\(stage.arm)` (key `\(stage.hash.prefix(12))`) was made \(instances.count == 1 ? "once" : "\(instances.count) times")\(remaking ? " before" : "") "
                + "(its artifact stayed on a machine that is gone; made on other OpenBLAS kernels it is another model): "
                + parts.joined(separator: "; ") + (remaking ? "; it is being made again now (\(stage.status.rawValue))" : "") + "."
        }
    }

    static func ordinal(_ n: Int) -> String {
        n % 100 / 10 == 1 ? "\(n)th" : "\(n)" + (n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th")
    }
}
