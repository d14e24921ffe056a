import Foundation
import Specs
import Tracking
#if canImport(Glibc)
import Glibc
#endif

/// Runs an experiment's queued runs in parallel workers started through an `Executor`, resuming whatever
/// an earlier scheduler left: runs of dead workers go back to the queue (their partial metrics deleted),
/// finished runs are never repeated.
public final class Scheduler {
    public struct Options: Sendable {
        public var workers: Int
        public var timeoutSeconds: Double
        /// Attempts per run before it is given up (crashes and timeouts count).
        public var maxAttempts: Int
        /// Start only runs that should end by then (`tlab run --until`); the others stay queued.
        public var deadline: Deadline?
        /// The spec's `plan.seconds_per_run`: the ETA's price of a run whose arm has no ended run yet.
        public var unmeasuredArmSeconds: Double?
        public init(workers: Int = max(ProcessInfo.processInfo.activeProcessorCount, 1), timeoutSeconds: Double = 6 * 3600, maxAttempts: Int = 3) {
            self.workers = workers; self.timeoutSeconds = timeoutSeconds; self.maxAttempts = maxAttempts
        }
    }

    public struct Progress: Sendable {
        public var total: Int, finished: Int, diverged: Int, failed: Int, running: Int, queued: Int
        /// The work left on the scheduler's workers, each run priced at the most alike ended runs
        /// (`WorkEstimate`; stage runs not priced); nil until one has been measured.
        public var etaSeconds: Double?
        /// Queued runs the deadline leaves for a later scheduler (none should end in time).
        public var deferred = 0
        public var currentValidAccuracy: Double?
        public var currentTrainLoss: Double?

        /// "runs 3/10 done (3 finished, 0 diverged, 0 failed), 2 running, 5 queued".
        public var counts: String {
            "runs \(finished + diverged + failed)/\(total) done (\(finished) finished, \(diverged) diverged, \(failed) failed), \(running) running, \(queued) queued"
        }

        /// The counts with the ETA and the running runs' latest figures.
        public var line: String {
            var line = counts
            if let etaSeconds { line += String(format: ", ETA %.0f min", etaSeconds / 60) }
            if let currentTrainLoss { line += String(format: ", current train loss %.3f", currentTrainLoss) }
            if let currentValidAccuracy { line += String(format: ", valid acc %.3f", currentValidAccuracy) }
            return line
        }
    }

    let store: ResultsStore
    let experiment: String
    let workerCommand: [String]       // executable + arguments of one worker
    let environment: [String: String]
    let options: Options
    /// The hashes the current spec plans; finished runs of earlier versions of the spec are left
    /// out of the progress counts (nil: count every run of the experiment).
    private(set) var planned: Set<String>?
    /// Registers the runs the plan holds now and returns its hashes, when a worker exits: a cell's later seeds
    /// once its tuning runs have ended (`selection.tune_seeds`).
    let replan: (() throws -> Set<String>)?
    /// The runs this scheduler's workers take (its workers get the same filter on their command line).
    let filter: RunFilter
    let executor: Executor
    private let stop = StopFlag()
    private var unplanned: [RunStatus: Int] = [:]

    public init(store: ResultsStore, experiment: String, workerCommand: [String], environment: [String: String], options: Options,
                planned: Set<String>? = nil, filter: RunFilter = RunFilter(), executor: Executor = LocalProcessExecutor(),
                replan: (() throws -> Set<String>)? = nil) {
        self.store = store; self.experiment = experiment; self.workerCommand = workerCommand; self.executor = executor
        self.environment = environment; self.options = options; self.planned = planned; self.filter = filter; self.replan = replan
    }

