import ArgumentParser
import BuildInfo
import Datasets
import Experiments
import Foundation
import Numerics
import Reports
import Specs
import Tracking

/// The results database location (default results/transferlab.sqlite, or $TLAB_RESULTS).
struct ResultsLocation: ParsableArguments {
    @Option(help: "Results database (default: $TLAB_RESULTS or results/transferlab.sqlite).") var db: String?
    var path: String { db ?? ProcessInfo.processInfo.environment["TLAB_RESULTS"] ?? "results/transferlab.sqlite" }
    func open() throws -> ResultsStore { try ResultsStore(path: path, rewrites: RunKinds.standard.rewrites) }
    /// For commands that only read: an existing database, opened read-only.
    func openReadingOnly() throws -> ResultsStore { try ResultsStore(readingOnly: path) }
}

/// Which runs a command takes (`--only`/`--skip`; `tlab run`, its workers, `tlab plan`).
struct RunSelection: ParsableArguments {
    @Option(help: ArgumentHelp("Take only runs with KEY=VALUE[,VALUE…] (KEY: arm, dataset, size, seed, fold); repeatable, all must match.",
                               discussion: "Every planned run is registered as always; a scheduler's workers take only these, and the stage runs they need. E.g. one long cell with both cores: --workers 1 --threads 2 --only arm=siatl --only dataset=tweets-sentiment --only size=all --only seed=2; another scheduler may run the rest of the experiment at the same time with the same terms as --skip."))
    var only: [String] = []
    @Option(help: "Leave out runs matching every KEY=VALUE[,VALUE…] given (same keys as --only).") var skip: [String] = []

    func filter() throws -> RunFilter {
        do { return RunFilter(only: try RunFilter.terms(only, option: "--only"), skip: try RunFilter.terms(skip, option: "--skip")) } catch {
            throw ValidationError("\(error)")
        }
    }
}

/// By when a scheduler's runs should have ended (`tlab run --until`, its workers).
struct DeadlineOption: ParsableArguments {
    @Option(help: ArgumentHelp("Start only runs expected to end by then: +MINUTES (+90, +90m, +2h) or an ISO 8601 time.",
                               discussion: "A run starts when the longest of the most alike ended runs, less the training a saved state of it holds (and the stage runs it waits for), fits the time left; the others stay queued for the next `tlab run`. E.g. the end of a working session, after which unsaved work is lost. Running runs are never stopped."))
    var until: String?

