import Foundation
import TestSupport
import Tracking
import XCTest

/// `tlab run --only/--skip`: which runs a scheduler takes, with the stages they need.
final class RunFilterTests: XCTestCase {
    var path: String!
    override func setUpWithError() throws { path = try temporaryFolder("tlab-filter", create: false).appendingPathComponent("r.sqlite").path }

    let environment = RunEnvironment(host: "h", gitRevision: "g", versionsJSON: "{}", threads: 2, blasCore: "c")
    let experiment = ExperimentRecord(id: "e", specFile: "s.yaml", description: "", createdAt: Date())

    func run(_ hash: String, arm: String, size: String?, seed: Int, kind: RunRecord.Kind = .run, needs: [String] = []) -> RunRecord {
        RunRecord(experimentId: "e", hash: hash, arm: arm, dataset: "tweets", seed: seed, fold: nil, trainingSize: size,
                  sweepJSON: "{}", configJSON: "{}", kind: kind, needs: needs)
    }

    /// pretrain ← finetune-2 ← ulmfit seed 2; siatl at all and 100 for seeds 1 and 2 need pretrain only.
    var planned: [RunRecord] {
        [run("pretrain", arm: "stage:pretrain", size: nil, seed: 1, kind: .stage),
         run("finetune-2", arm: "stage:finetune", size: "all", seed: 2, kind: .stage, needs: ["pretrain"]),
         run("siatl-all-1", arm: "siatl", size: "all", seed: 1, needs: ["pretrain"]),
         run("siatl-all-2", arm: "siatl", size: "all", seed: 2, needs: ["pretrain"]),
         run("siatl-100-2", arm: "siatl", size: "100", seed: 2, needs: ["pretrain"]),
         run("ulmfit-all-2", arm: "ulmfit", size: "all", seed: 2, needs: ["finetune-2", "pretrain"])]
    }

    func filter(only: [String] = [], skip: [String] = []) throws -> RunFilter {
        RunFilter(only: try RunFilter.terms(only, option: "--only"), skip: try RunFilter.terms(skip, option: "--skip"))
    }

    func testTermsAreParsedAndBadOnesNamed() throws {
        XCTAssertEqual(try RunFilter.terms(["arm=siatl,ulmfit", "size=all"], option: "--only"), [.arm: ["siatl", "ulmfit"], .size: ["all"]])
        XCTAssertThrowsError(try RunFilter.terms(["model=siatl"], option: "--only")) {
            XCTAssertEqual("\($0)", "--only 'model=siatl': expected KEY=VALUE[,VALUE…] with KEY one of arm, dataset, size, seed, fold")
        }
        XCTAssertThrowsError(try RunFilter.terms(["seed="], option: "--skip")) { XCTAssertEqual("\($0)", "--skip 'seed=': no value") }
        XCTAssertThrowsError(try RunFilter.terms(["seed=1", "seed=2"], option: "--only")) {
            XCTAssertEqual("\($0)", "--only: 'seed' given twice (list its values after one '=', comma-separated)")
        }
        XCTAssertEqual(try filter(only: ["size=all", "arm=siatl"], skip: ["seed=1"]).arguments, ["--only", "arm=siatl", "--only", "size=all", "--skip", "seed=1"])
    }

    func testASelectionHoldsItsRunsAndTheStagesTheyNeedThroughOtherStages() throws {
        let names = { (f: RunFilter) in f.selection(of: self.planned).map(\.hash).sorted() }
        XCTAssertEqual(names(try filter(only: ["arm=siatl", "size=all", "seed=2"])), ["pretrain", "siatl-all-2"])
        XCTAssertEqual(names(try filter(only: ["arm=ulmfit"])), ["finetune-2", "pretrain", "ulmfit-all-2"], "finetune, and pretrain through it")
        // --skip leaves out runs matching every term: the one cell, not every siatl run nor every size-all run.
        XCTAssertEqual(names(try filter(skip: ["arm=siatl", "size=all", "seed=2"])),
                       ["finetune-2", "pretrain", "siatl-100-2", "siatl-all-1", "ulmfit-all-2"])
        XCTAssertEqual(names(RunFilter()), planned.map(\.hash).sorted(), "no filter: everything")
    }

