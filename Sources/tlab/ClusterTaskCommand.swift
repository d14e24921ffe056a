import ArgumentParser
import Experiments
import Foundation
import Numerics
import Tracking

extension Tlab {
    /// One Slurm array task of `tlab run --executor slurm` (`ClusterJob`).
    struct ClusterTaskCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cluster-task", abstract: "One Slurm array task of `tlab run --executor slurm` (internal).",
                                                        shouldDisplay: false)
        @Option var manifest: String
        @Option var sharedDir: String
        @Option(help: "The task's index in its array (default: $SLURM_ARRAY_TASK_ID).") var index: Int?
        @Option var threads = 1
        @OptionGroup var results: ResultsLocation
        @OptionGroup var location: DataLocation

        func run() throws {
            let env = ProcessInfo.processInfo.environment
            guard let index = index ?? env["SLURM_ARRAY_TASK_ID"].flatMap(Int.init) else {
                throw ValidationError("no --index and no $SLURM_ARRAY_TASK_ID")
            }
            BLAS.threads = threads
            let job = env["SLURM_ARRAY_JOB_ID"].map { "\($0)_\(index)" }
            let environment = RunEnvironment(
                host: ProcessInfo.processInfo.hostName,
                gitRevision: Provenance.revision(otherwise: env["TLAB_GIT_REVISION"] ?? "unknown"),
                versionsJSON: Versions.json, threads: BLAS.threads, blasCore: BLAS.coreName, job: job)
            let artifacts = results.artifacts ?? URL(fileURLWithPath: results.path).deletingLastPathComponent().appendingPathComponent("artifacts")
            try ClusterJob.run(folders: ClusterFolders(root: URL(fileURLWithPath: sharedDir)), manifest: manifest, index: index, artifacts: artifacts,
                               scratch: URL(fileURLWithPath: env["TMPDIR"] ?? "/tmp"), data: location.store, environment: environment)
        }
    }
}
