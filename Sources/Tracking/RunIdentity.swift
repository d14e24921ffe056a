import Digests
import Foundation
import GRDB

/// A run's identity is its hash, the SHA-256 of its configuration's canonical JSON: what it trains with.
/// Runs planned before the spec's prose (`experiment.description`, `experiment.question`) was left out of
/// run configurations carried it in their configurations, and so in their hashes — rewording a sentence
/// re-planned every run. `withoutProse` gives such a record the configuration and hash planning gives it
/// now; the old hash stays known as an alias (table `runAliases`), by which a resume bundle or a saved
/// state named after it still finds its run.
public enum RunIdentity {
    /// `Specs.SpecSchema.experimentProseKeys` (Tracking does not depend on Specs; a test holds them equal).
    public static let proseKeys: Set<String> = ["description", "question"]

    /// `run` with the prose dropped from its configuration and its hash recomputed; nil when it has none, or is a stage
    /// run (a stage's configuration never held it).
    public static func withoutProse(_ run: RunRecord) -> RunRecord? { rewritten(run, by: []) }

    /// `run` as planning makes it now: prose dropped and `rewrites` applied to its configuration, its hash
    /// recomputed; nil when nothing changed or it is a stage run.
    public static func rewritten(_ run: RunRecord, by rewrites: [ConfigRewrite]) -> RunRecord? {
        guard !run.isStage, var config = (try? JSONSerialization.jsonObject(with: Data(run.configJSON.utf8))) as? [String: Any] else { return nil }
        var changed = false
        if var experiment = config["experiment"] as? [String: Any], !proseKeys.isDisjoint(with: experiment.keys) {
            for key in proseKeys { experiment[key] = nil }
            config["experiment"] = experiment
            changed = true
        }
        for rewrite in rewrites where rewrite.apply(&config) { changed = true }
        guard changed else { return nil }
        // The canonical form `Specs.ConfigNode.canonicalJSON` writes: sorted keys, slashes as they are.
        guard let json = try? JSONSerialization.data(withJSONObject: config, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else { return nil }
        var plain = run
        plain.configJSON = String(decoding: json, as: UTF8.self)
        plain.hash = SHA256Hex.of(json)
        return plain
    }

    /// A hash a run of `experiment` had before, and the one it has now.
    struct Alias: Codable, FetchableRecord, PersistableRecord {
        static let databaseTableName = "runAliases"
        enum Columns { static let experimentId = Column("experimentId") }
        var experimentId: String
        var oldHash: String
        var newHash: String

        /// Records that a run of `experiment` once hashed `old` is now `new`.
        static func record(experiment: String, old: String, new: String, _ db: Database) throws {
            try Alias(experimentId: experiment, oldHash: old, newHash: new).insert(db, onConflict: .replace)
        }
    }

    /// Gives every run of the database that carries prose in its configuration its identity without it (the
    /// migration `v3-prose-free-identity`), keeping the old hash as an alias. Two runs that become one: the
    /// other is kept over a queued one (which is withdrawn); of two that are not queued, the one still carrying
    /// prose keeps its old hash and stays a recorded run that the spec no longer plans, as after any edit.
    static func migrate(_ db: Database, rewrites: [ConfigRewrite] = []) throws {
        for run in try RunRecord.filter(RunRecord.Columns.kind == RunRecord.Kind.run).fetchAll(db) {
            guard let plain = rewritten(run, by: rewrites) else { continue }
            if let twin = try RunRecord.filter(RunRecord.Columns.experimentId == run.experimentId && RunRecord.Columns.hash == plain.hash).fetchOne(db) {
                if twin.status == .queued {
                    try RunRecord.deleteOne(db, key: twin.id)
                } else if run.status == .queued {
                    try RunRecord.deleteOne(db, key: run.id)
                    continue
                } else {
                    continue
                }
            }
            // Only the two columns it changes: this runs inside migration v3 too, before later migrations add columns.
            try db.execute(sql: "UPDATE runs SET configJSON = ?, hash = ? WHERE id = ?", arguments: [plain.configJSON, plain.hash, run.id])
            try Alias.record(experiment: run.experimentId, old: run.hash, new: plain.hash, db)
        }
    }
}

extension ResultsStore {
    /// The hash a run of `experiment` has now for one it had before (`RunIdentity`), or `hash` itself.
    public func currentHash(_ hash: String, experiment: String) throws -> String {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT newHash FROM runAliases WHERE experimentId = ? AND oldHash = ?", arguments: [experiment, hash])
        } ?? hash
    }

    /// Records the hashes planned runs of `experiment` had before (`Specs.PlannedRun.legacyHash`) beside the ones
    /// they have now, and moves saved states still named by the old ones: a stopped run whose state came in a bundle
    /// written before (an archive holds ended runs only, so importing it could not say) resumes from it.
    public func recordLegacyHashes(experiment: String, _ pairs: [(old: String, new: String)]) throws {
        try pool.write { db in
            for (old, new) in pairs where old != new {
                try RunIdentity.Alias.record(experiment: experiment, old: old, new: new, db)
            }
        }
        try renameAliasedStates()
    }

    /// Moves the saved states of classifier runs still named after an old hash (`RunIdentity`) to their hash now.
    func renameAliasedStates() throws {
        let fm = FileManager.default
        for alias in try pool.read({ db in try RunIdentity.Alias.fetchAll(db) }) {
            let (old, new) = (resumeState(of: alias.oldHash), resumeState(of: alias.newHash))
            guard fm.fileExists(atPath: old.path), !fm.fileExists(atPath: new.path) else { continue }
            try fm.moveItem(at: old, to: new)
            let origin = ResumeBundle.origin(of: old)
            if fm.fileExists(atPath: origin.path) { try fm.moveItem(at: origin, to: ResumeBundle.origin(of: new)) }
        }
    }
}

/// A change to how recorded run configurations read now (e.g. fields a run's kind never had, dropped), given
/// by the layer that knows the kinds; `apply` returns whether it changed the configuration.
public struct ConfigRewrite: Sendable {
    public let name: String
    public let apply: @Sendable (inout [String: Any]) -> Bool
    public init(name: String, apply: @escaping @Sendable (inout [String: Any]) -> Bool) { self.name = name; self.apply = apply }
}
