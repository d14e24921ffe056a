import Foundation
import GRDB

/// The per-epoch state of a run stopped mid-way (`artifacts/<hash>.resume`, which the run resumes from after
/// its last saved epoch) carried beside a run archive as `<archive's folder>/resume-bundles/<hash>/`, so
/// that the run resumes on the next machine instead of starting over: how a run longer than a working
/// session finishes across sessions. A state is only carried to a database whose stage artifacts the run
/// needs are the very instances it trained from (a language model made again elsewhere is another
/// model); `MANIFEST.json` names them, every file's SHA-256, and each attempt whose epochs the state holds
/// (host, OpenBLAS core, revision), which the resumed run records as a note.
public enum ResumeBundle {
    public static let folderName = "resume-bundles"
    /// Beside `<hash>.resume` in a database's artifacts folder: the attempts, elsewhere, that the state it holds came from.
    public static let originSuffix = ".origin.json"

    /// An attempt whose epochs a state holds.
    public struct Attempt: Codable, Equatable, Sendable {
        public var host: String?
        public var blasCore: String?
        public var gitRevision: String?
        public var threads: Int?
        /// When its state was last saved (ISO 8601).
        public var savedAt: String

        public var summary: String {
            "\(host ?? "?") (OpenBLAS \(blasCore ?? "?"), \(threads ?? 1) thread(s), revision \(gitRevision.map { String($0.prefix(12)) } ?? "?"), saved \(savedAt))"
        }
    }

    public struct Manifest: Codable, Equatable, Sendable {
        /// The run's configuration hash.
        public var key: String
        public var experiment: String
        public var run: Int64
        /// Each stage artifact the run needs, by key: the instance it trained from (`ResultsStore.instance(of:)`).
        public var stages: [String: String]
        /// The attempts whose epochs the state holds, earliest first.
        public var attempts: [Attempt]
        /// Relative path → SHA-256 (hex) of each file of the state.
        public var files: [String: String]
    }

    /// What `ResultsStore.importResumeBundles` did with each bundle.
    public struct ImportSummary: Equatable, Sendable {
        /// States placed where the run will resume from them.
        public var placed: [String] = []
        /// Bundles left alone, with why (the run ended here, has a state of its own here, needs another stage instance).
        public var skipped: [Skipped] = []
        public struct Skipped: Equatable, Sendable { public var key: String, reason: String }
        public init() {}
    }

    /// The bundle's manifest, unchecked.
    public static func read(_ bundle: URL) throws -> Manifest {
        let file = bundle.appendingPathComponent(ArtifactBundle.manifestName)
        do { return try ArtifactBundle.decoder.decode(Manifest.self, from: Data(contentsOf: file)) } catch {
            throw ArtifactBundle.Failure(description: "\(file.path): not a resume manifest (\(error))")
        }
    }

    static func origin(of state: URL) -> URL {
        state.deletingLastPathComponent().appendingPathComponent(state.lastPathComponent + originSuffix)
    }

    /// The attempts (elsewhere) the state at `state` came from, as its origin file beside it says; none without one.
    public static func attempts(of state: URL) -> [Attempt] {
        (try? ArtifactBundle.decoder.decode([Attempt].self, from: Data(contentsOf: origin(of: state)))) ?? []
    }

    /// The seconds of training the state at `state` holds (the `elapsed` its progress records, earlier attempts
    /// included); nil without one.
    public static func trainedSeconds(of state: URL) -> Double? {
        let progress = (try? JSONSerialization.jsonObject(with: Data(contentsOf: state.appendingPathComponent("progress.json")))) as? [String: Any]
        return progress?["elapsed"] as? Double
    }

    /// Forgets where the state at `state` came from (a run starting over, or ended).
    public static func clearOrigin(of state: URL) { try? FileManager.default.removeItem(at: origin(of: state)) }
}

extension ResultsStore {
    /// Which instance of a stage's artifact this database holds under `key`: the stage run that made it and
    /// when that run ended; nil without the artifact.
    func instance(of key: String, _ db: Database) throws -> String? {
        guard let artifact = try ArtifactRecord.fetchOne(db, key: key), let id = artifact.createdByRun,
              let run = try RunRecord.fetchOne(db, key: id) else { return nil }
        return "run \(id) finished \(run.finishedAt.map { RunArchive.dates.string(from: $0) } ?? "?")"
    }

    /// Where the classifier run of hash `hash` keeps its per-epoch state while it is unfinished (`Worker`): `artifacts/<hash>.resume`.
    public func resumeState(of hash: String) -> URL { artifactsFolder.appendingPathComponent("\(hash).resume") }

    /// The seconds of training the saved states here hold, by run id, for those of `runs` not ended that have one:
    /// what a run resuming from its state has left costs that much less (`WorkEstimate`, `Deadline`).
    public func savedTraining(of runs: [RunRecord]) -> [Int64: Double] {
        runs.filter { !$0.status.hasEnded && !$0.isStage }
            .reduce(into: [Int64: Double]()) { $0[$1.id!] = ResumeBundle.trainedSeconds(of: resumeState(of: $1.hash)) }
    }

