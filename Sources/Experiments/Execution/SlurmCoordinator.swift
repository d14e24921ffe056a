import Foundation
import Tracking
#if canImport(Glibc)
import Glibc
#endif

/// Runs an experiment's queued runs as Slurm array tasks (`tlab run --executor slurm`), with the local
/// scheduler's guarantees: each ready run goes to one task (`ClusterJob`), whose run archive (its shard) the
/// coordinator imports; a run whose task ended without a shard (failed, timed out, preempted, cancelled, its node
/// lost) is queued again within its attempts; runs wait for their stages' artifacts before they are submitted.
/// What it handed out is in the database (each run's task), so a coordinator killed and started again takes its
/// jobs up where they are and submits nothing twice. Ctrl-C cancels its jobs and puts their runs back.
public final class SlurmCoordinator {
    public struct Options: Sendable {
        /// Tasks pending or running at once: arrays are sized to the free slots (`--array=0-N%K`).
        public var maxParallel = 4
        public var partition: String?
        /// Each task's time limit (`--time`, Slurm's format).
        public var time: String?
        public var cpusPerTask = 1
        public var memory: String?
        /// Further `sbatch` arguments, as given.
        public var sbatchArguments: [String] = []
        public var maxAttempts = 3
        /// Seconds between looks at the queue (`squeue`).
        public var poll: TimeInterval = 10
        public init() {}
    }

    let store: ResultsStore
    let experiment: String
    /// The executable and arguments of one task but its manifest and index (`tlab cluster-task …`).
    let taskCommand: [String]
    let environment: [String: String]
    let options: Options
    private(set) var planned: Set<String>?
    /// Registers the runs the plan holds now and returns its hashes, when no run is ready (`Scheduler.replan`).
    let replan: (() throws -> Set<String>)?
    let filter: RunFilter
    let folders: ClusterFolders
    let slurm: SlurmCommands
    /// Where it says what it did besides the counts (a run queued again and why).
    public var log: (String) -> Void = { print($0) }
    private let stop = StopFlag()

    public init(store: ResultsStore, experiment: String, taskCommand: [String], environment: [String: String], options: Options,
                folders: ClusterFolders, planned: Set<String>? = nil, filter: RunFilter = RunFilter(), slurm: SlurmCommands = SlurmCommands(),
                replan: (() throws -> Set<String>)? = nil) {
        self.store = store; self.experiment = experiment; self.taskCommand = taskCommand; self.environment = environment
        self.options = options; self.folders = folders; self.planned = planned; self.filter = filter; self.slurm = slurm; self.replan = replan
    }

    /// Runs until no run is queued or held by a task; returns the final counts. Ctrl-C cancels the jobs.
    public func run(progress: (Scheduler.Progress) -> Void) throws -> Scheduler.Progress {
        let interrupts = stop.catchInterrupts()
        defer { interrupts.cancel(); signal(SIGINT, SIG_DFL) }
        try folders.create()

        var lastLook = Date.distantPast
        while true {
            if stop.isSet {
                try cancelAll()
                throw SchedulerStopped(progress: try counts())
            }
            guard Date().timeIntervalSince(lastLook) >= options.poll else { Thread.sleep(forTimeInterval: 0.2); continue }
            lastLook = Date()
            var held = try watch()
            var ready = try store.readyRuns(experiment: experiment, filter: filter, planned: planned)
            if ready.isEmpty, let replan {
                planned = try replan()
                ready = try store.readyRuns(experiment: experiment, filter: filter, planned: planned)
            }
            let free = options.maxParallel - held
            if free > 0 && !ready.isEmpty { held += try submit(Array(ready.prefix(free))) }
            let current = try counts()
            progress(current)
            // Done when no task holds a run and none can start: nothing queued, or queued runs waiting for nothing
            // running (a run of another scheduler may make the artifact they wait for).
            if held == 0 && ready.isEmpty && (current.queued == 0 || current.running == 0) { return current }
        }
    }

