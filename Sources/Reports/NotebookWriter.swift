import Foundation
import Specs
import Tracking

/// Writes a spec's notebook from the results database: `<folder>/<name>.md`, its plots and its CSV/JSON exports in
/// `<folder>/<name>/` (a profile's name is `<id>-<profile>`, so a quick profile's notebook never overwrites the full one).
public enum NotebookWriter {
    public struct Refusal: Error, CustomStringConvertible { public let description: String }

    public struct Written: Sendable {
        public let notebook: URL
        public let runs: Int
        public let plots: Int
        public let exports: [String]
    }

    /// Only the runs `planned` names (and the stage runs they used) go in; `waiting` more are not planned yet
    /// (`selection.tune_seeds`' later seeds). Plots a previous report wrote in the
    /// notebook's folder and this one does not are removed, so no stale plot outlives its notebook.
    /// A notebook already written is not replaced by one without runs unless `replacingWithoutRuns`.
    public static func write(spec: LoadedSpec, planned: [PlannedRun], waiting: Int = 0, store: ResultsStore, folder: URL, command: String, revision: String,
                             dataLines: [String], replacingWithoutRuns: Bool = false, comparedRecipe: EarlierRecipe? = nil) throws -> Written {
        let wanted = Set(planned.map(\.hash) + planned.flatMap(\.stages).map(\.key))
        let runs = try store.runs(experiment: spec.id).filter { wanted.contains($0.hash) }
        let recorded = Set(runs.map(\.hash))
        let name = spec.id + (spec.profile.map { "-\($0)" } ?? "")
        if runs.isEmpty && !replacingWithoutRuns && FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(name).md").path) {
            throw Refusal(description: "\(store.path) holds no run of this spec: \(folder.appendingPathComponent("\(name).md").path) is kept (--allow-empty replaces it)")
        }
        var metrics: [Int64: [MetricRecord]] = [:]
        for r in runs where r.status == .finished { metrics[r.id!] = try store.metrics(run: r.id!) }
        let csvName = "\(name)/\(name)-runs.csv", jsonName = "\(name)/\(name)-runs.json"
        let notebook = try Notebook(spec: spec, runs: runs, metrics: metrics, context: Notebook.Context(
            command: command, gitRevision: revision, database: store.path, dataLines: dataLines,
            exportFiles: [csvName, jsonName], assetFolder: name, savedTraining: store.savedTraining(of: runs),
            planned: (planned.count + waiting, planned.filter { !recorded.contains($0.hash) }.count + waiting)),
            earlier: try store.earlierResults(experiment: spec.id), stages: try store.stageHistory(experiment: spec.id),
            comparedRecipe: comparedRecipe)
        let (markdown, plots) = notebook.render()

        let fm = FileManager.default
        let assets = folder.appendingPathComponent(name)
        // Every file it writes stays inside `folder`.
        let root = folder.standardizedFileURL.path + "/"
        for file in [name + ".md", csvName, jsonName] + plots.keys.sorted()
        where !folder.appendingPathComponent(file).standardizedFileURL.path.hasPrefix(root) {
            throw NotebookWriter.Refusal(description: "\(file) would be written outside \(folder.path)")
        }
        try fm.createDirectory(at: assets, withIntermediateDirectories: true)
        for file in try fm.contentsOfDirectory(atPath: assets.path) where file.hasSuffix(".svg") {
            try fm.removeItem(at: assets.appendingPathComponent(file))
        }
        try Data(Export.csv(runs).utf8).write(to: folder.appendingPathComponent(csvName))
        try Export.json(runs).write(to: folder.appendingPathComponent(jsonName))
        for (file, svg) in plots { try Data(svg.utf8).write(to: folder.appendingPathComponent(file)) }
        let target = folder.appendingPathComponent("\(name).md")
        try Data(markdown.utf8).write(to: target)
        return Written(notebook: target, runs: runs.count, plots: plots.count, exports: [csvName, jsonName])
    }
}