    /// Writes the state of each queued run of `experiment` that an attempt stopped mid-way left here, and
    /// that holds at least `minimumSeconds` of training (the `elapsed` its progress records) and at most `maximumBytes`,
    /// as a bundle `<folder>/<hash>/`; removes the bundles of runs that have ended here. Bundles of other runs (carried from
    /// another machine and not resumed yet here, or being resumed) are kept. Returns the hashes written and removed, and
    /// the states left out as too large, with their sizes.
    ///
    /// With `stages` (e.g. `["pretrain"]`, the stages whose artifacts travel as `ArtifactBundle`s), only runs whose
    /// needed artifacts are all made by those stages: another machine makes the others again, as other instances,
    /// and would not take their states.
    public func writeResumeBundles(experiment: String, to folder: URL, minimumSeconds: Double = 0, maximumBytes: Int = .max,
                                   stages: [String]? = nil) throws -> (written: [String], removed: [String], tooLarge: [(key: String, bytes: Int)]) {
        let all = try runs(experiment: experiment)
        let trained = all.filter { !$0.isStage }
        let stageOf = Dictionary(all.filter(\.isStage).map { ($0.hash, $0.arm) }, uniquingKeysWith: { a, _ in a })
        let travelling = stages.map { Set($0.map { "stage:\($0)" }) }
        let fm = FileManager.default
        var written: [String] = [], removed: [String] = [], tooLarge: [(key: String, bytes: Int)] = []
        // Old hashes (`RunIdentity`) by the hash now: a bundle written before under one still carries its run's state.
        let aliases = try pool.read { db in try RunIdentity.Alias.filter(RunIdentity.Alias.Columns.experimentId == experiment).fetchAll(db) }
        let renamed = Dictionary(aliases.map { ($0.oldHash, $0.newHash) }) { a, _ in a }
        let formerNames = Dictionary(grouping: aliases, by: \.newHash).mapValues { $0.map(\.oldHash) }
        for run in trained where run.status == .queued {
            if let travelling, !run.neededArtifacts.allSatisfy({ stageOf[$0].map(travelling.contains) ?? false }) { continue }
            let state = resumeState(of: run.hash)
            guard fm.fileExists(atPath: state.path) else { continue }
            if let elapsed = ResumeBundle.trainedSeconds(of: state), elapsed < minimumSeconds { continue }
            let bytes = ArtifactBundle.size(of: state)
            if bytes > maximumBytes { tooLarge.append((run.hash, bytes)); continue }
            let saved = (try? fm.attributesOfItem(atPath: state.path)[.modificationDate] as? Date) ?? Date()
            let here = ResumeBundle.Attempt(host: run.host, blasCore: run.blasCore, gitRevision: run.gitRevision, threads: run.threads,
                                            savedAt: RunArchive.dates.string(from: saved))
            let stages = try pool.read { db in
                try run.neededArtifacts.reduce(into: [String: String]()) { $0[$1] = try instance(of: $1, db) ?? "?" }
            }
            let manifest = ResumeBundle.Manifest(key: run.hash, experiment: experiment, run: run.id!, stages: stages,
                                                 attempts: ResumeBundle.attempts(of: state) + [here], files: try ArtifactBundle.digests(of: state))
            let bundle = folder.appendingPathComponent(run.hash)
            // The state a bundle carries already (perhaps resumed from, untouched since; under its name now or a former one).
            if ([run.hash] + (formerNames[run.hash] ?? [])).contains(where: { (try? ResumeBundle.read(folder.appendingPathComponent($0)))?.files == manifest.files }) {
                continue
            }
            try ArtifactBundle.place(state, at: bundle, manifest: try ArtifactBundle.encoder.encode(manifest))
            written.append(run.hash)
        }
        let ended = Set(trained.filter { $0.status.hasEnded }.map(\.hash))
        // A bundle named by a run's old hash goes when the run ends too, or once a newer state is bundled under its hash now.
        for key in ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        where ended.contains(renamed[key] ?? key) || renamed[key].map({ fm.fileExists(atPath: folder.appendingPathComponent($0).path) }) ?? false {
            try fm.removeItem(at: folder.appendingPathComponent(key))
            removed.append(key)
        }
        return (written, removed, tooLarge)
    }

    /// Places the state of each bundle in `folder` (`writeResumeBundles`) of an experiment this database holds where its run resumes from it here,
    /// after checking every file's SHA-256 — unless the run has ended or is running here, already has a state
    /// here, or needs a stage artifact this database holds as another instance than the state trained from
    /// (or not at all). Call it after importing the archive that holds those stages' records and bundles.
    public func importResumeBundles(from folder: URL) throws -> ResumeBundle.ImportSummary {
        var summary = ResumeBundle.ImportSummary()
        let fm = FileManager.default
        for key in ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() where !key.hasPrefix(".") {
            let bundle = folder.appendingPathComponent(key)
            let manifest = try ResumeBundle.read(bundle)
            // (a bundle written before run hashes left out the spec's prose names the run by its old hash: `RunIdentity`)
            let hash = try currentHash(manifest.key, experiment: manifest.experiment)
            let state = resumeState(of: hash)
            let reason: String? = try pool.read { db in
                guard try ExperimentRecord.exists(db, key: manifest.experiment) else { return "" }  // another database's
                let runs = try RunRecord.filter(RunRecord.Columns.experimentId == manifest.experiment && RunRecord.Columns.hash == hash).fetchAll(db)
                if let run = runs.first(where: { $0.status != .queued }) { return "run \(run.id!) is \(run.status.rawValue) here" }
                if fm.fileExists(atPath: state.path) { return "a state of its own is here" }
                for (stage, instance) in manifest.stages.sorted(by: { $0.key < $1.key }) where try self.instance(of: stage, db) != instance {
                    return "its stage artifact \(stage.prefix(12)) here is not the instance it trained from (\(instance))"
                }
                return nil
            }
            if let reason {
                if !reason.isEmpty { summary.skipped.append(.init(key: key, reason: reason)) }
                continue
            }
            try ArtifactBundle.check(bundle, holds: manifest.files)
            try ArtifactBundle.place(bundle, at: state, manifest: nil)
            try ArtifactBundle.encoder.encode(manifest.attempts).write(to: ResumeBundle.origin(of: state), options: .atomic)
            summary.placed.append(key)
        }
        return summary
    }
}
