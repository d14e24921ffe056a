import Datasets
import Foundation
import Specs
import Tracking

/// Turns a spec's planned runs into database records: each distinct stage once (before the runs
/// that need it), then the runs.
public enum Planning {
    public static func records(_ planned: [PlannedRun], experiment: String) -> [RunRecord] {
        var stages: [RunRecord] = []
        var seen: Set<String> = []
        for stage in planned.flatMap(\.stages) where seen.insert(stage.key).inserted {
            stages.append(RunRecord(
                experimentId: experiment, hash: stage.key, arm: "stage:\(stage.name)",
                dataset: stage.config.node(at: ["run", "dataset"])?.scalar ?? "-",
                seed: (stage.config.node(at: ["run", "seed"]) ?? stage.config["seed"])?.scalar.flatMap(Int.init) ?? 0,
                fold: stage.config.node(at: ["run", "fold"])?.scalar.flatMap(Int.init),
                trainingSize: stage.config.node(at: ["run", "training_size"])?.scalar,
                sweepJSON: "{}", configJSON: String(decoding: stage.config.canonicalJSON, as: UTF8.self),
                kind: .stage, needs: stage.needs))
        }
        let runs = planned.map { run in
            RunRecord(experimentId: experiment, hash: run.hash, arm: run.arm, dataset: run.dataset, seed: run.seed, fold: run.fold,
                      trainingSize: run.trainingSize,
                      sweepJSON: String(decoding: (try? JSONSerialization.data(withJSONObject: run.sweep, options: [.sortedKeys])) ?? Data(), as: UTF8.self),
                      configJSON: String(decoding: run.config.canonicalJSON, as: UTF8.self),
                      needs: run.config.node(at: ["run", "artifacts"])?.mapping?.compactMap(\.node.scalar) ?? [])
        }
        return stages + runs
    }
}

extension Planning {
    /// What registering a spec's planned runs did.
    public struct Registration: Sendable {
        public let records: [RunRecord]
        /// Runs new to the database (or queued again for a missing artifact).
        public let added: Int
        /// Queued runs of the experiment the spec no longer plans, taken out of the queue.
        public let withdrawn: Int
        public var plannedHashes: Set<String> { Set(records.map(\.hash)) }
    }

    /// Registers the experiment and its planned runs (and the stage runs they need) in `store`; finished runs
    /// are kept, queued runs the spec no longer plans withdrawn, and the hashes runs had before recorded.
    public static func register(_ planned: [PlannedRun], of spec: LoadedSpec, store: ResultsStore) throws -> Registration {
        let records = records(planned, experiment: spec.id)
        let withdrawn = try store.withdrawQueued(experiment: spec.id, notIn: Set(records.map(\.hash)))
        let description = spec.tree.node(at: ["experiment", "description"])?.scalar ?? ""
        let added = try store.register(experiment: ExperimentRecord(id: spec.id, specFile: spec.file, description: description, createdAt: Date()),
                                       runs: records)
        try store.recordLegacyHashes(experiment: spec.id, planned.compactMap { run in run.legacyHash.map { ($0, run.hash) } })
        return Registration(records: records, added: added, withdrawn: withdrawn)
    }

    /// A run asking for at least as many training examples as its training split holds trains on the
    /// whole split — the same data as the `all` run of the same coordinates (e.g. 3,000 of MR's
    /// 2,800). Such runs are left out when that `all` run is planned; returns the kept runs and, per
    /// dataset, the sizes left out with the split's size.
    /// The planned runs to register now under the spec's `selection.tune_seeds` (`SeedStaging`), given what `store`
    /// holds of them; every run without it.
    public static func staged(_ planned: [PlannedRun], spec: LoadedSpec, store: ResultsStore?) throws -> StagedPlan {
        let selection = SweepSelection(spec.tree)
        guard selection.tuneSeeds != nil, let store else { return SeedStaging.staged(planned, selection: selection) { _ in .pending } }
        let recorded = Dictionary(try store.runs(experiment: spec.id).map { ($0.hash, $0) }) { a, _ in a }
        return SeedStaging.staged(planned, selection: selection) { run in
            guard let record = recorded[run.hash], record.status.hasEnded else { return .pending }
            return .ended(valid: record.status == .finished ? (try? record.outcome())??.valid?[selection.metric] : nil)
        }
    }

    public static func withoutRedundantSizes(_ runs: [PlannedRun], data: DataStore) -> (runs: [PlannedRun], skipped: [String]) {
        func coordinates(_ r: PlannedRun) -> String {
            "\(r.arm)|\(r.dataset)|\(r.seed)|\(r.fold ?? -1)|" + r.sweep.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }
        let withAll = Set(runs.filter { $0.trainingSize == "all" }.map(coordinates))
        var available: [String: Int?] = [:]
        func trainingSplitSize(_ run: PlannedRun) -> Int? {
            let key = String(decoding: (run.config["data"] ?? run.config).canonicalJSON, as: UTF8.self) + "|\(run.fold ?? -1)"
            if let known = available[key] { return known }
            let size = try? RunData.trainingSplitSize(run.config, data: data)
            available[key] = size
            return size
        }
        var kept: [PlannedRun] = [], skipped: [String: (sizes: Set<Int>, split: Int)] = [:]
        for run in runs {
            if let n = run.trainingSize.flatMap(Int.init), withAll.contains(coordinates(run)), let split = trainingSplitSize(run), n >= split {
                skipped[run.dataset, default: ([], split)].sizes.insert(n)
                continue
            }
            kept.append(run)
        }
        return (kept, skipped.keys.sorted().map { dataset in
            let s = skipped[dataset]!
            return "\(dataset): training size \(s.sizes.sorted().map(String.init).joined(separator: ", ")) ≥ its training split of \(s.split) examples — the same data as 'all', not run"
        })
    }
}
