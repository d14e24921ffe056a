import ArgumentParser
import Datasets
import Experiments
import Foundation
import Specs
import Tracking

/// A spec file with its profile and `path=value` overrides, as every spec command takes them.
struct SpecArguments: ParsableArguments {
    @Argument(help: "The experiment spec (YAML).") var spec: String
    @Argument(help: "Overrides, e.g. train.epochs=3 sweep.seed=[1,2].") var overrides: [String] = []
    @Option(help: "A profile defined in the spec (e.g. quick).") var profile: String?
    @Option(help: "The most runs the spec may expand to.") var maxRuns = Expansion.defaultMaxRuns
    @OptionGroup var location: DataLocation

    /// Loads and validates the spec, expands it into runs and checks what they need (installed data,
    /// group patterns against the model's parameters); nothing runs on a spec with any problem.
    func plan() throws -> (spec: LoadedSpec, runs: [PlannedRun]) {
        let loaded = try SpecLoader.load(spec, profile: profile, overrides: overrides)
        let runs = try Expansion.runs(loaded, maxRuns: maxRuns)
        let problems = SpecCheck.problems(in: runs, data: location.store)
        guard problems.isEmpty else { throw SpecProblems(description: problems.joined(separator: "\n")) }
        let (kept, skipped) = Planning.withoutRedundantSizes(runs, data: location.store)
        for line in skipped { print("note: \(line)") }
        return (loaded, kept)
    }
}

/// What is wrong with a spec (each with its file, line and field): an error of the spec, not of the command
/// line, so the command's usage is not printed after it.
struct SpecProblems: Error, CustomStringConvertible {
    let description: String
}

extension Tlab {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a spec: every error with file, line, field and what was expected.")
        @OptionGroup var arguments: SpecArguments
        @OptionGroup var results: ResultsLocation