    /// Runs until no run is queued or running; returns the final counts. Ctrl-C stops cleanly.
    public func run(progress: (Progress) -> Void) throws -> Progress {
        let interrupts = stop.catchInterrupts()
        defer { interrupts.cancel(); signal(SIGINT, SIG_DFL) }

        // Left by an earlier scheduler that died with its workers (kill -9, a session's end): the
        // runs go back to the queue without using up an attempt, and resume where they saved.
        _ = try store.requeueOrphans(experiment: experiment, isAlive: executor.isAlive, maxAttempts: options.maxAttempts, chargeAttempt: false)
        try countUnplanned()
        var lastRead = Date.distantPast
        var eta: (at: Date, seconds: Double?) = (.distantPast, nil)
        var startable: (at: Date, count: Int) = (.distantPast, 0)
        while true {
            if stop.isSet {
                try store.release(workers: executor.stopAll())
                throw SchedulerStopped(progress: try counts())
            }
            let exited = executor.ended()
            // The database (every run of the experiment, with a filter) is read when a worker exits and
            // otherwise once every `readInterval`: read at every tick, it cost ~5% of a core beside the workers.
            guard !exited.isEmpty || Date().timeIntervalSince(lastRead) >= Self.readInterval else {
                Thread.sleep(forTimeInterval: 0.1)
                continue
            }
            lastRead = Date()
            try enforceTimeouts()
            if !exited.isEmpty || executor.running == 0 {
                // A worker exited: whatever it left `running` goes back to the queue (or fails), as do runs of any
                // other dead process — a worker of a scheduler killed before or while this one waits with no worker of
                // its own, which then takes the run over. Runs of live workers — another scheduler's — are theirs.
                let executor = executor
                _ = try store.requeueOrphans(experiment: experiment, isAlive: { worker in
                    !exited.contains { $0.pid == worker.pid && $0.host == worker.host } && executor.isAlive(worker)
                }, maxAttempts: options.maxAttempts)
            }
            if !exited.isEmpty, let replan {
                planned = try replan()
                try countUnplanned()
            }
            var current = try counts()
            // Under a deadline, as many workers as runs it lets start (what each worker computes before a claim):
            // read when a worker exits and every 30 s, as the ETA, since it prices with every run.
            if options.deadline == nil {
                startable = (Date(), current.queued)
            } else if !exited.isEmpty || Date().timeIntervalSince(startable.at) >= 30 {
                startable = (Date(), current.queued == 0 ? 0 : try store.admitted(by: options.deadline!, experiment: experiment,
                                                                                   filter: filter, planned: planned).count)
            }
            current.deferred = current.queued - min(startable.count, current.queued)
            let needed = min(options.workers, startable.count) - executor.running
            if needed > 0 { for _ in 0..<needed { try executor.start(workerCommand, environment: environment) } }
            // Done when nothing is left to start and no worker of ours runs. Another scheduler's running runs keep it
            // waiting (to take over a run whose worker dies), but not under a deadline: there waiting only idles a core,
            // and whatever follows the scheduler (a lane's next experiment) would wait behind another scheduler's run of
            // several hours; a run that scheduler leaves behind goes back to the queue when a scheduler next starts.
            let nothingToStart = current.queued == 0 || startable.count == 0
            let waitForOthers = current.running > 0 && options.deadline == nil
            if executor.running == 0 && nothingToStart && !waitForOthers { progress(current); return current }
            if Date().timeIntervalSince(eta.at) >= 30 { eta = (Date(), try workLeft()) }  // it reads every run: not each second
            current.etaSeconds = eta.seconds
            current.currentValidAccuracy = try store.latestRunningMetric(experiment: experiment, split: "valid", name: "accuracy")
            current.currentTrainLoss = try store.latestRunningMetric(experiment: experiment, split: "train", name: "loss")
            progress(current)
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// The experiment's runs the plan does not hold, by status (left out of the counts).
    private func countUnplanned() throws {
        guard let planned else { return }
        unplanned = Dictionary(grouping: try store.runs(experiment: experiment).filter { !planned.contains($0.hash) }, by: \.status).mapValues(\.count)
    }

    private func counts() throws -> Progress {
        let c = filter.isEmpty ? try store.statusCounts(experiment: experiment).merging(unplanned) { $0 - $1 }
            : Dictionary(grouping: try selectedRuns(), by: \.status).mapValues(\.count)
        return Progress(counts: c)
    }

    /// The planned runs of the experiment this scheduler's filter selects.
    private func selectedRuns() throws -> [RunRecord] {
        filter.selection(of: try store.runs(experiment: experiment).filter { planned?.contains($0.hash) ?? true })
    }

    /// Seconds of work left on this scheduler's workers (`WorkEstimate` over the planned runs it takes, less what saved states hold).
    private func workLeft() throws -> Double? {
        let runs = try selectedRuns()
        return WorkEstimate(runs: runs, epochSeconds: try store.epochSeconds(experiment: experiment),
                            earlier: try store.earlierResults(experiment: experiment), trained: store.savedTraining(of: runs),
                            unmeasuredArm: options.unmeasuredArmSeconds).map { $0.seconds / Double(max(min(options.workers, $0.runsLeft), 1)) }
    }

    /// Kills the worker of any run running longer than the timeout and re-queues or fails the run.
    private func enforceTimeouts() throws {
        let now = Date()
        for run in try store.runs(experiment: experiment, status: .running) {
            guard let started = run.startedAt, now.timeIntervalSince(started) > options.timeoutSeconds, let worker = run.worker else { continue }
            executor.kill(worker)
            try store.markTimeout(run: run.id!, maxAttempts: options.maxAttempts)
        }
    }

    /// How often the scheduler reads the database, and reports progress, while no worker exits: how long a run
    /// queued from outside (`tlab requeue`) waits at most for a worker.
    static let readInterval: TimeInterval = 1
}

extension Scheduler.Progress {
    /// The counts of runs by status (timed-out runs counted as failed).
    init(counts c: [RunStatus: Int]) {
        self.init(total: c.values.reduce(0, +), finished: c[.finished] ?? 0, diverged: c[.diverged] ?? 0,
                  failed: (c[.failed] ?? 0) + (c[.timeout] ?? 0), running: c[.running] ?? 0, queued: c[.queued] ?? 0)
    }
}

/// Ctrl-C: the scheduler stopped its workers and put their runs back in the queue.
public struct SchedulerStopped: Error, CustomStringConvertible {
    public let progress: Scheduler.Progress
    public var description: String {
        "stopped: \(progress.finished) finished, \(progress.queued) queued (rerun the same command to resume)"
    }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }

    /// Ctrl-C sets the flag instead of ending the process until the source returned is cancelled (then restore SIGINT).
    func catchInterrupts() -> DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupt.setEventHandler { [self] in set() }
        interrupt.resume()
        return interrupt
    }
}
