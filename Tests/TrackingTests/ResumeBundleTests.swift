import Foundation
import TestSupport
import Tracking
import XCTest

/// A run stopped mid-way on one machine resumes on the next from its carried state (`ResumeBundle`).
final class ResumeBundleTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try temporaryFolder("tlab-resume", create: false) }

    let experiment = ExperimentRecord(id: "e", specFile: "experiments/e.yaml", description: "an experiment", createdAt: Date())
    let machineA = RunEnvironment(host: "machine-a", gitRevision: "abc123", versionsJSON: "{}", threads: 1, blasCore: "Cooperlake")

    var planned: [RunRecord] {
        [RunRecord(experimentId: "e", hash: "s", arm: "stage:pretrain", dataset: "-", seed: 1, fold: nil, trainingSize: nil,
                   sweepJSON: "{}", configJSON: "{}", kind: .stage, needs: []),
         RunRecord(experimentId: "e", hash: "h", arm: "siatl", dataset: "d", seed: 1, fold: nil, trainingSize: "all",
                   sweepJSON: "{}", configJSON: "{}", kind: .run, needs: ["s"])]
    }

    /// Database a: stage s finished with its artifact; run h stopped (Ctrl-C) after saving a state with `elapsed` seconds of training.
    func stoppedRun(elapsed: Double) throws -> (ResultsStore, URL) {
        let a = try ResultsStore(path: folder.appendingPathComponent("a/e.sqlite").path)
        try a.register(experiment: experiment, runs: planned)
        let stage = try XCTUnwrap(a.claim(experiment: "e", worker: WorkerIdentity(pid: 1), environment: machineA).run)
        let artifact = a.artifactsFolder.appendingPathComponent("s")
        try FileManager.default.createDirectory(at: artifact, withIntermediateDirectories: true)
        try Data("language model".utf8).write(to: artifact.appendingPathComponent("weights.f32"))
        try a.finish(run: stage.id!, status: .finished, resultJSON: #"{"kind":"lm"}"#, error: nil,
                     artifact: ArtifactRecord(configHash: "s", kind: "lm", path: "s", createdByRun: stage.id))
        XCTAssertEqual(try a.claim(experiment: "e", worker: WorkerIdentity(pid: 2), environment: machineA).run?.hash, "h")
        let state = a.artifactsFolder.appendingPathComponent("h.resume")
        try FileManager.default.createDirectory(at: state.appendingPathComponent("model"), withIntermediateDirectories: true)
        try Data("epoch 4 weights".utf8).write(to: state.appendingPathComponent("model/parameters.f32"))
        try Data(#"{"epoch":4,"elapsed":\#(elapsed)}"#.utf8).write(to: state.appendingPathComponent("progress.json"))
        try a.release(workers: [WorkerIdentity(pid: 2)])
        return (a, state)
    }

    /// The archive and both kinds of bundles of database a, as `scripts/full-experiments.sh archive` writes them.
    func carry(_ a: ResultsStore, minimumMinutes: Double = 0) throws -> (archive: Data, written: [String]) {
        let results = folder.appendingPathComponent("results")
        try a.writeArtifactBundles(experiment: "e", stages: ["pretrain"], to: results.appendingPathComponent(ArtifactBundle.folderName))
        let (written, _, _) = try a.writeResumeBundles(experiment: "e", to: results.appendingPathComponent(ResumeBundle.folderName),
                                                    minimumSeconds: minimumMinutes * 60)
        return (try a.archive(experiment: "e"), written)
    }

    var resumeBundles: URL { folder.appendingPathComponent("results/\(ResumeBundle.folderName)") }

    /// What a stopped run's saved state holds prices what it has left (`WorkEstimate`, `Deadline`).
    func testTheTrainingASavedStateHoldsIsKnownByRun() throws {
        let (a, state) = try stoppedRun(elapsed: 1500)
        XCTAssertEqual(a.resumeState(of: "h").path, state.path)
        XCTAssertEqual(ResumeBundle.trainedSeconds(of: state), 1500)
        let runs = try a.runs(experiment: "e")
        let h = try XCTUnwrap(runs.first { $0.hash == "h" })
        XCTAssertEqual(a.savedTraining(of: runs), [h.id!: 1500], "the stage run has no state of this kind")
        try FileManager.default.removeItem(at: state)
        XCTAssertEqual(a.savedTraining(of: runs), [:])
    }

    func testAStoppedRunsStateResumesOnTheNextMachineWithItsOrigin() throws {
        let (a, state) = try stoppedRun(elapsed: 1500)
        XCTAssertEqual(try carry(a, minimumMinutes: 30).written, [], "25 minutes of training: not worth carrying at 30")
        XCTAssertEqual(try a.writeResumeBundles(experiment: "e", to: resumeBundles, stages: ["finetune"]).written, [],
                       "its stage s (pretrain) does not travel with the archive: the next machine makes another instance")
        // A state larger than a submission may carry is left out, and said to be.
        let small = try a.writeResumeBundles(experiment: "e", to: resumeBundles, maximumBytes: 20)
        XCTAssertEqual(small.written, [])
        XCTAssertEqual(small.tooLarge.map(\.key), ["h"])
        XCTAssertEqual(small.tooLarge.first?.bytes, ArtifactBundle.size(of: state))
        XCTAssertEqual(ArtifactBundle.size(of: state), 15 + Data(#"{"epoch":4,"elapsed":1500.0}"#.utf8).count)
        let (archive, written) = try carry(a, minimumMinutes: 20)
        XCTAssertEqual(written, ["h"])
        XCTAssertEqual(try carry(a).written, [], "an unchanged state is not written again")

        let b = try ResultsStore(path: folder.appendingPathComponent("b/e.sqlite").path)
        _ = try b.importArchive(archive, source: "e.runs.jsonl", artifacts: folder.appendingPathComponent("results/\(ArtifactBundle.folderName)"))
        let summary = try b.importResumeBundles(from: resumeBundles)
        XCTAssertEqual(summary.placed, ["h"])
        let placed = b.artifactsFolder.appendingPathComponent("h.resume")
        XCTAssertEqual(try ArtifactBundle.digests(of: placed), try ArtifactBundle.digests(of: state), "the very state, without its manifest")
        let origin = ResumeBundle.attempts(of: placed)
        XCTAssertEqual(origin.map(\.host), ["machine-a"])
        XCTAssertEqual(origin.first?.blasCore, "Cooperlake")
        XCTAssertTrue(origin.first?.summary.hasPrefix("machine-a (OpenBLAS Cooperlake, 1 thread(s), revision abc123, saved 20") ?? false, "\(origin)")
        XCTAssertEqual(try b.importResumeBundles(from: resumeBundles).skipped.map(\.reason), ["a state of its own is here"])

        // Stopped again on b after more epochs: the new bundle names both attempts; once h ends on b, its bundle goes.
        try b.register(experiment: experiment, runs: planned)
        let machineB = RunEnvironment(host: "machine-b", gitRevision: "def456", versionsJSON: "{}", threads: 2, blasCore: "Haswell")
        let run = try XCTUnwrap(b.claim(experiment: "e", worker: WorkerIdentity(pid: 3), environment: machineB).run)
        try Data("epoch 9 weights".utf8).write(to: placed.appendingPathComponent("model/parameters.f32"))
        try b.release(workers: [WorkerIdentity(pid: 3)])
        XCTAssertEqual(try b.writeResumeBundles(experiment: "e", to: resumeBundles).written, ["h"])
        let manifest = try ResumeBundle.read(resumeBundles.appendingPathComponent("h"))
        XCTAssertEqual(manifest.attempts.map(\.host), ["machine-a", "machine-b"])
        XCTAssertEqual(manifest.stages, ["s": "run 1 finished \(try XCTUnwrap(manifest.stages["s"]?.split(separator: " ").last))"])
        _ = try b.claim(experiment: "e", worker: WorkerIdentity(pid: 3), environment: machineB)
        try b.finish(run: run.id!, status: .finished, resultJSON: "{}", error: nil)
        XCTAssertEqual(try b.writeResumeBundles(experiment: "e", to: resumeBundles).removed, ["h"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: resumeBundles.appendingPathComponent("h").path))
    }

    /// A bundle written while run hashes carried the spec's prose (`RunIdentity`) is named by the run's old hash:
    /// once planning says which hash that run has now, its state resumes under it; the bundle goes when the run ends.
    func testABundleNamedByARunsOldHashResumesUnderItsHashNow() throws {
        let (a, _) = try stoppedRun(elapsed: 1500)
        let (archive, written) = try carry(a)
        XCTAssertEqual(written, ["h"])
        let b = try ResultsStore(path: folder.appendingPathComponent("b/e.sqlite").path)
        _ = try b.importArchive(archive, source: "e.runs.jsonl", artifacts: folder.appendingPathComponent("results/\(ArtifactBundle.folderName)"))
        XCTAssertEqual(try b.importResumeBundles(from: resumeBundles).placed, ["h"], "its run is not in the archive: placed by its name")
        var now = planned
        now[1].hash = "h-now"
        try b.register(experiment: experiment, runs: now)
        try b.recordLegacyHashes(experiment: "e", [(old: "h", new: "h-now")])
        XCTAssertFalse(FileManager.default.fileExists(atPath: b.resumeState(of: "h").path))
        XCTAssertEqual(ResumeBundle.trainedSeconds(of: b.resumeState(of: "h-now")), 1500, "moved to the name it has now")
        XCTAssertEqual(try b.currentHash("h", experiment: "e"), "h-now")
        XCTAssertEqual(try b.importResumeBundles(from: resumeBundles).skipped.map(\.reason), ["a state of its own is here"],
                       "the old name leads to the run it names now")
        XCTAssertEqual(try b.writeResumeBundles(experiment: "e", to: resumeBundles).written, [],
                       "its state unchanged, the bundle under the old name carries it still: not written again under the new one")
        XCTAssertTrue(FileManager.default.fileExists(atPath: resumeBundles.appendingPathComponent("h").path))
        let run = try XCTUnwrap(b.claim(experiment: "e", worker: WorkerIdentity(pid: 3), environment: machineA).run)
        XCTAssertEqual(run.hash, "h-now")
        // Stopped again after more epochs: its state goes under the name it has now, and the old bundle with it.
        try Data("epoch 9 weights".utf8).write(to: b.resumeState(of: "h-now").appendingPathComponent("model/parameters.f32"))
        try b.release(workers: [WorkerIdentity(pid: 3)])
        let rewritten = try b.writeResumeBundles(experiment: "e", to: resumeBundles)
        XCTAssertEqual(rewritten.written, ["h-now"])
        XCTAssertEqual(rewritten.removed, ["h"])
        _ = try b.claim(experiment: "e", worker: WorkerIdentity(pid: 3), environment: machineA)
        try b.finish(run: run.id!, status: .finished, resultJSON: "{}", error: nil)
        XCTAssertEqual(try b.writeResumeBundles(experiment: "e", to: resumeBundles).removed, ["h-now"])
    }

    func testAStateIsNotCarriedToAnotherInstanceOfItsStageAndATamperedOneIsRefused() throws {
        let (a, _) = try stoppedRun(elapsed: 60)
        let (archive, _) = try carry(a)
        // c has no bundle of the stage: its s will be made again here, another model than h trained on.
        let c = try ResultsStore(path: folder.appendingPathComponent("c/e.sqlite").path)
        _ = try c.importArchive(archive, source: "e.runs.jsonl")
        let skipped = try c.importResumeBundles(from: resumeBundles).skipped
        XCTAssertEqual(skipped.map(\.key), ["h"])
        XCTAssertTrue(skipped.first?.reason.hasPrefix("its stage artifact s here is not the instance it trained from (run 1 finished ") ?? false, "\(skipped)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: c.artifactsFolder.appendingPathComponent("h.resume").path))
        // A database of another experiment leaves the bundle alone, without a word.
        let other = try ResultsStore(path: folder.appendingPathComponent("o/o.sqlite").path)
        try other.register(experiment: ExperimentRecord(id: "o", specFile: "o.yaml", description: "", createdAt: Date()), runs: [])
        XCTAssertEqual(try other.importResumeBundles(from: resumeBundles), ResumeBundle.ImportSummary())

        let weights = resumeBundles.appendingPathComponent("h/model/parameters.f32")
        try Data("epoch 5 weights".utf8).write(to: weights)
        let d = try ResultsStore(path: folder.appendingPathComponent("d/e.sqlite").path)
        _ = try d.importArchive(archive, source: "e.runs.jsonl", artifacts: folder.appendingPathComponent("results/\(ArtifactBundle.folderName)"))
        XCTAssertThrowsError(try d.importResumeBundles(from: resumeBundles)) {
            XCTAssertTrue("\($0)".hasPrefix("\(weights.path): SHA-256 "), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: d.artifactsFolder.appendingPathComponent("h.resume").path))
    }
}
