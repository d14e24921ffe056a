import ArgumentParser
import Experiments
import Foundation

/// Where `tlab run` executes its runs: worker processes here, or Slurm array tasks (`docs/cluster.md`).
struct ClusterOptions: ParsableArguments {
    enum Kind: String, ExpressibleByArgument, CaseIterable { case local, slurm }

    @Option(help: "local (worker processes here) or slurm (array tasks on a Slurm cluster; docs/cluster.md).") var executor: Kind = .local
    @Option(help: "Slurm partition (default: the cluster's).") var partition: String?
    @Option(help: "Slurm time limit of each task (sbatch --time, e.g. 2:00:00).") var time: String?
    @Option(help: "CPUs of each Slurm task (default: --threads).") var cpusPerTask: Int?
    @Option(help: "Memory of each Slurm task (sbatch --mem, e.g. 8G).") var mem: String?
    @Option(help: "Slurm tasks pending or running at once.") var maxParallel = 4
    @Option(help: "A further sbatch argument (repeatable), e.g. --sbatch-arg=--account=nlp.") var sbatchArg: [String] = []
    @Option(help: ArgumentHelp("Shared folder of the Slurm tasks' manifests, shards and logs (default: $TLAB_SHARED_DIR or cluster/ beside the database).",
                               discussion: "Every node must see it, the artifacts folder, the data folder and the tlab binary at the same paths."))
    var sharedDir: String?
    @Option(help: "Seconds between looks at the Slurm queue.") var poll: Double = 10

    func validate() throws {
        guard maxParallel >= 1 else { throw ValidationError("--max-parallel must be at least 1, not \(maxParallel)") }
        guard poll > 0 else { throw ValidationError("--poll must be positive, not \(poll)") }
        if executor == .local, [partition, time, mem, sharedDir].contains(where: { $0 != nil }) || cpusPerTask != nil || !sbatchArg.isEmpty {
            throw ValidationError("--partition, --time, --cpus-per-task, --mem, --sbatch-arg and --shared-dir apply to --executor slurm")
        }
    }

    func folders(database: String, experiment: String) -> ClusterFolders {
        let root = sharedDir ?? ProcessInfo.processInfo.environment["TLAB_SHARED_DIR"]
            ?? URL(fileURLWithPath: database).deletingLastPathComponent().appendingPathComponent("cluster").path
        return ClusterFolders(root: URL(fileURLWithPath: root).appendingPathComponent(experiment))
    }

    func slurmOptions(threads: Int, attempts: Int) -> SlurmCoordinator.Options {
        var options = SlurmCoordinator.Options()
        options.maxParallel = maxParallel
        options.partition = partition
        options.time = time
        options.cpusPerTask = cpusPerTask ?? threads
        options.memory = mem
        options.sbatchArguments = sbatchArg
        options.maxAttempts = attempts
        options.poll = poll
        return options
    }
}
