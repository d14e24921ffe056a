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
                kind: "stage", needs: stage.needs))
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
