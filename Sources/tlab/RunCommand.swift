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
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a spec's runs in parallel workers; rerunning resumes and never repeats a finished run.")
        @OptionGroup var arguments: SpecArguments
        @OptionGroup var results: ResultsLocation
        @Option(help: "Worker processes (default: one per core).") var workers: Int?
        @Option(help: ArgumentHelp("BLAS threads per worker (default 1).",
                                   discussion: "Each run records its thread count and reruns bit-identically with it. More threads speed up one long run (an LSTM LM's products) where fewer workers run side by side."))
        var threads = 1
        @Option(help: "Per-run timeout in seconds.") var timeout: Double = 6 * 3600
        @Option(help: "Attempts per run before giving up (crashes, timeouts).") var attempts = 3
        @Flag(help: "Queue the spec's failed and timed-out runs to run again.") var retryFailed = false
        @OptionGroup var selection: RunSelection
        @OptionGroup var deadline: DeadlineOption
        @OptionGroup var cluster: ClusterOptions

        func validate() throws {
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1, not \(threads)") }
            _ = try selection.filter()
            _ = try deadline.deadline()
            if cluster.executor == .slurm && deadline.until != nil { throw ValidationError("--until applies to --executor local (Slurm tasks have --time)") }
        }

        func run() throws {
            let (spec, expanded) = try arguments.plan()
            let store = try results.open()
            let staged = try Planning.staged(expanded, spec: spec, store: store)
            let registration = try Planning.register(staged.runs, of: spec, store: store)
            let records = registration.records
            if retryFailed {
                print("experiment \(spec.id): \(try store.requeueFailed(experiment: spec.id, planned: registration.plannedHashes)) failed runs queued to run again")
            }
            if registration.withdrawn > 0 { print("experiment \(spec.id): withdrew \(registration.withdrawn) queued runs the spec no longer plans") }
            print("experiment \(spec.id): \(records.count) runs planned, \(registration.added) new, \(records.count - registration.added) already recorded or reusing an artifact in \(results.path)")
            if staged.waiting > 0 {
                print("experiment \(spec.id): \(staged.waiting) runs of later seeds wait for their cells' tuning runs (selection.tune_seeds) in \(staged.tuningCells.count) cells; "
                      + "they are planned at the chosen values as those end")
            }
            // Under `selection.tune_seeds`, a worker's exit registers the later seeds of the cells whose tuning runs have ended.
            var replan: (() throws -> Set<String>)?
            if SweepSelection(spec.tree).tuneSeeds != nil {
                replan = {
                    let now = try Planning.register(try Planning.staged(expanded, spec: spec, store: store).runs, of: spec, store: store)
                    if now.added > 0 { print("experiment \(spec.id): \(now.added) runs of later seeds planned at the values their cells' tuning seeds chose") }
                    return now.plannedHashes
                }
            }
            var options = Scheduler.Options()
            options.timeoutSeconds = timeout
            options.maxAttempts = attempts
            options.deadline = try deadline.deadline()
            options.unmeasuredArmSeconds = spec.secondsPerRun
            if let workers { options.workers = workers }
            let specDirectory = URL(fileURLWithPath: arguments.spec).deletingLastPathComponent().path
            if let note = Provenance.mismatchNote(specDirectory: specDirectory) { print(note) }
            let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
            let filter = try selection.filter(), plannedHashes = registration.plannedHashes
            if !filter.isEmpty {
                let selected = filter.selection(of: try store.runs(experiment: spec.id).filter { plannedHashes.contains($0.hash) })
                print("taking \(selected.filter { !$0.isStage }.count) of the planned runs and the \(selected.filter(\.isStage).count) stage runs they need (\(filter.arguments.joined(separator: " ")))")
            }
            var command = [executable, "worker", "--experiment", spec.id, "--db", results.path, "--threads", "\(threads)"] + filter.arguments
                + (options.deadline?.arguments ?? [])
            if let until = options.deadline { print("starting only runs expected to end by \(until.arguments[1]) (--until)") }
            // (the kernels every worker inherits: a log shows at once a CPU running OpenBLAS's generic ones)
            let locations = (arguments.location.dataDir.map { ["--data-dir", Self.absolute($0)] } ?? [])
                + (arguments.location.cacheDir.map { ["--cache-dir", Self.absolute($0)] } ?? [])
            command += locations + (results.artifactsDir.map { ["--artifacts-dir", $0] } ?? [])
            let environment = ["OPENBLAS_NUM_THREADS": "\(threads)", "OMP_NUM_THREADS": "\(threads)", "TLAB_GIT_REVISION": Provenance.revision(specDirectory: specDirectory)]
            let execute: ((Scheduler.Progress) -> Void) throws -> Scheduler.Progress
            switch cluster.executor {
            case .local:
                print("up to \(options.workers) workers × \(threads) BLAS thread(s), OpenBLAS core \(BLAS.coreName) (\(BLAS.coreSetting))")
                execute = Scheduler(store: store, experiment: spec.id, workerCommand: command, environment: environment,
                                    options: options, planned: plannedHashes, filter: filter, replan: replan).run
            case .slurm:
                let folders = cluster.folders(database: results.path, experiment: spec.id)
                let slurm = cluster.slurmOptions(threads: threads, attempts: attempts)
                print("Slurm: up to \(slurm.maxParallel) array tasks × \(threads) BLAS thread(s); shards in \(folders.root.path), artifacts in \(store.artifactsFolder.path)")
                let task = [executable, "cluster-task", "--threads", "\(threads)", "--artifacts-dir", Self.absolute(store.artifactsFolder.path)] + locations
                execute = SlurmCoordinator(store: store, experiment: spec.id, taskCommand: task, environment: environment, options: slurm,
                                           folders: folders, planned: plannedHashes, filter: filter, replan: replan).run
            }
            let interactive = isatty(1) != 0
            let start = Date()
            // A terminal gets the line redrawn every second; a log gets a line when a run starts or ends,
            // else once a minute (not 86,400 lines a day).
            var logged = (counts: "", at: Date.distantPast)
            let final = try execute { p in
                if interactive {
                    print("\r\u{1B}[K" + p.line, terminator: ""); fflush(nil)
                } else if p.counts != logged.counts || Date().timeIntervalSince(logged.at) >= 60 {
                    print(p.line)
                    logged = (p.counts, Date())
                }
            }
            if interactive { print("") }
            print(String(format: "done in %.1f s: %d finished, %d diverged, %d failed", Date().timeIntervalSince(start), final.finished, final.diverged, final.failed))
            if final.deferred > 0 { print("\(final.deferred) runs left queued: none expected to end by \(options.deadline!.arguments[1]) (--until); rerun to take them") }
            if final.failed > 0 {
                let database = results.db.map { " --db \($0)" } ?? ""
                throw RunsFailed(description: "\(final.failed) run\(final.failed == 1 ? "" : "s") failed: `tlab runs \(spec.id)\(database) --status failed` lists them, "
                                 + "`tlab show RUN_ID` shows why; `tlab run … --retry-failed` runs them again")
            }
        }
    }
}

extension Tlab.Run {
    /// `path` from the working folder (a Slurm task starts there too, but a manifest outlives a `cd`).
    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path).standardizedFileURL.path
    }
}

/// Runs that failed: `tlab run` says how many and how to see them, and exits non-zero.
struct RunsFailed: Error, CustomStringConvertible {
    let description: String
}