    func deadline() throws -> Deadline? {
        do { return try until.map { try Deadline(parsing: $0) } } catch { throw ValidationError("\(error)") }
    }
}

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

        func validate() throws {
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1, not \(threads)") }
            _ = try selection.filter()
            _ = try deadline.deadline()
        }

        func run() throws {
            let (spec, planned) = try arguments.plan()
            let store = try results.open()
            let registration = try Planning.register(planned, of: spec, store: store)
            let records = registration.records
            if retryFailed {
                print("experiment \(spec.id): \(try store.requeueFailed(experiment: spec.id, planned: registration.plannedHashes)) failed runs queued to run again")
            }
            if registration.withdrawn > 0 { print("experiment \(spec.id): withdrew \(registration.withdrawn) queued runs the spec no longer plans") }
            print("experiment \(spec.id): \(records.count) runs planned, \(registration.added) new, \(records.count - registration.added) already recorded or reusing an artifact in \(results.path)")
            var options = Scheduler.Options()
            options.timeoutSeconds = timeout
            options.maxAttempts = attempts
            options.deadline = try deadline.deadline()
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
            print("up to \(options.workers) workers × \(threads) BLAS thread(s), OpenBLAS core \(BLAS.coreName) (\(BLAS.coreSetting))")
            if let d = arguments.location.dataDir { command += ["--data-dir", d] }
            if let c = arguments.location.cacheDir { command += ["--cache-dir", c] }
            let scheduler = Scheduler(store: store, experiment: spec.id, workerCommand: command,
                                      environment: ["OPENBLAS_NUM_THREADS": "\(threads)", "OMP_NUM_THREADS": "\(threads)", "TLAB_GIT_REVISION": Provenance.revision(specDirectory: specDirectory)],
                                      options: options, planned: plannedHashes, filter: filter)
            let interactive = isatty(1) != 0
            let start = Date()
            // A terminal gets the line redrawn every second; a log gets a line when a run starts or ends,
            // else once a minute (not 86,400 lines a day).
            var logged = (counts: "", at: Date.distantPast)
            let final = try scheduler.run { p in
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

    struct WorkerCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "worker", abstract: "One worker process of `tlab run` (internal).",
                                                        shouldDisplay: false)
        @Option var experiment: String
        @Option var threads = 1
        @OptionGroup var selection: RunSelection
        @OptionGroup var deadline: DeadlineOption
        @OptionGroup var results: ResultsLocation
        @OptionGroup var location: DataLocation

        func run() throws {
            signal(SIGINT, SIG_IGN)  // the scheduler stops workers itself
            guard Runtime.exitWithParent() else { throw ExitCode.failure }  // no unsupervised workers
            BLAS.threads = threads
            let environment = RunEnvironment(
                host: ProcessInfo.processInfo.hostName,
                // The worker's own build when it knows it (a binary replaced under a running scheduler records itself).
                gitRevision: Provenance.revision(otherwise: ProcessInfo.processInfo.environment["TLAB_GIT_REVISION"] ?? "unknown"),
                versionsJSON: Versions.json, threads: BLAS.threads, blasCore: BLAS.coreName)
            _ = try Worker.loop(store: try results.open(), experiment: experiment, data: location.store, environment: environment,
                                filter: try selection.filter(), deadline: try deadline.deadline())
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run counts by status for each experiment in the results database.")
        @OptionGroup var results: ResultsLocation

        func run() throws {
            let store = try results.openReadingOnly()
            for experiment in try store.experiments() {
                let c = try store.statusCounts(experiment: experiment.id)
                print("\(experiment.id): " + RunStatus.allCases.map { "\($0.rawValue) \(c[$0] ?? 0)" }.joined(separator: ", "))
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
            print("hash \(r.hash); attempts \(r.attempts); host \(r.host ?? "-"); git \(r.gitRevision ?? "-"); threads \(r.threads.map(String.init) ?? "-"); BLAS \(r.blasCore ?? "-")")
            print("versions \(r.versionsJSON ?? "-")")
            if let e = r.error { print("error: \(e)") }
            if let result = r.resultJSON { print("result \(result)") }
            for e in try store.events(run: id) { print("event \(e.kind): \(e.message)") }
            let metrics = try store.metrics(run: id)
            for (epoch, rows) in Dictionary(grouping: metrics, by: \.epoch).sorted(by: { $0.key < $1.key }) {
                print("epoch \(epoch): " + rows.map { "\($0.split).\($0.name) \(String(format: "%.4f", $0.value))" }.joined(separator: "  "))
            }
            print("config \(r.configJSON)")
        }
    }
}

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
            let (spec, planned) = try arguments.plan()
            let store = try results.open()
            let wanted = Set(planned.map(\.hash) + planned.flatMap(\.stages).map(\.key))
            let runs = try store.runs(experiment: spec.id).filter { wanted.contains($0.hash) }
            let filter = try selection.filter()
            let targets: [RunRecord]
            if metEarlierInstances {
                let events = try store.events(experiment: spec.id, kinds: Notebook.stageEventKinds)
                let chosen = Set(filter.selection(of: runs).compactMap(\.id))
                targets = StageInstances(runs: runs, events: events).metEarlierInstances().filter { chosen.contains($0.id!) }
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

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run recorded runs again and check every metric and result comes out the same, bit for bit.",
            discussion: """
            Each run is rerun from its stored configuration, with its own BLAS thread count, in a scratch \
            database (the results database is only read); timings are not compared. A run recorded with \
            other OpenBLAS kernels may differ in its last digits: the output names both. Exits non-zero \
            when any run differs. `--experiment ID --sample N` audits N ended runs drawn at random (seeded) \
            from those recorded with this machine's OpenBLAS kernels.
            """)
        @Argument(help: "Run ids (see `tlab runs`).") var ids: [Int64] = []
        @Option(help: "With --sample: the experiment whose ended runs to draw from.") var experiment: String?
        @Option(help: "Draw this many ended runs of --experiment at random.") var sample: Int?
        @Option(help: "Seed of the --sample draw.") var seed: UInt64 = 1
        @OptionGroup var results: ResultsLocation
        @OptionGroup var location: DataLocation

        func validate() throws {
            guard ids.isEmpty != (experiment == nil) else { throw ValidationError("give run ids, or --experiment ID --sample N") }
            guard (experiment == nil) == (sample == nil) else { throw ValidationError("--experiment and --sample go together") }
            if let sample, sample < 1 { throw ValidationError("--sample must be at least 1, not \(sample)") }
        }

        func run() throws {
            let store = try results.openReadingOnly()
            var ids = self.ids
            if let experiment, let sample {
                let ended = try store.runs(experiment: experiment).filter {
                    !$0.isStage && $0.status.hasResult && $0.blasCore == BLAS.coreName
                }
                guard !ended.isEmpty else { throw ValidationError("experiment '\(experiment)' has no ended run recorded with \(BLAS.coreName) kernels in \(results.path)") }
                var rng = RandomGenerator(seed: seed)
                ids = Array(rng.permutation(ended.count).prefix(sample)).map { ended[$0].id! }.sorted()
                print("\(ids.count) of the \(ended.count) ended runs of \(experiment) recorded with \(BLAS.coreName) kernels (seed \(seed)): " + ids.map(String.init).joined(separator: " "))
            }
            let environment = RunEnvironment(host: ProcessInfo.processInfo.hostName, gitRevision: Provenance.revision(otherwise: "unknown"),
                                             versionsJSON: Versions.json, threads: 1, blasCore: BLAS.coreName)
            var differing = 0
            for id in ids {
                let outcome = try Reproduction.rerun(id, store: store, data: location.store, environment: environment)
                let o = outcome.original, r = outcome.rerun
                func setting(_ run: RunRecord) -> String {
                    "\(run.blasCore ?? "?") kernels, \(run.threads ?? 1) thread\(run.threads == 1 ? "" : "s"), build \(run.gitRevision.map { String($0.prefix(7)) } ?? "?")"
                }
                let what = "run \(id) (\(o.experimentId) \(o.arm), \(o.dataset), seed \(o.seed)\(o.fold.map { ", fold \($0)" } ?? ""))"
                let compared = outcome.compared > 0 ? "\(outcome.compared) metric\(outcome.compared == 1 ? "" : "s") and the result"
                    : "the result (no per-epoch metrics recorded)"
                if outcome.identical {
                    print("\(what): identical — \(compared), bit for bit (recorded with \(setting(o)); rerun with \(setting(r)))")
                } else {
                    differing += 1
                    let changed = outcome.compared == 0 ? compared
                        : "\(outcome.differences.count) of \(outcome.compared) metrics" + (outcome.resultMatches ? "" : " and the result")
                    print("\(what): DIFFERS — \(changed) (recorded with \(setting(o)); rerun with \(setting(r)))")
                    for line in outcome.differences.prefix(5) { print("  \(line)") }
                    if !outcome.resultMatches { print("  result: \(o.resultJSON ?? "none") → \(r.resultJSON ?? "none")") }
                    if let recorded = outcome.recordedNumerics, recorded != NumericsVersion.current {
                        print("  (recorded with numerics version \(recorded); this build computes version \(NumericsVersion.current), which changes numbers in their last bits: "
                              + "a build of the run's revision reruns it as recorded)")
                    }
                    if let recorded = o.blasCore, recorded != r.blasCore {
                        print("  (OpenBLAS picks its kernels when it loads: `OPENBLAS_CORETYPE=\(recorded) tlab verify …` reruns with the recorded ones)")
                    }
                }
            }
            if differing > 0 {
                print("\(differing) of \(ids.count) runs differ")
                throw ExitCode.failure
            }
        }
    }
}