    /// Imports the shards of ended tasks and re-queues the runs of tasks that ended without one; returns how many
    /// runs tasks still hold.
    func watch() throws -> Int {
        let runs = try store.clusterRuns(experiment: experiment)
        guard !runs.isEmpty else { return 0 }
        let manifests = Set(runs.compactMap { $0.worker?.clusterManifest })
        let listed = try slurm.queued(names: manifests.sorted().map(Self.jobName))  // before the shards: a task writes its shard, then ends
        var held = 0
        for run in runs {
            guard let worker = run.worker, let manifest = worker.clusterManifest else { continue }
            let shard = folders.shard(manifest, index: worker.pid)
            if FileManager.default.fileExists(atPath: shard.path) {
                try importShard(shard, of: run)
                continue
            }
            if listed[Self.jobName(manifest)]?.contains(where: { $0.index == worker.pid }) == true { held += 1; continue }
            guard let job = worker.started else {
                // Handed out, but the coordinator stopped before its array was submitted.
                try store.requeue(run: run.id!, reason: "its array was never submitted", chargeAttempt: false, maxAttempts: options.maxAttempts)
                continue
            }
            let end = slurm.ended(job: job, index: worker.pid)
            let reason = "Slurm task \(job)_\(worker.pid) ended \(end?.state ?? "(forgotten by Slurm)")" + (end.map { " on \($0.node)" } ?? "") + " without a result"
            let now = try store.requeue(run: run.id!, reason: reason, chargeAttempt: true, maxAttempts: options.maxAttempts)
            log("run \(run.id!) (\(run.arm), \(run.dataset), seed \(run.seed)) \(now == .failed ? "failed" : "queued again"): \(reason)")
        }
        return held
    }

    /// Takes a task's results into the database: its run, metrics, events and, for a stage, its artifact (already in
    /// the shared artifacts folder). A shard that does not hold its run's end leaves the run queued.
    func importShard(_ shard: URL, of run: RunRecord) throws {
        try store.reopen(run: run.id!)
        _ = try store.importArchive(try Data(contentsOf: shard), source: shard.path, artifactsInPlace: true)
        try FileManager.default.removeItem(at: shard)
    }

    /// Submits one array for `runs`: the manifest first, then the runs marked as handed out, then `sbatch`, then
    /// the array's job id recorded. Returns how many runs it submitted.
    func submit(_ runs: [RunRecord]) throws -> Int {
        let name = Self.manifestName()
        let tasks = try store.clusterTasks(for: runs)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(tasks).write(to: folders.manifest(name), options: .atomic)
        try store.handOut(runs.enumerated().map { ($0.element.id!, WorkerIdentity.cluster(manifest: name, index: $0.offset)) })
        var arguments = ["--job-name", Self.jobName(name), "--array", "0-\(runs.count - 1)%\(options.maxParallel)",
                         "--output", folders.logs.appendingPathComponent("\(name)_%a.out").path,
                         "--cpus-per-task", "\(options.cpusPerTask)", "--no-requeue"]
        if let partition = options.partition { arguments += ["--partition", partition] }
        if let time = options.time { arguments += ["--time", time] }
        if let memory = options.memory { arguments += ["--mem", memory] }
        arguments += options.sbatchArguments
        let job = try slurm.submit(arguments, command: taskCommand + ["--manifest", name, "--shared-dir", folders.root.path], environment: environment)
        try store.assign(job: job, toManifest: name)
        return runs.count
    }

    /// Cancels every array holding a run and puts the runs back in the queue, attempts uncharged.
    func cancelAll() throws {
        let runs = try store.clusterRuns(experiment: experiment)
        try slurm.cancel(names: Set(runs.compactMap { $0.worker?.clusterManifest }).sorted().map(Self.jobName))
        for run in runs {
            try store.requeue(run: run.id!, reason: "its Slurm task was cancelled (tlab run stopped)", chargeAttempt: false, maxAttempts: options.maxAttempts)
        }
    }

    func counts() throws -> Scheduler.Progress {
        let runs = filter.selection(of: try store.runs(experiment: experiment).filter { planned?.contains($0.hash) ?? true })
        return Scheduler.Progress(counts: Dictionary(grouping: runs, by: \.status).mapValues(\.count))
    }

    /// The Slurm job name of a manifest's array.
    public static func jobName(_ manifest: String) -> String { "tlab-" + manifest }

    /// A name no other array of any coordinator takes: the time and a random suffix.
    static func manifestName() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss"
        return f.string(from: Date()) + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
    }
}
