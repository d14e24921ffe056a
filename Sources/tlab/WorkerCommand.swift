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
}
