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
