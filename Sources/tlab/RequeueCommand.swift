import ArgumentParser
import BuildInfo
import Datasets
import Experiments
import Foundation
import Numerics
import Reports
import Specs
import Tracking

extension Tlab {
    struct Requeue: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue ended runs of a spec to run again, keeping what they recorded.",
            discussion: """
            Each run's status, times, provenance, result, metrics and events go into an `earlier-result` \
            event (archived with it), then it is queued; the next `tlab run` runs it. \
            --met-earlier-instances takes the runs that met an instance of a stage made more than once \
            other than its current one (a pretrained LM made again on other kernels is another model), and \
            the stage runs among them, whose artifacts are made again: then every run of a comparison meets \
            one model. --only/--skip narrow the runs as `tlab run` takes them.
            """)
        @OptionGroup var arguments: SpecArguments
        @OptionGroup var results: ResultsLocation
        @OptionGroup var selection: RunSelection
        @Flag(help: "The runs that met an earlier instance of a stage made more than once.") var metEarlierInstances = false
        @Flag(help: "List the runs; queue nothing.") var dryRun = false
        @Option(help: "Why they run again (kept with each earlier result).") var reason: String?

        func validate() throws {
            let filter = try selection.filter()
            guard metEarlierInstances || !filter.isEmpty else {
                throw ValidationError("name the runs to queue again: --met-earlier-instances, --only/--skip, or both")
            }
        }

        func run() throws {
            let (spec, expanded) = try arguments.plan()
            let store = try results.open()
            let planned = try Planning.staged(expanded, spec: spec, store: store).runs
            let wanted = Set(planned.map(\.hash) + planned.flatMap(\.stages).map(\.key))
            let runs = try store.runs(experiment: spec.id).filter { wanted.contains($0.hash) }
            let filter = try selection.filter()
            let targets: [RunRecord]
            if metEarlierInstances {
                let chosen = Set(filter.selection(of: runs).compactMap(\.id))
                targets = StageInstances(runs: runs, history: try store.stageHistory(experiment: spec.id)).metEarlierInstances().filter { chosen.contains($0.id!) }
            } else {
                targets = runs.filter { !$0.isStage && $0.status.hasEnded && filter.accepts($0) }
            }
            for r in targets {
                print("  run \(r.id!): \(r.arm) \(r.dataset) size \(r.trainingSize ?? "–") seed \(r.seed)\(r.fold.map { " fold \($0)" } ?? ""), \(r.status.rawValue)")
            }
            guard !targets.isEmpty else { print("experiment \(spec.id): no ended run to queue again"); return }
            if dryRun { print("experiment \(spec.id): \(targets.count) runs would be queued again (dry run: nothing queued)"); return }
            let why = reason ?? (metEarlierInstances ? "met an earlier instance of a stage made more than once" : "queued again by hand")
            let queued = try store.runAgain(targets.compactMap(\.id), reason: why + (filter.isEmpty ? "" : " (\(filter.arguments.joined(separator: " ")))"))
            print("experiment \(spec.id): \(queued.count) runs queued again in \(results.path), their earlier results kept as `earlier-result` events;"
                  + " `tlab run \(arguments.spec) --db \(results.path)` runs them")
        }
    }
}
