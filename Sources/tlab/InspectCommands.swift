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
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run counts by status for each experiment in the results database.")
        @OptionGroup var results: ResultsLocation

        func run() throws {
            let store = try results.openReadingOnly()
            for experiment in try store.experiments() {
                let c = try store.statusCounts(experiment: experiment.id)
                print("\(experiment.id): " + RunStatus.allCases.map { "\($0.rawValue) \(c[$0] ?? 0)" }.joined(separator: ", "))
                try printSlurmTasks(of: try store.clusterRuns(experiment: experiment.id))
            }
        }

        /// The runs Slurm array tasks hold, each with its task's state and node as `squeue` lists them.
        func printSlurmTasks(of runs: [RunRecord]) throws {
            guard !runs.isEmpty else { return }
            let manifests = Set(runs.compactMap { $0.worker?.clusterManifest }).sorted()
            let listed: [String: [SlurmCommands.QueuedTask]]
            do { listed = try SlurmCommands().queued(names: manifests.map(SlurmCoordinator.jobName)) } catch {
                print("  \(runs.count) runs held by Slurm tasks; squeue cannot be asked here (\(error))")
                return
            }
            for run in runs {
                guard let worker = run.worker, let manifest = worker.clusterManifest else { continue }
                let task = listed[SlurmCoordinator.jobName(manifest)]?.first { $0.index == worker.pid }
                let job = worker.started.map { "\($0)_\(worker.pid)" } ?? "(not yet submitted)"
                print("  run \(run.id!) (\(run.arm), \(run.dataset), seed \(run.seed)): Slurm task \(job) "
                      + (task.map { "\($0.state)" + ($0.node.isEmpty ? "" : " on \($0.node)") } ?? "no longer listed (its shard is imported at the coordinator's next look)"))
            }
        }
    }

    struct Runs: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an experiment's runs.")
        @Argument(help: "Experiment id.") var experiment: String
        @OptionGroup var results: ResultsLocation
        @Option(help: "Only runs with this status.") var status: RunStatus?

        func run() throws {
            print("id      status    arm            dataset            seed  fold  size   sweep")
            func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
            for r in try results.openReadingOnly().runs(experiment: experiment) where status == nil || r.status == status {
                print(pad(String(r.id ?? 0), 7) + " " + pad(r.status.rawValue, 9) + " " + pad(r.arm, 14) + " " + pad(r.dataset, 18) + " "
                      + pad(String(r.seed), 5) + " " + pad(r.fold.map(String.init) ?? "-", 5) + " " + pad(r.trainingSize ?? "-", 6) + " " + r.sweepJSON)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Everything recorded about one run.")
        @Argument(help: "Run id.") var id: Int64
        @OptionGroup var results: ResultsLocation

        func run() throws {
            let store = try results.openReadingOnly()
            guard let r = try store.run(id) else { throw ValidationError("no run \(id) in \(results.path)") }
            print("run \(id) of \(r.experimentId): \(r.status.rawValue), arm \(r.arm), dataset \(r.dataset), seed \(r.seed)\(r.fold.map { ", fold \($0)" } ?? "")")
            print("hash \(r.hash); attempts \(r.attempts); host \(r.host ?? "-")\(r.job.map { "; Slurm job \($0)" } ?? ""); git \(r.gitRevision ?? "-"); threads \(r.threads.map(String.init) ?? "-"); BLAS \(r.blasCore ?? "-")")
            print("versions \(r.versionsJSON ?? "-")")
            if let e = r.error { print("error: \(e)") }
            if let result = r.resultJSON { print("result \(result)") }
            for e in try store.events(run: id) { print("event \(e.kind): \(e.message)") }
            for instance in try store.instances(of: r) {
                print("instance \(instance.identity) \(instance.provenance)"
                      + (instance.replacedAt.map { ", replaced \(ISO8601DateFormatter().string(from: $0))" } ?? ", held by its artifact now"))
            }
            for use in try store.uses(run: id) {
                print("uses \(use.stage) \(use.stageKey.prefix(12)), "
                      + (use.madeByRun.map { "made by run \($0) finished \(use.madeFinishedAt ?? "?")" } ?? "made by no recorded run")
                      + (use.earlierResult == nil ? "" : " (by an earlier result)"))
            }
            let metrics = try store.metrics(run: id)
            for (epoch, rows) in Dictionary(grouping: metrics, by: \.epoch).sorted(by: { $0.key < $1.key }) {
                print("epoch \(epoch): " + rows.map { "\($0.split).\($0.name) \(String(format: "%.4f", $0.value))" }.joined(separator: "  "))
            }
            print("config \(r.configJSON)")
        }
    }
}
