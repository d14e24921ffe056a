import ArgumentParser
import Datasets
import Foundation
import Specs

/// A spec file with its profile and `path=value` overrides, as every spec command takes them.
struct SpecArguments: ParsableArguments {
    @Argument(help: "The experiment spec (YAML).") var spec: String
    @Argument(help: "Overrides, e.g. train.epochs=3 sweep.seed=[1,2].") var overrides: [String] = []
    @Option(help: "A profile defined in the spec (e.g. quick).") var profile: String?
    @OptionGroup var location: DataLocation

    /// Loads, validates and checks that every named dataset exists and is installed.
    func load() throws -> LoadedSpec {
        let loaded = try SpecLoader.load(spec, profile: profile, overrides: overrides)
        var errors: [String] = []
        for node in loaded.tree.node(at: ["data", "datasets"])?.sequence ?? [] {
            guard let id = node.scalar ?? node["id"]?.scalar else { continue }  // a user file
            do {
                _ = try DatasetCatalog.entry(id)
                if !location.store.isInstalled(id) { errors.append("\(node.location): data.datasets: \(DataError.notInstalled(id))") }
            } catch {
                errors.append("\(node.location): data.datasets: \(error)")
            }
        }
        if let vectors = loaded.tree.node(at: ["embeddings", "vectors"]), let id = vectors.scalar, !location.store.isInstalled(id) {
            errors.append("\(vectors.location): embeddings.vectors: \(DataError.notInstalled(id))")
        }
        guard errors.isEmpty else { throw ValidationError(errors.joined(separator: "\n")) }
        return loaded
    }
}

extension Tlab {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a spec: every error with file, line, field and what was expected.")
        @OptionGroup var arguments: SpecArguments

        func run() throws {
            let spec = try arguments.load()
            let runs = try Expansion.runs(spec)
            print("\(arguments.spec): valid (experiment '\(spec.id)', \(runs.count) runs\(spec.profile.map { ", profile \($0)" } ?? ""))")
        }
    }

    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Expand a spec into runs and print their count and an estimate, running nothing.")
        @OptionGroup var arguments: SpecArguments

        func run() throws {
            let spec = try arguments.load()
            let runs = try Expansion.runs(spec)
            print("experiment \(spec.id)\(spec.profile.map { " (profile \($0))" } ?? ""): \(runs.count) runs")
            let byCell = Dictionary(grouping: runs) { "\($0.dataset) × \($0.arm)" }
            for cell in byCell.keys.sorted() { print("  \(cell): \(byCell[cell]!.count)") }
            if let perRun = spec.tree.node(at: ["plan", "seconds_per_run"])?.scalar.flatMap(Double.init) {
                let workers = max(ProcessInfo.processInfo.activeProcessorCount, 1)
                let hours = perRun * Double(runs.count) / Double(workers) / 3600
                print(String(format: "estimate: %.0f s per run (spec's plan.seconds_per_run) × %d runs / %d workers ≈ %.1f h", perRun, runs.count, workers, hours))
            }
            print("first run: \(runs.first.map { "\($0.arm) \($0.dataset) seed \($0.seed) hash \($0.hash.prefix(12))" } ?? "none")")
        }
    }
}
