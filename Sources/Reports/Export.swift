import Foundation
import Tracking

/// Every run of an experiment with its coordinates, configuration and result, as CSV and JSON.
public enum Export {
    static let columns = ["id", "experiment", "arm", "dataset", "seed", "fold", "training_size", "sweep", "status", "attempts",
                          "git_revision", "threads", "blas_core", "started_at", "finished_at", "hash", "error", "result", "config"]

    public static func csv(_ runs: [RunRecord]) -> String {
        func quote(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let dates = ISO8601DateFormatter()
        var out = columns.joined(separator: ",") + "\n"
        for r in runs {
            let fields: [String] = [String(r.id ?? 0), r.experimentId, r.arm, r.dataset, String(r.seed), r.fold.map(String.init) ?? "",
                                    r.trainingSize ?? "", r.sweepJSON, r.status.rawValue, String(r.attempts), r.gitRevision ?? "",
                                    r.threads.map(String.init) ?? "", r.blasCore ?? "", r.startedAt.map(dates.string) ?? "",
                                    r.finishedAt.map(dates.string) ?? "", r.hash, r.error ?? "", r.resultJSON ?? "", r.configJSON]
            out += fields.map(quote).joined(separator: ",") + "\n"
        }
        return out
    }

    public static func json(_ runs: [RunRecord]) throws -> Data {
        let dates = ISO8601DateFormatter()
        let objects: [[String: Any]] = runs.map { r in
            func parsed(_ s: String?) -> Any { s.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } ?? NSNull() }
            return ["id": r.id ?? 0, "experiment": r.experimentId, "arm": r.arm, "dataset": r.dataset, "seed": r.seed,
                    "fold": r.fold as Any? ?? NSNull(), "training_size": r.trainingSize as Any? ?? NSNull(), "sweep": parsed(r.sweepJSON),
                    "status": r.status.rawValue, "attempts": r.attempts, "git_revision": r.gitRevision as Any? ?? NSNull(),
                    "threads": r.threads as Any? ?? NSNull(), "blas_core": r.blasCore as Any? ?? NSNull(),
                    "started_at": r.startedAt.map(dates.string) as Any? ?? NSNull(), "finished_at": r.finishedAt.map(dates.string) as Any? ?? NSNull(),
                    "hash": r.hash, "error": r.error as Any? ?? NSNull(), "result": parsed(r.resultJSON), "config": parsed(r.configJSON)]
        }
        return try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }
}
