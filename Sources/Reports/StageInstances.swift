import Foundation
import Tracking

/// Which instance of a stage's artifact each run used, for stages made more than once (their artifact
/// stayed on a machine that is gone, so a later database made them again): another machine's kernels
/// round differently, so a language model trained again is another model, and the notebook says which
/// runs met which. A run's own record (`EventRecord.artifactUsed`) names the instance; a run ended
/// before such records were kept is counted with the instance that was current when it ended.
struct StageInstances {
    let runs: [RunRecord]
    /// Earlier-instance and artifact-used events by run id.
    let events: [Int64: [EventRecord]]

    /// One markdown line per stage made more than once; none when every stage was made once.
    func lines() -> [String] {
        runs.filter(\.isStage).compactMap { stage -> String? in
            let earlier = (events[stage.id!] ?? []).filter { $0.kind == EventRecord.earlierInstance }.sorted { $0.at < $1.at }
            guard !earlier.isEmpty else { return nil }
            // Instances in the order they were made: each earlier one ended its life when the stage was queued again.
            var instances = earlier.map { (summary: $0.message, replacedAt: Optional($0.at), recorded: 0, inferred: 0) }
            if stage.status == .finished { instances.append((ResultsStore.instanceSummary(stage), nil, 0, 0)) }
            let users = runs.filter { $0.id != stage.id && $0.neededArtifacts.contains(stage.hash) && $0.status.hasEnded }
            for run in users {
                let used = (events[run.id!] ?? []).last { $0.kind == EventRecord.artifactUsed && $0.message.hasPrefix("uses \(stage.arm) ") }
                if let used, let i = instances.firstIndex(where: { used.message.contains(", " + Self.identity(of: $0.summary) + " ") }) {
                    instances[i].recorded += 1
                } else if let end = run.finishedAt, let i = instances.firstIndex(where: { $0.replacedAt.map { end < $0 } ?? true }) {
                    instances[i].inferred += 1
                }
            }
            let parts = instances.map { i -> String in
                var how: [String] = []
                if i.recorded > 0 { how.append("\(i.recorded) name it in their records") }
                if i.inferred > 0 { how.append("\(i.inferred) ended before it was replaced") }
                let total = i.recorded + i.inferred
                return Self.describe(i.summary) + " — used by " + (total == 0 ? "no run" : "\(total) run\(total == 1 ? "" : "s") (" + how.joined(separator: "; ") + ")")
            }
            let remaking = stage.status != .finished
            return "`\(stage.arm)` (key `\(stage.hash.prefix(12))`) was made \(instances.count == 1 ? "once" : "\(instances.count) times")\(remaking ? " before" : "") "
                + "(its artifact stayed on a machine that is gone; made on other OpenBLAS kernels it is another model): "
                + parts.joined(separator: "; ") + (remaking ? "; it is being made again now (\(stage.status.rawValue))" : "") + "."
        }
    }

    /// "made by run N finished T" — what tells one instance from another in the runs' records.
    static func identity(of summary: String) -> String {
        guard let range = summary.range(of: " at revision ") else { return summary }
        return String(summary[..<range.lowerBound])
    }

    /// An instance's summary without its raw result JSON, with the stage's summary figures instead.
    static func describe(_ summary: String) -> String {
        guard let range = summary.range(of: "; result ") else { return summary }
        let head = String(summary[..<range.lowerBound])
        let json = try? JSONSerialization.jsonObject(with: Data(summary[range.upperBound...].utf8)) as? [String: Any]
        let figures = (json?["summary"] as? [String: Double] ?? [:]).sorted { $0.key < $1.key }
            .map { "\($0.key) " + String(format: "%.7g", $0.value) }
        return head + (figures.isEmpty ? "" : " (" + figures.joined(separator: ", ") + ")")
    }
}