        func run() throws {
            let (spec, runs) = try arguments.plan()
            let staged = try Planning.staged(runs, spec: spec, store: nil)
            let tuned = staged.runs.count + staged.waiting == runs.count ? ""
                : "; \(staged.runs.count + staged.waiting) of them run, the later seeds at the values their cells' tuning seeds choose (selection.tune_seeds)"
            print("\(arguments.spec): valid (experiment '\(spec.id)', \(runs.count) runs\(tuned)\(spec.profile.map { ", profile \($0)" } ?? ""))")
        }
    }

    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Expand a spec into runs and print their count and an estimate, running nothing.")
        @OptionGroup var arguments: SpecArguments
        @OptionGroup var results: ResultsLocation
        @OptionGroup var selection: RunSelection
        @OptionGroup var deadline: DeadlineOption
        @Option(help: ArgumentHelp("Also price the planned runs at the ended runs of this experiment in another database (an earlier recipe's, another profile's).",
                                   discussion: "Each run at its most alike ended run there (same dataset, arm, size and sweep values; else along its sizes; else its dataset), per arm; stage runs are not priced."))
        var pricedBy: String?

        func validate() throws { _ = try selection.filter(); _ = try deadline.deadline() }

        func run() throws {
            let (spec, expanded) = try arguments.plan()
            let filter = try selection.filter()
            let existing = FileManager.default.fileExists(atPath: results.path) ? try results.openReadingOnly() : nil
            let staged = try Planning.staged(expanded, spec: spec, store: existing)
            let planned = staged.runs, waiting = filter.isEmpty ? staged.waiting : 0
            let records = Planning.records(planned, experiment: spec.id)
            // With --only/--skip, the cells, stages, estimate and first run are the selection's.
            let taken = Set(filter.selection(of: records).map(\.hash))
            let runs = planned.filter { taken.contains($0.hash) }
            print("experiment \(spec.id)\(spec.profile.map { " (profile \($0))" } ?? ""): \(planned.count) runs"
                  + (filter.isEmpty ? "" : ", \(runs.count) of them selected (\(filter.arguments.joined(separator: " ")))")
                  + (waiting == 0 ? "" : ", and \(waiting) of later seeds once their cells' tuning runs have ended, at the values those choose "
                     + "(selection.tune_seeds; \(staged.tuningCells.count) cells tuning)"))
            let byCell = Dictionary(grouping: runs) { "\($0.dataset) × \($0.arm)" }
            for cell in byCell.keys.sorted() { print("  \(cell): \(byCell[cell]!.count)") }
            let stages = Dictionary(grouping: runs.flatMap(\.stages), by: \.key).values.map { $0[0] }
            if !stages.isEmpty {
                let byName = Dictionary(grouping: stages, by: \.name).mapValues(\.count)
                print("  + \(stages.count) stage runs (" + byName.keys.sorted().map { "\($0): \(byName[$0]!)" }.joined(separator: ", ")
                      + "), each once per distinct configuration; artifacts already made are reused")
            }
            let workers = max(ProcessInfo.processInfo.activeProcessorCount, 1)
            let perRun = spec.secondsPerRun
            if let perRun {
                let hours = perRun * Double(runs.count + waiting) / Double(workers) / 3600
                print(String(format: "estimate: %.0f s per run (spec's plan.seconds_per_run) × %d runs / %d workers ≈ %.1f h", perRun, runs.count + waiting, workers, hours))
            }
            if let store = existing {
                // Against an existing database: what `tlab run` would find already done, and withdraw.
                let plannedHashes = Set(records.map(\.hash))
                let recorded = try store.runs(experiment: spec.id)
                let mine = recorded.filter { plannedHashes.contains($0.hash) }
                let counts = Dictionary(grouping: mine, by: \.status).mapValues(\.count)
                let byStatus: [String] = RunStatus.allCases.map { status in "\(status.rawValue) \(counts[status] ?? 0)" }
                let stale = recorded.filter { $0.status == .queued && !plannedHashes.contains($0.hash) }.count
                print("in \(results.path): \(mine.count) of \(records.count) planned runs recorded (\(byStatus.joined(separator: ", ")));"
                      + " \(stale) queued runs no longer planned would be withdrawn")
                let chosen = filter.isEmpty ? "" : " of the selection (\(filter.arguments.joined(separator: " ")))"
                let earlier = try store.earlierResults(experiment: spec.id)
                let pricedEarlier = mine.reduce(0) { $0 + (earlier[$1.id!]?.count ?? 0) }
                if pricedEarlier > 0 { print("pricing with \(pricedEarlier) earlier results of runs queued to run again (on their own machines' kernels)") }
                if let left = WorkEstimate(runs: mine, epochSeconds: try store.epochSeconds(experiment: spec.id), earlier: earlier,
                                          trained: store.savedTraining(of: mine), unmeasuredArm: perRun, pricing: filter.accepts) {
                    let perDataset = left.measured.map { String(format: "%@ %.0f s (n=%d)", $0.dataset, $0.meanSeconds, $0.runs) }
                    let unmeasured = left.unmeasuredArms.isEmpty ? ""
                        : "; arms with no ended run (" + left.unmeasuredArms.sorted().joined(separator: ", ") + ")"
                        + (perRun.map { String(format: " priced at the spec's %.0f s", $0) } ?? " priced at their datasets' mean run")
                    print(String(format: "measured so far: %@ per run%@; the %d runs left%@ ≈ %.1f h of work (%.1f h with %d workers; stage runs not included)",
                                 perDataset.joined(separator: ", "), unmeasured, left.runsLeft, chosen, left.seconds / 3600, left.seconds / 3600 / Double(workers), workers))
                    if waiting > 0 && left.runsLeft > 0 {
                        let more = left.seconds / Double(left.runsLeft) * Double(waiting)
                        print(String(format: "and the %d runs of later seeds not yet planned, at the mean of those: ≈ %.1f h more (%.1f h with %d workers)",
                                     waiting, more / 3600, more / 3600 / Double(workers), workers))
                    }
                } else if !filter.isEmpty {
                    print("no run left\(chosen) to price")
                }
                if let deadline = try deadline.deadline() {
                    // What `tlab run --until` would start now, and what it would leave queued.
                    let admitted = try store.admitted(by: deadline, experiment: spec.id, filter: filter, planned: plannedHashes)
                    let queued = filter.selection(of: mine).filter { $0.status == .queued }
                    let deferred = Dictionary(grouping: queued.filter { !admitted.contains($0.id!) }) { "\($0.dataset) × \($0.arm)" + ($0.trainingSize.map { " at \($0)" } ?? "") }
                    print("by \(deadline.arguments[1]) (--until): \(admitted.count) of the \(queued.count) queued runs\(chosen) may start now"
                          + (deferred.isEmpty ? "" : "; left queued: " + deferred.keys.sorted().map { "\($0) (\(deferred[$0]!.count))" }.joined(separator: ", ")))
                }
            }
            if let pricedBy {
                // The runs not yet ended here (all of them without a database).
                let ended = Set(try existing?.runs(experiment: spec.id).filter(\.status.hasEnded).map(\.hash) ?? [])
                try price(records.filter { !$0.isStage && taken.contains($0.hash) && !ended.contains($0.hash) }, spec: spec, at: pricedBy,
                          unmeasuredArm: perRun, workers: workers)
            }
            print("first run: \(runs.first.map { "\($0.arm) \($0.dataset) seed \($0.seed) hash \($0.hash.prefix(12))" } ?? "none")")
        }

        /// The planned runs priced at the ended runs of the same experiment in another database, per arm.
        func price(_ records: [RunRecord], spec: LoadedSpec, at path: String, unmeasuredArm: Double?, workers: Int) throws {
            let other = try ResultsStore(readingOnly: path, artifacts: nil)
            let ended = try other.runs(experiment: spec.id)
            guard let prices = RunPrices(runs: ended, epochSeconds: try other.epochSeconds(experiment: spec.id), unmeasuredArm: unmeasuredArm) else {
                print("priced by \(path): no ended run of experiment '\(spec.id)' there to price by"); return
            }
            let byArm = Dictionary(grouping: records, by: \.arm).mapValues { $0.reduce(0) { $0 + prices.seconds(of: $1) } }
            let arms = byArm.keys.sorted { (byArm[$0]!, $1) > (byArm[$1]!, $0) }
            let total = byArm.values.reduce(0, +)
            print(String(format: "the runs not ended, priced by the %d ended runs of '%@' in %@: %.1f CPU-hours (%.1f h with %d workers; stage runs not included)",
                         ended.filter(\.status.hasResult).count, spec.id, path, total / 3600, total / 3600 / Double(workers), workers))
            for arm in arms {
                let count = records.filter { $0.arm == arm }.count
                print(String(format: "  %@: %d runs, %.1f CPU-hours", arm, count, byArm[arm]! / 3600)
                      + (prices.hasMeasured(arm: arm) ? "" : " (no ended run of this arm there: priced at "
                         + (unmeasuredArm.map { String(format: "the spec's %.0f s a run)", $0) } ?? "its datasets' mean run)")))
            }
        }
    }
}
