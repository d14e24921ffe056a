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
    @Option(help: ArgumentHelp("Artifacts and resume states (default: $TLAB_ARTIFACTS or artifacts/ beside the database).",
                               discussion: "On a cluster, a folder on the shared filesystem (`docs/cluster.md`)."))
    var artifactsDir: String?
    var path: String { db ?? ProcessInfo.processInfo.environment["TLAB_RESULTS"] ?? "results/transferlab.sqlite" }
    var artifacts: URL? { (artifactsDir ?? ProcessInfo.processInfo.environment["TLAB_ARTIFACTS"]).map { URL(fileURLWithPath: $0) } }
    func open() throws -> ResultsStore { try ResultsStore(path: path, rewrites: RunKinds.standard.rewrites, artifacts: artifacts) }
    /// For commands that only read: an existing database, opened read-only.
    func openReadingOnly() throws -> ResultsStore { try ResultsStore(readingOnly: path, artifacts: artifacts) }
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