    /// A new machine makes a stage again only for the runs still to come; a selection whose runs that used it
    /// have all ended does not hold it — else its scheduler would count a run none of its workers takes
    /// (they select among open runs) and never finish.
    func testAStageQueuedAgainIsNotTheSelectionOfRunsThatHaveEnded() throws {
        var records = planned + [run("siatl-100-1", arm: "siatl", size: "100", seed: 1, needs: ["pretrain"])]
        let ended: Set = ["pretrain", "siatl-all-1", "siatl-all-2", "siatl-100-2", "ulmfit-all-2"]
        for i in records.indices where ended.contains(records[i].hash) { records[i].status = .finished }
        // finetune-2 is queued again; the ulmfit run that used it has ended, siatl-100-1 is still to run.
        let names = { (f: RunFilter, runs: [RunRecord]) in f.selection(of: runs).map(\.hash).sorted() }
        let ulmfit = try filter(only: ["arm=ulmfit"])
        XCTAssertEqual(names(ulmfit, records), ["pretrain", "ulmfit-all-2"], "the stage it used, ended; not the one queued again")
        XCTAssertEqual(names(try filter(only: ["arm=siatl"]), records), ["pretrain", "siatl-100-1", "siatl-100-2", "siatl-all-1", "siatl-all-2"])
        records.append(run("ulmfit-100-2", arm: "ulmfit", size: "100", seed: 2, needs: ["finetune-2", "pretrain"]))
        XCTAssertEqual(names(ulmfit, records), ["finetune-2", "pretrain", "ulmfit-100-2", "ulmfit-all-2"], "a run to come needs it again")
        // What a scheduler counts as queued is what its workers take: the selection among the open runs.
        for f in [ulmfit, try filter(only: ["seed=2"]), try filter(skip: ["arm=siatl"]), try filter(only: ["size=all"])] {
            let queued = { (runs: [RunRecord]) in f.selection(of: runs).filter { $0.status == .queued }.map(\.hash).sorted() }
            XCTAssertEqual(queued(records), queued(records.filter { !$0.status.hasEnded }), "\(f.arguments)")
        }
        records.removeLast()
        XCTAssertEqual(try filter(only: ["size=all"]).selection(of: records).filter { $0.status == .queued }.map(\.hash), [],
                       "every size-all run has ended: nothing is left for its scheduler")
    }

    func state(_ claim: ResultsStore.Claim) -> String {
        switch claim {
        case let .run(r): "run \(r.hash)"
        case .wait: "wait"
        case .done: "done"
        }
    }

    func testAFilteredWorkerTakesOnlyItsRunsAndIsDoneWhenTheyAre() throws {
        let store = try ResultsStore(path: path)
        try store.register(experiment: experiment, runs: planned)
        let cell = try filter(only: ["arm=siatl", "size=all", "seed=2"])
        // The stage its run needs first, then the run; then done, though other runs are queued.
        let stage = try XCTUnwrap(store.claim(experiment: "e", worker: WorkerIdentity(pid: 7), environment: environment, filter: cell).run)
        XCTAssertEqual(stage.hash, "pretrain")
        XCTAssertEqual(state(try store.claim(experiment: "e", worker: WorkerIdentity(pid: 7), environment: environment, filter: cell)), "wait")
        try store.finish(run: stage.id!, status: .finished, resultJSON: "{}", error: nil,
                         artifact: ArtifactRecord(configHash: "pretrain", kind: "lm", path: "pretrain", createdByRun: stage.id))
        let run = try XCTUnwrap(store.claim(experiment: "e", worker: WorkerIdentity(pid: 7), environment: environment, filter: cell).run)
        XCTAssertEqual(run.hash, "siatl-all-2")
        XCTAssertEqual(run.threads, 2)
        XCTAssertEqual(state(try store.claim(experiment: "e", worker: WorkerIdentity(pid: 7), environment: environment, filter: cell)), "done",
                       "nothing more for it to take, though other runs are queued")
        try store.finish(run: run.id!, status: .finished, resultJSON: "{}", error: nil)
        // A scheduler skipping that cell takes the rest, in the usual order, never the cell.
        let rest = try filter(skip: ["arm=siatl", "size=all", "seed=2"])
        var taken: [String] = []
        while let next = try store.claim(experiment: "e", worker: WorkerIdentity(pid: 8), environment: environment, filter: rest).run {
            taken.append(next.hash)
            try store.finish(run: next.id!, status: .finished, resultJSON: "{}", error: nil,
                             artifact: next.isStage ? ArtifactRecord(configHash: next.hash, kind: "lm", path: next.hash, createdByRun: next.id) : nil)
        }
        XCTAssertEqual(taken, ["siatl-all-1", "finetune-2", "ulmfit-all-2", "siatl-100-2"],
                       "seed by seed, the largest sizes first, ready runs before the stages of their size")
        XCTAssertEqual(state(try store.claim(experiment: "e", worker: WorkerIdentity(pid: 8), environment: environment)), "done")
    }
}
