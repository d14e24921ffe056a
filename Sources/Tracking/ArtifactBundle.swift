import Digests
import Foundation

/// A stage's artifact carried beside a run archive (`<archive's folder>/artifact-bundles/<key>/`), so that a
/// database on another machine uses the very artifact the stage made instead of making it again. Made
/// again on other OpenBLAS kernels, a trained language model is another model (its sums round
/// differently from the first step on), and it costs the stage's hours once more. `MANIFEST.json`
/// names the stage run that made it and the SHA-256 of every file; `tlab import` checks each before it
/// registers the artifact.
public enum ArtifactBundle {
    public static let manifestName = "MANIFEST.json"
    /// The folder of bundles beside a run archive (not `artifacts/`, which is a database's own).
    public static let folderName = "artifact-bundles"

    public struct Manifest: Codable, Equatable, Sendable {
        /// The stage configuration's hash (the artifact key).
        public var key: String
        public var experiment: String
        /// The stage run's arm, e.g. `stage:pretrain`.
        public var stage: String
        public var run: Int64
        /// When the stage run ended (ISO 8601, as in run archives): with `run`, which instance this is.
        public var finishedAt: String
        public var gitRevision: String?
        public var blasCore: String?
        /// Relative path → SHA-256 (hex) of each file of the artifact.
        public var files: [String: String]
    }

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// The SHA-256 of every file under `folder` (relative paths; the manifest left out), read in 1 MiB pieces.
    public static func digests(of folder: URL) throws -> [String: String] {
        let base = folder.standardizedFileURL.path
        var out: [String: String] = [:]
        guard let walk = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw Failure(description: "\(folder.path): not a folder")
        }
        for case let file as URL in walk where try file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
            let path = String(file.standardizedFileURL.path.dropFirst(base.count + 1))
            if path == manifestName { continue }
            out[path] = try SHA256Hex.of(fileAt: file)
        }
        return out
    }

    /// The bytes of a folder's files, all of them.
    public static func size(of folder: URL) -> Int {
        let walk = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey])
        return (walk?.allObjects as? [URL] ?? []).reduce(0) { total, file in
            let values = try? file.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
            return total + (values?.isRegularFile == true ? values?.fileSize ?? 0 : 0)
        }
    }

    /// One SHA-256 for the whole folder: of its files' `digests`, a line "path digest" each, in order of path.
    /// Equal folders, equal digests: what tells whether a stage made again made the same artifact.
    public static func digest(of folder: URL) throws -> String {
        let lines = try digests(of: folder).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)\n" }.joined()
        return SHA256Hex.of(Data(lines.utf8))
    }

    /// Copies the artifact in `folder`, made by the stage run `run`, to `bundle` with its manifest. An
    /// existing bundle of the same instance (same stage run, end time and file digests) is left as it is.
    /// Returns whether it wrote anything.
    @discardableResult
    public static func write(artifact folder: URL, madeBy run: RunRecord, to bundle: URL) throws -> Bool {
        guard let id = run.id, let finishedAt = run.finishedAt else { throw Failure(description: "run \(run.hash.prefix(12)) has not ended") }
        let manifest = Manifest(key: run.hash, experiment: run.experimentId, stage: run.arm, run: id,
                                finishedAt: RunArchive.dates.string(from: finishedAt),
                                gitRevision: run.gitRevision, blasCore: run.blasCore, files: try digests(of: folder))
        if let existing = try? read(bundle), existing == manifest, (try? digests(of: bundle)) == manifest.files { return false }
        try place(folder, at: bundle, manifest: try encoder.encode(manifest))
        return true
    }

    /// Copies `folder` to `destination` with `manifest` as its `MANIFEST.json` (without one when nil): into a sibling
    /// first, then swapped in, so an interrupted copy never leaves a half folder under the final name.
    static func place(_ folder: URL, at destination: URL, manifest: Data?) throws {
        let fm = FileManager.default
        let partial = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).partial")
        try? fm.removeItem(at: partial)
        try fm.createDirectory(at: partial.deletingLastPathComponent(), withIntermediateDirectories: true)
        try fm.copyItem(at: folder, to: partial)
        if let manifest { try manifest.write(to: partial.appendingPathComponent(manifestName)) } else {
            try? fm.removeItem(at: partial.appendingPathComponent(manifestName))
        }
        try? fm.removeItem(at: destination)
        try fm.moveItem(at: partial, to: destination)
    }

    /// The bundle's manifest, unchecked.
    public static func read(_ bundle: URL) throws -> Manifest {
        let file = bundle.appendingPathComponent(manifestName)
        do { return try decoder.decode(Manifest.self, from: Data(contentsOf: file)) } catch {
            throw Failure(description: "\(file.path): not an artifact manifest (\(error))")
        }
    }

    /// The bundle's manifest after checking that its files are exactly those it names, with their digests.
    public static func verify(_ bundle: URL) throws -> Manifest {
        let manifest = try read(bundle)
        try check(bundle, holds: manifest.files)
        return manifest
    }

    /// Checks that the files under `bundle` (its manifest left out) are exactly `files`, with their digests.
    static func check(_ bundle: URL, holds files: [String: String]) throws {
        let found = try digests(of: bundle)
        for (path, digest) in files.sorted(by: { $0.key < $1.key }) {
            guard let here = found[path] else { throw Failure(description: "\(bundle.path): \(path) is missing") }
            guard here == digest else {
                throw Failure(description: "\(bundle.appendingPathComponent(path).path): SHA-256 \(here), its manifest says \(digest)")
            }
        }
        if let extra = Set(found.keys).subtracting(files.keys).sorted().first {
            throw Failure(description: "\(bundle.path): \(extra) is not in its manifest")
        }
    }

    static var encoder: JSONEncoder {
        let e = RunArchive.encoder
        e.outputFormatting.insert(.prettyPrinted)
        return e
    }
    static var decoder: JSONDecoder { RunArchive.decoder }
}

extension ResultsStore {
    /// Writes the artifact of each finished stage run of `experiment` whose stage is named in `stages`
    /// (`pretrain` for the runs of arm `stage:pretrain`) as a bundle `<folder>/<key>/`. Returns the keys
    /// written (an unchanged bundle is not written again).
    public func writeArtifactBundles(experiment: String, stages: [String], to folder: URL) throws -> [String] {
        let arms = Set(stages.map { "stage:\($0)" })
        var written: [String] = []
        for run in try runs(experiment: experiment) where run.isStage && run.status == .finished && arms.contains(run.arm) {
            guard let artifact = try artifact(run.hash) else { continue }  // made elsewhere and not here
            if try ArtifactBundle.write(artifact: url(of: artifact), madeBy: run, to: folder.appendingPathComponent(run.hash)) {
                written.append(run.hash)
            }
        }
        return written
    }
}
