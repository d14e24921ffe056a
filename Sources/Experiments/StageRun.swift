import Datasets
import Foundation
import Outcomes
import Models
import Specs
import Training

/// Executes a stage run: makes its artifact in `folder` (created empty by the caller, then moved
/// into place under the stage's key once this returns).
public enum StageRun {
    /// The sub-folder of a stage's work folder that survives a killed attempt, for stages that
    /// checkpoint as they go (language-model training resumes after its last finished epoch).
    public static let resumeFolder = "resume"
    /// The summary entry of a stage resumed from an interrupted attempt: the seconds its earlier attempts spent
    /// on the work resumed from (counted in the stage's `seconds`).
    public static let earlierSecondsKey = "earlier_attempts_seconds"

    public static func execute(_ config: ConfigNode, into folder: URL, data: DataStore, artifacts: [String: URL] = [:],
                               observer: RunObserver?, kinds: RunKinds = .standard) throws -> RunOutcome {
        let start = Date()
        let kind = try kinds.stage(for: config)
        let typed = try kind.decode(config, [])
        let context = RunContext(data: data, artifacts: artifacts, observer: observer, config: config)
        var summary = try kind.execute(typed, folder, context)
        summary = summary.filter { $0.key != earlierSecondsKey || $0.value > 0 }
        return RunOutcome(seconds: Date().timeIntervalSince(start) + (summary[earlierSecondsKey] ?? 0), kind: kind.id, summary: summary)
    }
}
