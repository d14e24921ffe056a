import Foundation
import Outcomes
import Specs
import Tracking

/// An earlier recipe of the same experiment (another profile, or the defaults before a redo), read from its run
/// archive, whose results the notebook sets beside this recipe's (`report.compare_with`).
public struct EarlierRecipe: Sendable {
    /// The spec as the earlier recipe ran it (its profile applied).
    public let spec: LoadedSpec
    /// The archive's runs of the experiment that the earlier recipe plans.
    public let runs: [RunRecord]
    /// The archive as the spec names it.
    public let archive: String

    public init(spec: LoadedSpec, runs: [RunRecord], archive: String) {
        self.spec = spec; self.runs = runs; self.archive = archive
    }
}

extension Notebook {
    /// Per dataset and training-set size, each compared arm's test mean under the earlier recipe and under this one,
    /// with the bag-of-words floor beside: what the new recipe changed, cell by cell. Empty without `report.compare_with`.
    func earlierRecipe(_ page: Page) -> String {
        guard let earlier = comparedRecipe, let config = spec.tree.node(at: ["report", "compare_with"]) else { return "" }
        let arms = config["arms"]?.sequence?.compactMap(\.scalar) ?? []
        let before = Page(spec: earlier.spec, runs: earlier.runs, outcomes: comparedOutcomes, metrics: [:])
        // Per dataset and training-set size (none in an experiment without a size sweep).
        struct Key: Hashable { let dataset: String; let size: String? }
        func group(_ size: String?) -> String { size.map { "size=\($0)" } ?? "" }
        func cell(_ p: Page, _ dataset: String, _ size: String?, _ arm: String) -> Cell? {
            p.table.cells.first { $0.dataset == dataset && $0.arm == arm && ComparisonTable.trainingSize(of: $0.group) == size && $0.test.n > 0 }
        }
        // The floor is a property of the data, not of the recipe: this recipe's baselines, else the earlier ones'.
        func floor(_ dataset: String, _ size: String?) -> (arm: String, test: Double, majority: Double?)? {
            page.validity.floor(dataset: dataset, group: group(size)) ?? before.validity.floor(dataset: dataset, group: group(size))
        }
        let keys = Set((page.table.cells + before.table.cells).filter { arms.contains($0.arm) && $0.test.n > 0 }.map { c in
            Key(dataset: c.dataset, size: ComparisonTable.trainingSize(of: c.group))
        }).sorted { ($0.dataset, ComparisonTable.sizeOrder(group($0.size))) < ($1.dataset, ComparisonTable.sizeOrder(group($1.size))) }
        guard !keys.isEmpty else { return "" }

        let metric = page.metricName
        let profile = earlier.spec.profile.map { "profile `\($0)`" } ?? "the spec's defaults"
        var md = "## \(config["title"]?.scalar ?? "This recipe against the earlier one")\n\n"
        md += "Test \(metric) (%) of each arm's chosen runs, mean over seeds: the earlier recipe (\(profile), "
            + "\(earlier.runs.filter { !$0.isStage && $0.status == .finished }.count) ended runs in `\(earlier.archive)`) → this one, "
            + "and the difference. The same splits and seeds; ▾ marks a mean below the bag-of-words floor; (n=k) a side with fewer seeds than the other.\n\n"
        md += "| dataset | size | bag-of-words floor | " + arms.map { "`\($0)`" }.joined(separator: " | ") + " |\n|---|---|---|"
            + String(repeating: "---|", count: arms.count) + "\n"
        var below = (earlier: 0, now: 0, earlierOf: 0, nowOf: 0)
        for key in keys {
            let (dataset, size) = (key.dataset, key.size)
            let f = floor(dataset, size)
            md += "| \(dataset) | \(size ?? "–") | " + (f.map { String(format: "%.1f (%@)", 100 * $0.test, $0.arm) } ?? "–") + " | "
            md += arms.map { arm -> String in
                let old = cell(before, dataset, size, arm), new = cell(page, dataset, size, arm)
                func shown(_ c: Cell?, _ other: Cell?) -> String {
                    guard let c else { return "–" }
                    let n = other.map { $0.test.n > c.test.n ? " (n=\(c.test.n))" : "" } ?? ""
                    let mark = f.map { c.test.mean < $0.test ? "▾" : "" } ?? ""
                    return String(format: "%.1f%@%@", 100 * c.test.mean, mark, n)
                }
                if let f {
                    if let old { below.earlierOf += 1; if old.test.mean < f.test { below.earlier += 1 } }
                    if let new { below.nowOf += 1; if new.test.mean < f.test { below.now += 1 } }
                }
                let delta = old.flatMap { o in new.map { String(format: " (%+.1f)", 100 * ($0.test.mean - o.test.mean)) } } ?? ""
                return "\(shown(old, new)) → \(shown(new, old))\(delta)"
            }.joined(separator: " | ") + " |\n"
        }
        if below.earlierOf + below.nowOf > 0 {
            md += "\nBelow the floor: \(below.earlier) of \(below.earlierOf) cells under the earlier recipe, \(below.now) of \(below.nowOf) under this one.\n"
        }
        return md + "\n"
    }
}

extension EarlierRecipe {
    /// The earlier recipe `spec`'s `report.compare_with` names, the runs of its archive that recipe plans (an archive may
    /// hold other recipes' runs too), read into a scratch database; nil without one. An archive that cannot be read is an
    /// error naming the file and the spec field.
    public static func named(by spec: LoadedSpec) throws -> EarlierRecipe? {
        guard let config = spec.tree.node(at: ["report", "compare_with"]), let archive = config["archive"]?.scalar else { return nil }
        let folder = URL(fileURLWithPath: spec.file).deletingLastPathComponent()
        let file = archive.hasPrefix("/") ? URL(fileURLWithPath: archive) : folder.appendingPathComponent(archive)
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw SpecError(location: config["archive"]?.location ?? config.location, path: "report.compare_with.archive",
                            message: "cannot read the earlier recipe's run archive \(file.standardizedFileURL.path): \(error.localizedDescription)")
        }
        let earlierSpec = try SpecLoader.load(spec.file, profile: config["profile"]?.scalar)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tlab-earlier-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let store = try ResultsStore(path: scratch.appendingPathComponent("runs.sqlite").path)
        _ = try store.importArchive(data, source: file.path)
        let planned = try Expansion.runs(earlierSpec)
        let wanted = Set(planned.map(\.hash) + planned.flatMap(\.stages).map(\.key))
        return EarlierRecipe(spec: earlierSpec, runs: try store.runs(experiment: spec.id).filter { wanted.contains($0.hash) }, archive: archive)
    }
}