/// The revision a run or notebook records: the one this binary was built from (`BuildInfo`), or,
/// for a build outside git, the spec's repository at the time.
enum Provenance {
    static func revision(specDirectory: String) -> String { revision(otherwise: GitRevision.current(in: specDirectory)) }

    /// The build's revision, or `fallback` for a build outside git.
    static func revision(otherwise fallback: @autoclosure () -> String) -> String {
        BuildInfo.revision != "unknown" ? BuildInfo.revision : fallback()
    }

    /// A note when the spec's repository is not at the revision this binary was built from: runs
    /// then record the build's revision, and the spec as it is now.
    static func mismatchNote(specDirectory: String) -> String? {
        let repository = GitRevision.current(in: specDirectory)
        guard BuildInfo.revision != "unknown", repository != "unknown", repository != BuildInfo.revision else { return nil }
        return "note: this tlab was built at \(BuildInfo.revision), the spec's repository is at \(repository); runs record the build's revision"
    }
}

enum GitRevision {
    /// HEAD's commit of the repository holding `directory` (the spec's), with "-dirty" when its work
    /// tree has uncommitted changes outside `notebooks-md/`; "unknown" outside git.
    static func current(in directory: String) -> String {
        func git(_ args: [String]) -> String? {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["git", "-C", directory] + args
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            guard (try? p.run()) != nil else { return nil }
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return p.terminationStatus == 0 ? String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : nil
        }
        guard let head = git(["rev-parse", "HEAD"]) else { return "unknown" }
        // Generated notebooks are outputs, not code: regenerating one must not mark the next as dirty.
        let changes = git(["status", "--porcelain", "--untracked-files=no", "--", ":(top)", ":(top,exclude)notebooks-md"])
        return (changes?.isEmpty ?? true) ? head : head + "-dirty"
    }
}

enum Versions {
    static var json: String {
        var values = ["tlab": "0.1.0", "numerics": "\(NumericsVersion.current)", "openblas": BLAS.config, "os": ProcessInfo.processInfo.operatingSystemVersionString, "swift": swiftVersion]
        // (kernels tlab chose where OpenBLAS fell back to generic ones: `BLASCoreChoice`)
        if let fallback = BLASCoreChoice.fallback { values["openblas_fallback"] = fallback }
        return String(decoding: (try? JSONSerialization.data(withJSONObject: values, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
    }
    static var swiftVersion: String {
        #if swift(>=6.3)
        return "6.3+"
        #else
        return "<6.3"
        #endif
    }
}

/// Runs that failed: `tlab run` says how many and how to see them, and exits non-zero.
struct RunsFailed: Error, CustomStringConvertible {
    let description: String
}
