import Foundation
import GRDB

/// Stage instances and artifact uses as events recorded them before they were rows (`earlier-instance` on a
/// stage run, `artifact` on a run, also inside `earlier-result` events), turned into `StageInstanceRecord`s and
/// `ArtifactUseRecord`s: by migration `v5-stage-instances`, and by the import of a version-1 run archive.
enum LegacyStageEvents {
    static let earlierInstance = "earlier-instance"
    static let artifactUsed = "artifact"

    /// Converts the legacy events of `runs` (all runs when nil) and records the instance each finished stage run
    /// holds; the converted events are deleted, and `artifact` events are taken out of earlier results.
    static func convert(_ db: Database, runs ids: [Int64]? = nil) throws {
        let runs = try ids.map { try RunRecord.fetchAll(db, keys: $0) } ?? RunRecord.fetchAll(db)
        for run in runs {
            let id = run.id!
            let events = try EventRecord.filter(EventRecord.Columns.runId == id).order(EventRecord.Columns.id).fetchAll(db)
            for event in events {
                switch event.kind {
                case earlierInstance where run.isStage:
                    if var instance = instance(event.message, of: run) {
                        instance.replacedAt = event.at
                        try instance.insert(db, onConflict: .ignore)
                    }
                    try event.delete(db)
                case artifactUsed:
                    if var use = use(event.message, by: run, at: event.at) { try use.insert(db) }
                    try event.delete(db)
                case EventRecord.earlierResult:
                    guard var earlier = try? RunArchive.decoder.decode(ResultsStore.EarlierResult.self, from: Data(event.message.utf8)),
                          earlier.events.contains(where: { $0.kind == artifactUsed }) else { continue }
                    for used in earlier.events where used.kind == artifactUsed {
                        if var use = use(used.message, by: run, at: used.at) {
                            use.earlierResult = event.id
                            try use.insert(db)
                        }
                    }
                    earlier.events.removeAll { $0.kind == artifactUsed }
                    var rewritten = event
                    rewritten.message = String(decoding: try RunArchive.encoder.encode(earlier), as: UTF8.self)
                    try rewritten.update(db)
                default: continue
                }
            }
            if let made = StageInstanceRecord(madeBy: run) { try made.insert(db, onConflict: .ignore) }
        }
    }

    /// An instance from its summary: "made by run N finished T at revision R on HOST with OpenBLAS CORE, K thread(s); result JSON".
    static func instance(_ summary: String, of stage: RunRecord) -> StageInstanceRecord? {
        guard let identity = identity(summary) else { return nil }
        func field(_ from: String, _ to: String) -> String? {
            guard let a = summary.range(of: from), let b = summary.range(of: to, range: a.upperBound..<summary.endIndex) else { return nil }
            let value = String(summary[a.upperBound..<b.lowerBound])
            return value == "?" ? nil : value
        }
        let result = summary.range(of: "; result ").map { String(summary[$0.upperBound...]) }
        return StageInstanceRecord(experimentId: stage.experimentId, stageKey: stage.hash, madeByRun: identity.run, finishedAt: identity.finished,
                                   gitRevision: field(" at revision ", " on "), host: field(" on ", " with OpenBLAS "),
                                   blasCore: field(" with OpenBLAS ", ", "), threads: field(", ", " thread(s)").flatMap { Int($0.split(separator: " ").last ?? "") },
                                   resultJSON: result == "none" ? nil : result, replacedAt: nil)
    }

    /// A use from its message: "uses stage:NAME KEY12, made by run N finished T …" or "…, made by no recorded run".
    static func use(_ message: String, by run: RunRecord, at: Date) -> ArtifactUseRecord? {
        let words = message.split(separator: " ", maxSplits: 3)
        guard words.count == 4, words[0] == "uses", words[2].hasSuffix(","),
              let key = run.neededArtifacts.first(where: { $0.hasPrefix(words[2].dropLast()) }) else { return nil }
        let made = identity(message)
        return ArtifactUseRecord(runId: run.id!, stage: String(words[1]), stageKey: key, madeByRun: made?.run, madeFinishedAt: made?.finished, at: at)
    }

    /// The run id and end time in "made by run N finished T".
    static func identity(_ text: String) -> (run: Int64, finished: String)? {
        guard let start = text.range(of: "made by run ") else { return nil }
        let words = text[start.upperBound...].split(separator: " ", maxSplits: 3)
        guard words.count >= 3, let run = Int64(words[0]), words[1] == "finished", RunArchive.dates.date(from: String(words[2])) != nil else { return nil }
        return (run, String(words[2]))
    }
}
