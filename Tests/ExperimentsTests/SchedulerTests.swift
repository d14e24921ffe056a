import Foundation
import Numerics
import TestSupport
import Tracking
import XCTest

/// The scheduler end to end through the `tlab` binary this test run built: trivial runs, a killed
/// worker and a killed scheduler, and a resume that finishes every run exactly once.
final class SchedulerTests: XCTestCase {
    var folder: URL!
    var tlab: String { TlabProcess.path }

    override func setUpWithError() throws {
        folder = try temporaryFolder("tlab-sched")
        guard TlabProcess.isBuilt else { throw XCTSkip("no tlab binary: run `swift build` (or setup.sh) first") }
    }

    @discardableResult
    func tlab(_ args: [String], wait: Bool = true) throws -> (Process, String) { try TlabProcess(folder: folder)(args, wait: wait) }

    /// Writes `<id>.yaml`, a spec of experiment `id` over a one-line CSV with the rest of its YAML in `body`; returns its path.
    func tinySpec(_ id: String, _ body: String) throws -> String {
        try Data("text,label\nfine,pos\n".utf8).write(to: folder.appendingPathComponent("tiny.csv"))
        let spec = folder.appendingPathComponent("\(id).yaml")
        try Data("experiment: {id: \(id)}\ndata: {datasets: [{file: tiny.csv}]}\n\(body)\n".utf8).write(to: spec)
        return spec.path
    }

    /// Writes `<id>.yaml`, a spec of trivial runs (`model`) over a one-line CSV, one per seed of `seeds`; returns its path.
    func trivialSpec(_ id: String, model: String = "{kind: trivial}", seeds: String) throws -> String {
        try tinySpec(id, "model: \(model)\nsweep: {seed: \(seeds)}")
    }

    func testResumeAfterKillingSchedulerAndWorkers() throws {
        let spec = try trivialSpec("trivial", model: "{kind: trivial, delay_ms: 10}", seeds: "{range: {from: 1, to: 300}}")
        let db = folder.appendingPathComponent("r.sqlite").path
        // Start, then kill -9 the scheduler and its workers part-way.
        let (scheduler, _) = try tlab(["run", spec, "--db", db, "--workers", "2"], wait: false)
        // Part-way: once some runs have finished (on a loaded machine the workers take a while to start).
        func finishedCount() throws -> Int {
            let (_, status) = try tlab(["status", "--db", db])
            return status.components(separatedBy: "finished ").dropFirst().last.map { Int($0.prefix { $0.isNumber }) ?? 0 } ?? 0
        }
        let deadline = Date().addingTimeInterval(60)
        repeat { Thread.sleep(forTimeInterval: 0.2) } while try finishedCount() < 10 && Date() < deadline
        kill(scheduler.processIdentifier, SIGKILL)
        let pkill = Process()
        pkill.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
        pkill.arguments = ["-9", "-f", "worker --experiment trivial --db \(db)"]
        try pkill.run(); pkill.waitUntilExit()
        let (_, status) = try tlab(["status", "--db", db])
        // Killed part-way: some runs finished, some never started, one or two left `running` by dead workers.
        let finished = Int(status.components(separatedBy: "finished ").last!.prefix { $0.isNumber })!
        XCTAssertGreaterThan(finished, 0, status)
        XCTAssertLessThan(finished, 300, status)
        // Resume: every run finishes exactly once.
        let (resumed, output) = try tlab(["run", spec, "--db", db, "--workers", "2"])
        XCTAssertEqual(resumed.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("300 runs planned, 0 new"), output)
        XCTAssertTrue(output.contains("up to 2 workers × 1 BLAS thread(s), OpenBLAS core "), "the log names the kernels the workers run\n\(output)")
        XCTAssertTrue(output.contains("300 finished, 0 diverged, 0 failed"), output)
        // Its progress prices the runs left at the durations of those that ended before the kill,
        // from its first line on (before any run of its own has ended).
        let firstProgress = try XCTUnwrap(output.split(separator: "\n").first { $0.hasPrefix("runs ") })
        XCTAssertTrue(firstProgress.contains(" queued, ETA 0 min"), output)
        let (_, listing) = try tlab(["runs", "trivial", "--db", db])
        XCTAssertEqual(listing.split(separator: "\n").filter { $0.contains("finished") }.count, 300)
        // Each trivial run wrote exactly one metric: none lost, none duplicated.
        let (_, show) = try tlab(["show", "1", "--db", db])
        XCTAssertEqual(show.split(separator: "\n").filter { $0.hasPrefix("epoch 0:") }.count, 1, show)
        // The run records the revision the worker binary was built from (the spec's folder is no repository).
        let (_, info) = try tlab(["info"])
        let built = try XCTUnwrap(info.components(separatedBy: "built from git revision ").dropFirst().first?.prefix { !$0.isWhitespace })
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.git").standardizedFileURL.path
        if FileManager.default.fileExists(atPath: checkout) { XCTAssertNotEqual(built, "unknown", info) }
        XCTAssertTrue(show.contains("; git \(built);"), show)
        // A second resume runs nothing.
        let (_, again) = try tlab(["run", spec, "--db", db])
        XCTAssertTrue(again.contains("done in") && again.contains("300 finished"), again)
        // The spec narrowed to 200 seeds: its progress counts its own 200 runs, not the 100 it no
        // longer plans (which stay recorded).
        let (_, narrowed) = try tlab(["run", spec, "sweep.seed={range: {from: 1, to: 200}}", "--db", db])
        XCTAssertTrue(narrowed.contains("200 runs planned, 0 new") && narrowed.contains("runs 200/200 done"), narrowed)
        let (_, all) = try tlab(["status", "--db", db])
        XCTAssertTrue(all.contains("finished 300"), all)
        // The notebook's exports and plots go to a folder of its own name; a plot left there by an
        // earlier report that this one does not write is removed.
        let notebooks = folder.appendingPathComponent("nb")
        try FileManager.default.createDirectory(at: notebooks.appendingPathComponent("trivial"), withIntermediateDirectories: true)
        try Data("<svg/>".utf8).write(to: notebooks.appendingPathComponent("trivial/stale.svg"))
        let (report, written) = try tlab(["report", spec, "--db", db, "--out", notebooks.path])
        XCTAssertEqual(report.terminationStatus, 0, written)
        let markdown = try String(contentsOf: notebooks.appendingPathComponent("trivial.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("[`trivial/trivial-runs.csv`](trivial/trivial-runs.csv)"), markdown)
        let csv = try String(contentsOf: notebooks.appendingPathComponent("trivial/trivial-runs.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 301, "a header and the 300 runs")
        XCTAssertFalse(FileManager.default.fileExists(atPath: notebooks.appendingPathComponent("trivial/stale.svg").path))
    }

    /// `tlab export --resume` carries a stopped run's state beside the archive; `tlab import` elsewhere places it,
    /// and the run that resumes from it there says whose epochs it holds, then leaves no state behind.
    func testAStoppedRunsStateTravelsWithTheArchiveAndTheResumedRunNamesItsOrigin() throws {
        let spec = try trivialSpec("carried", seeds: "[1, 2]")
        let a = folder.appendingPathComponent("a/a.sqlite").path
        let (first, ran) = try tlab(["run", spec, "--db", a, "--only", "seed=2"])
        XCTAssertEqual(first.terminationStatus, 0, ran)
        let queued = try XCTUnwrap(try ResultsStore(path: a).runs(experiment: "carried", status: .queued).first)
        XCTAssertEqual(queued.seed, 1)
        // As a worker stopped after some epochs leaves it (a trivial run saves none of its own).
        let state = folder.appendingPathComponent("a/artifacts/\(queued.hash).resume")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        try Data("\(NumericsVersion.current)".utf8).write(to: state.appendingPathComponent("numerics"))
        try Data(#"{"epoch":3,"elapsed":1800}"#.utf8).write(to: state.appendingPathComponent("progress.json"))
        let archive = folder.appendingPathComponent("results/carried.runs.jsonl").path
        try FileManager.default.createDirectory(atPath: folder.appendingPathComponent("results").path, withIntermediateDirectories: true)
        let (exported, exportOutput) = try tlab(["export", "carried", "--db", a, "--format", "jsonl", "--output", archive, "--resume", "20"])
        XCTAssertEqual(exported.terminationStatus, 0, exportOutput)
        XCTAssertTrue(exportOutput.contains("resume bundles in ") && exportOutput.contains("\(queued.hash.prefix(12)) written"), exportOutput)

        let b = folder.appendingPathComponent("b/b.sqlite").path
        let (imported, importOutput) = try tlab(["import", archive, "--db", b])
        XCTAssertEqual(imported.terminationStatus, 0, importOutput)
        XCTAssertTrue(importOutput.contains("1 runs resume from their carried state (\(queued.hash.prefix(12)))"), importOutput)
        let placed = folder.appendingPathComponent("b/artifacts/\(queued.hash).resume")
        XCTAssertTrue(FileManager.default.fileExists(atPath: placed.appendingPathComponent("progress.json").path))
        let (resumed, output) = try tlab(["run", spec, "--db", b])
        XCTAssertEqual(resumed.terminationStatus, 0, output)
        let run = try XCTUnwrap(try ResultsStore(path: b).runs(experiment: "carried").first { $0.hash == queued.hash })
        XCTAssertEqual(run.status, .finished)
        let (_, show) = try tlab(["show", "\(run.id!)", "--db", b])
        XCTAssertTrue(show.contains("resuming from the last epoch an interrupted attempt saved; its epochs ran on ? (OpenBLAS ?, 1 thread(s), revision ?, saved 20"), show)
        XCTAssertFalse(FileManager.default.fileExists(atPath: placed.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: placed.path + ResumeBundle.originSuffix))
        // Back in a, the run has not ended: its bundle stays; once it has, the next export removes it.
        let bundle = folder.appendingPathComponent("results/\(ResumeBundle.folderName)/\(queued.hash)").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: bundle))
        let (_, rest) = try tlab(["run", spec, "--db", a])
        XCTAssertTrue(rest.contains("2 finished"), rest)
        let (_, again) = try tlab(["export", "carried", "--db", a, "--format", "jsonl", "--output", archive, "--resume", "20"])
        XCTAssertTrue(again.contains("none new; \(queued.hash.prefix(12)) removed (their runs have ended)"), again)
        XCTAssertFalse(FileManager.default.fileExists(atPath: bundle))
    }

    /// `--threads N`: each worker's BLAS uses N threads, and every run records it (its numerics depend on it).
    func testWorkersUseAndRecordTheBLASThreadCountAsked() throws {
        let spec = try trivialSpec("threads", seeds: "[1, 2]")
        let db = folder.appendingPathComponent("r.sqlite").path
        let (run, output) = try tlab(["run", spec, "--db", db, "--workers", "1", "--threads", "2"])
        XCTAssertEqual(run.terminationStatus, 0, output)
        for id in ["1", "2"] {
            let (_, show) = try tlab(["show", id, "--db", db])
            XCTAssertTrue(show.contains("; threads 2; BLAS "), show)
        }
        let (refused, message) = try tlab(["run", spec, "--db", db, "--threads", "0"])
        XCTAssertNotEqual(refused.terminationStatus, 0)
        XCTAssertTrue(message.contains("--threads must be at least 1, not 0"), message)
    }

    /// A spec's problems through the binary: each with its file, line and field, a non-zero exit, and no usage
    /// text after them (the command line was right; the spec was not); a valid spec says so.
    func testASpecsProblemsAreItsOwnNotTheCommandLines() throws {
        let bad = try tinySpec("bad", "model: {kind: trivial}\ntrain: {epochz: 3}\nsweep: {seed: [1]}")
        let (refused, message) = try tlab(["validate", bad])
        XCTAssertNotEqual(refused.terminationStatus, 0)
        XCTAssertTrue(message.contains("bad.yaml:4:") && message.contains("train.epochz") && message.contains("did you mean 'epochs'?"), message)
        XCTAssertFalse(message.contains("Usage:"), message)
        let (valid, output) = try tlab(["validate", try trivialSpec("good", seeds: "[1, 2]")])
        XCTAssertEqual(valid.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("good.yaml: valid (experiment 'good', 2 runs)"), output)
    }

    /// Written to a log (not a terminal), progress is a line when a run starts or ends, not one a second.
    func testALogGetsAProgressLineWhenTheCountsChangeNotEverySecond() throws {
        let spec = try trivialSpec("slow", model: "{kind: trivial, delay_ms: 3000}", seeds: "[1]")
        let (run, output) = try tlab(["run", spec, "--db", folder.appendingPathComponent("r.sqlite").path, "--workers", "1"])
        XCTAssertEqual(run.terminationStatus, 0, output)
        // The run takes 3 s (a line a second would print three while it runs): a line for each change only.
        let counts = output.split(separator: "\n").filter { $0.hasPrefix("runs ") }.map { $0.components(separatedBy: " queued")[0] }
        XCTAssertEqual(counts, ["runs 0/1 done (0 finished, 0 diverged, 0 failed), 0 running, 1",
                                "runs 0/1 done (0 finished, 0 diverged, 0 failed), 1 running, 0",
                                "runs 1/1 done (1 finished, 0 diverged, 0 failed), 0 running, 0"], output)
    }

    /// "Pretrain once, fine-tune many": each distinct stage configuration runs once, before the runs
    /// that use it; a second experiment with the same stage configuration reuses the artifact.
    func testStagesRunOnceAndTheirArtifactsAreReused() throws {
        try Data("text,label\nfine,pos\n".utf8).write(to: folder.appendingPathComponent("tiny.csv"))
        func spec(_ id: String) throws -> String {
            let url = folder.appendingPathComponent("\(id).yaml")
            try Data("""
            experiment: {id: \(id)}
            data: {datasets: [{file: tiny.csv}]}
            stages: {marker: {kind: trivial, delay_ms: 300}}
            embeddings: {vectors: "stage:marker"}
            model: {kind: trivial}
            sweep: {seed: {range: {from: 1, to: 10}}, stages.marker.seed: [1, 2]}
            """.utf8).write(to: url)
            return url.path
        }
        let db = folder.appendingPathComponent("r.sqlite").path
        let (first, output) = try tlab(["run", try spec("pretrain-a"), "--db", db, "--workers", "2"])
        XCTAssertEqual(first.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("22 runs planned, 22 new"), output)
        XCTAssertTrue(output.contains("22 finished, 0 diverged, 0 failed"), output)
        let (_, listing) = try tlab(["runs", "pretrain-a", "--db", db])
        let lines = listing.split(separator: "\n").dropFirst()
        // The two stage runs come first and finish before any run that needs them starts.
        XCTAssertEqual(lines.prefix(2).filter { $0.contains("stage:marker") && $0.contains("finished") }.count, 2, listing)
        let artifacts = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("artifacts").path)
        XCTAssertEqual(artifacts.count, 2, "\(artifacts)")
        let (_, stage) = try tlab(["show", "1", "--db", db])
        let (_, run) = try tlab(["show", "3", "--db", db])
        let stageKey = stage.components(separatedBy: "hash ")[1].prefix(64)
        XCTAssertTrue(run.contains(String(stageKey)), "run 3 names the artifact key of the stage it used\n\(run)")
        XCTAssertTrue(run.contains("uses stage:marker \(stageKey.prefix(12)), made by run 1 finished 20"),
                      "run 3 records which instance of the artifact it used\n\(run)")
        // The stage's result holds its artifact's digest: what tells whether a stage made again made the same one.
        let digest = try ArtifactBundle.digest(of: folder.appendingPathComponent("artifacts").appendingPathComponent(String(stageKey)))
        XCTAssertTrue(stage.contains("\"artifactSHA256\":\"\(digest)\""), stage)
        // Same stage configuration in another experiment: no stage run at all, the artifacts are reused.
        let (_, second) = try tlab(["run", try spec("pretrain-b"), "--db", db, "--workers", "2"])
        XCTAssertTrue(second.contains("22 runs planned, 20 new"), second)
        XCTAssertTrue(second.contains("20 finished, 0 diverged, 0 failed"), second)
        let (_, listingB) = try tlab(["runs", "pretrain-b", "--db", db])
        XCTAssertFalse(listingB.contains("stage:"), listingB)
    }

    /// An experiment moving to another machine: its run archive with the stage's artifact bundle lets the
    /// next database use that very artifact; the archive alone makes the stage again and keeps a record
    /// of the instance made before.
    func testAnArchiveWithItsArtifactBundleSparesMakingTheStageAgainElsewhere() throws {
        let spec = try tinySpec("moving", """
        stages: {marker: {kind: trivial}}
        embeddings: {vectors: "stage:marker"}
        model: {kind: trivial}
        sweep: {seed: [1, 2]}
        """)
        let (first, output) = try tlab(["run", spec, "--db", "a/r.sqlite", "--workers", "1"])
        XCTAssertEqual(first.terminationStatus, 0, output)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("results"), withIntermediateDirectories: true)
        let (_, exported) = try tlab(["export", "moving", "--db", "a/r.sqlite", "--format", "jsonl", "--output", "results/moving.runs.jsonl",
                                      "--artifacts", "marker"])
        XCTAssertTrue(exported.contains("artifact bundles in \(folder.appendingPathComponent("results/artifact-bundles").path): "), exported)
        XCTAssertTrue(exported.hasSuffix(" written\n"), exported)

        let (_, imported) = try tlab(["import", "results/moving.runs.jsonl", "--db", "b/r.sqlite"])
        XCTAssertTrue(imported.contains("imported 3 runs into b/r.sqlite (1 of them stage runs; 1 of their artifacts from checked bundles"), imported)
        let (_, more) = try tlab(["run", spec, "sweep.seed=[1,2,3]", "--db", "b/r.sqlite", "--workers", "1"])
        XCTAssertTrue(more.contains("4 runs planned, 1 new"), "only the new seed runs; the stage is not made again\n\(more)")
        let (_, stage) = try tlab(["show", "1", "--db", "b/r.sqlite"])
        XCTAssertFalse(stage.contains(", replaced "), stage)
        XCTAssertTrue(stage.contains("instance made by run 1 finished 20"), stage)
        let (_, listing) = try tlab(["runs", "moving", "--db", "b/r.sqlite"])
        // `tlab runs` columns: id, status, arm, dataset, seed, …
        let rows: [[String]] = listing.split(separator: "\n").map { line in line.split(separator: " ").map(String.init) }
        let newRun = try XCTUnwrap(rows.first { row in row.count > 4 && row[2] == "default" && row[4] == "3" }, listing)
        let (_, runs) = try tlab(["show", newRun[0], "--db", "b/r.sqlite"])
        XCTAssertTrue(runs.contains("uses stage:marker "), runs)
        XCTAssertTrue(runs.contains(", made by run 1 finished "), runs)

        // The archive alone (no bundles beside it): the stage is made again, and the first instance stays on record.
        // The trivial stage makes the same artifact wherever it runs: made again from the archive as it is, it is the
        // same model (equal artifact digests), and no run is to run again.
        let archive = try String(contentsOf: folder.appendingPathComponent("results/moving.runs.jsonl"), encoding: .utf8)
        for name in ["same", "bare"] { try FileManager.default.createDirectory(at: folder.appendingPathComponent(name), withIntermediateDirectories: true) }
        try Data(archive.utf8).write(to: folder.appendingPathComponent("same/moving.runs.jsonl"))
        _ = try tlab(["import", "same/moving.runs.jsonl", "--db", "same/r.sqlite"])
        _ = try tlab(["run", spec, "sweep.seed=[1,2,3]", "--db", "same/r.sqlite", "--workers", "1"])
        XCTAssertTrue(try tlab(["show", "1", "--db", "same/r.sqlite"]).1.contains(#"instance made by run 1 finished 20"#))
        XCTAssertEqual(try tlab(["show", "1", "--db", "same/r.sqlite"]).1.components(separatedBy: ", replaced ").count, 2, "one instance replaced")
        XCTAssertTrue(try tlab(["requeue", spec, "sweep.seed=[1,2,3]", "--db", "same/r.sqlite", "--met-earlier-instances", "--dry-run"]).1
            .contains("no ended run to queue again"), "made again, the same artifact: the same model")
        // As another machine's kernels would have made it: the archived stage's artifact had another digest.
        let made = try XCTUnwrap(try ResultsStore(path: folder.appendingPathComponent("a/r.sqlite").path).runs(experiment: "moving")
            .first(where: \.isStage)?.resultJSON?.components(separatedBy: "\"artifactSHA256\":\"").last?.prefix(64))
        XCTAssertEqual(made.count, 64)
        try Data(archive.replacingOccurrences(of: made, with: String(repeating: "0", count: 64)).utf8)
            .write(to: folder.appendingPathComponent("bare/moving.runs.jsonl"))
        let (_, bare) = try tlab(["import", "bare/moving.runs.jsonl", "--db", "c/r.sqlite"])
        XCTAssertTrue(bare.contains("0 of their artifacts from checked bundles"), bare)
        let (_, remade) = try tlab(["run", spec, "sweep.seed=[1,2,3]", "--db", "c/r.sqlite", "--workers", "1"])
        XCTAssertTrue(remade.contains("4 runs planned, 2 new"), "the new run and the stage made again\n\(remade)")
        let (_, again) = try tlab(["show", "1", "--db", "c/r.sqlite"])
        XCTAssertTrue(again.contains("instance made by run 1 finished 20"), again)
        XCTAssertEqual(again.components(separatedBy: ", replaced ").count, 2, again)

        // Seeds 1 and 2 met the first instance, seed 3 the one made here: `tlab requeue --met-earlier-instances`
        // runs those two again on it, keeping their earlier results; then no run has met another instance.
        let requeue = ["requeue", spec, "sweep.seed=[1,2,3]", "--db", "c/r.sqlite", "--met-earlier-instances"]
        let (_, listed) = try tlab(requeue + ["--dry-run"])
        XCTAssertTrue(listed.contains("2 runs would be queued again (dry run: nothing queued)"), listed)
        let (_, requeued) = try tlab(requeue)
        XCTAssertTrue(requeued.contains("2 runs queued again in c/r.sqlite"), requeued)
        let (rerun, rerunOutput) = try tlab(["run", spec, "sweep.seed=[1,2,3]", "--db", "c/r.sqlite", "--workers", "1"])
        XCTAssertEqual(rerun.terminationStatus, 0, rerunOutput)
        let seeds = try ResultsStore(path: folder.appendingPathComponent("c/r.sqlite").path).runs(experiment: "moving").filter { !$0.isStage }
        XCTAssertEqual(seeds.map(\.status), [.finished, .finished, .finished], rerunOutput)
        let (_, shown) = try tlab(["show", "\(seeds[0].id!)", "--db", "c/r.sqlite"])
        XCTAssertTrue(shown.contains("event earlier-result: {"), shown)
        XCTAssertTrue(try tlab(requeue + ["--dry-run"]).1.contains("no ended run to queue again"))
        let (refused, message) = try tlab(["requeue", spec, "--db", "c/r.sqlite"])
        XCTAssertNotEqual(refused.terminationStatus, 0)
        XCTAssertTrue(message.contains("name the runs to queue again"), message)
    }

    /// Two schedulers on one database at once, one taking some runs (`--only`), the other the rest
    /// (`--skip`, whose workers finish first): every run ends once, on its first attempt, by the
    /// scheduler whose filter takes it — neither puts the other's running runs back in the queue.
    func testTwoSchedulersSplitAnExperimentByFilter() throws {
        let spec = try trivialSpec("split", model: "{kind: trivial, delay_ms: 250}", seeds: "{range: {from: 1, to: 12}}")
        let db = folder.appendingPathComponent("r.sqlite").path
        let (cell, _) = try tlab(["run", spec, "--db", db, "--workers", "1", "--threads", "2", "--only", "seed=1,2,3,4,5,6"], wait: false)
        let (_, rest) = try tlab(["run", spec, "--db", db, "--workers", "2", "--skip", "seed=1,2,3,4,5,6"])
        XCTAssertTrue(rest.contains("taking 6 of the planned runs and the 0 stage runs they need (--skip seed=1,2,3,4,5,6)"), rest)
        XCTAssertTrue(rest.contains("6 finished, 0 diverged, 0 failed"), rest)
        cell.waitUntilExit()
        XCTAssertEqual(cell.terminationStatus, 0)
        let runs = try ResultsStore(path: db).runs(experiment: "split")
        XCTAssertEqual(runs.count, 12)
        XCTAssertEqual(runs.filter { $0.status == .finished }.count, 12)
        XCTAssertEqual(runs.map(\.attempts), Array(repeating: 1, count: 12), "no run taken twice")
        // The --only scheduler's worker has two BLAS threads, and each run records its worker's.
        XCTAssertEqual(Set(runs.filter { $0.threads == 2 }.map(\.seed)), Set(1...6), "the --only runs, by its worker")
        XCTAssertEqual(Set(runs.filter { $0.threads == 1 }.map(\.seed)), Set(7...12), "the rest, by the other scheduler's")
    }

    /// A spec of one 8-second run (arm `slow`) and three of 50 ms (`fast`, seeds 1–3), with a scheduler of its own
    /// (`--only arm=slow`, one worker) already running the slow run; returns the spec's path, its database and that scheduler.
    func slowRunBesideFastRuns(_ id: String) throws -> (spec: String, db: String, beside: Process) {
        let spec = try tinySpec(id, """
        model: {kind: trivial, delay_ms: 50}
        arms:
          slow: {model: {delay_ms: 8000}, sweep: {seed: [1]}}
          fast: {}
        sweep: {seed: [1, 2, 3]}
        """)
        let db = folder.appendingPathComponent("r.sqlite").path
        let (beside, _) = try tlab(["run", spec, "--db", db, "--workers", "1", "--only", "arm=slow"], wait: false)
        let wait = Date().addingTimeInterval(60)
        repeat { Thread.sleep(forTimeInterval: 0.1) } while try !tlab(["status", "--db", db]).1.contains("running 1") && Date() < wait
        return (spec, db, beside)
    }

    /// A scheduler whose workers have all finished leaves a run of another scheduler's running worker
    /// alone (it used to count every running run not its own worker's as orphaned, queue it again and
    /// start it a second time).
    func testASchedulerLeavesAnotherSchedulersRunningRunAlone() throws {
        let (spec, db, slow) = try slowRunBesideFastRuns("two")
        let (_, all) = try tlab(["run", spec, "--db", db, "--workers", "2"])
        XCTAssertTrue(all.contains("4 runs planned, 0 new"), all)
        slow.waitUntilExit()
        let runs = try ResultsStore(path: db).runs(experiment: "two")
        XCTAssertEqual(runs.map(\.status), Array(repeating: .finished, count: 4), "\(runs.map(\.arm))")
        XCTAssertEqual(runs.map(\.attempts), Array(repeating: 1, count: 4), "no run started twice")
    }

    /// A spec of trivial runs in arms `slow` (`slowMilliseconds` each) and `fast` (50 ms), seeds 1–3, with seed 1 of
    /// both ended (the prices `--until` needs); returns the paths of the spec and of its database.
    func measuredSlowAndFast(_ id: String, slowMilliseconds: Int) throws -> (spec: String, db: String) {
        let spec = try tinySpec(id, """
        model: {kind: trivial, delay_ms: 50}
        arms:
          slow: {model: {delay_ms: \(slowMilliseconds)}}
          fast: {}
        sweep: {seed: [1, 2, 3]}
        """)
        let db = folder.appendingPathComponent("r.sqlite").path
        let (_, measured) = try tlab(["run", spec, "--db", db, "--workers", "2", "--only", "seed=1"])
        XCTAssertTrue(measured.contains("2 finished, 0 diverged, 0 failed"), measured)
        return (spec, db)
    }

    /// `tlab plan --priced-by OTHER`: the runs of a changed recipe priced at the ended runs of the same experiment in another
    /// database, per arm; an arm new to the recipe is said to have no run there; the runs ended in `--db` are not priced.
    func testPlanPricesARecipeByAnotherDatabasesRuns() throws {
        let (_, measured) = try measuredSlowAndFast("priced", slowMilliseconds: 1500)
        let recipe = """
        model: {kind: trivial, delay_ms: 50}
        arms:
          slow: {model: {delay_ms: 1500}}
          fast: {}
          new: {model: {delay_ms: 10}}
        sweep: {seed: [1, 2, 3, 4]}
        """
        let spec = try tinySpec("priced", recipe)
        let (_, plan) = try tlab(["plan", spec, "--db", folder.appendingPathComponent("none.sqlite").path, "--priced-by", measured])
        XCTAssertTrue(plan.contains("the runs not ended, priced by the 2 ended runs of 'priced' in \(measured): "), plan)
        XCTAssertTrue(plan.contains("  slow: 4 runs, "), plan)
        XCTAssertTrue(plan.contains("  new: 4 runs, ") && plan.contains("(no ended run of this arm there: priced at its datasets' mean run)"), plan)
        XCTAssertFalse(plan.contains("  fast: 4 runs, 0.0 CPU-hours (no ended"), plan)
        // Against the database that holds seed 1 of slow and fast: those two are not priced again.
        let (_, again) = try tlab(["plan", spec, "--db", measured, "--priced-by", measured])
        XCTAssertTrue(again.contains("  slow: 3 runs, ") && again.contains("  fast: 3 runs, ") && again.contains("  new: 4 runs, "), again)
        // With the spec's own price of a run, the new arm's runs cost that: 4 × 900 s.
        let priced = try tinySpec("priced", recipe + "\nplan: {seconds_per_run: 900}")
        let (_, byTheSpec) = try tlab(["plan", priced, "--db", folder.appendingPathComponent("none.sqlite").path, "--priced-by", measured])
        XCTAssertTrue(byTheSpec.contains("  new: 4 runs, 1.0 CPU-hours (no ended run of this arm there: priced at the spec's 900 s a run)"), byTheSpec)
    }

    /// `--until`: the scheduler and its workers start only runs whose longest alike ended run fits the
    /// time left; the others stay queued, untouched, and the scheduler ends saying so.
    /// `selection.tune_seeds`: within one `tlab run`, the later seeds wait for their cell's tuning runs, then run at the
    /// value those chose on validation, and no other; a rerun runs nothing again.
    func testLaterSeedsRunAtTheValueTheTuningSeedsChose() throws {
        let spec = try tinySpec("tuned", """
        model: {kind: trivial}
        sweep: {seed: [1, 2, 3, 4], model.score: [0.6, 0.8, 0.7]}
        selection: {over: [model.score], tune_seeds: 2}
        """)
        let db = folder.appendingPathComponent("tuned.sqlite").path
        let (_, plan) = try tlab(["plan", spec, "--db", db])
        XCTAssertTrue(plan.contains("6 runs, and 2 of later seeds once their cells' tuning runs have ended"), plan)
        let (scheduler, output) = try tlab(["run", spec, "--db", db, "--workers", "2"])
        XCTAssertEqual(scheduler.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("2 runs of later seeds wait for their cells' tuning runs"), output)
        XCTAssertTrue(output.contains("2 runs of later seeds planned at the values their cells' tuning seeds chose"), output)
        func finished() throws -> [String] {
            try ResultsStore(path: db).runs(experiment: "tuned").filter { $0.status == .finished }
                .map { "\($0.seed)@" + ((try JSONSerialization.jsonObject(with: Data($0.sweepJSON.utf8)) as? [String: String])?["model.score"] ?? "") }.sorted()
        }
        XCTAssertEqual(try finished(), ["1@0.6", "1@0.7", "1@0.8", "2@0.6", "2@0.7", "2@0.8", "3@0.8", "4@0.8"])
        let (again, rerun) = try tlab(["run", spec, "--db", db, "--workers", "2"])
        XCTAssertEqual(again.terminationStatus, 0, rerun)
        XCTAssertTrue(rerun.contains("8 runs planned, 0 new"), rerun)
        XCTAssertEqual(try ResultsStore(path: db).runs(experiment: "tuned").map(\.attempts).max(), 1, "nothing ran twice")
    }

    func testADeadlineStartsOnlyTheRunsExpectedToEndByIt() throws {
        let (spec, db) = try measuredSlowAndFast("until", slowMilliseconds: 8000)
        // Six seconds: the fast runs fit, the slow ones (8 s each at least) do not; `tlab plan` says so first.
        let (_, plan) = try tlab(["plan", spec, "--db", db, "--until", "+0.1"])
        XCTAssertTrue(plan.contains("(--until): 2 of the 4 queued runs may start now; left queued: tiny × slow (2)"), plan)
        let (scheduler, output) = try tlab(["run", spec, "--db", db, "--workers", "2", "--until", "+0.1"])
        XCTAssertEqual(scheduler.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("starting only runs expected to end by "), output)
        XCTAssertTrue(output.contains("2 runs left queued: none expected to end by "), output)
        let runs = try ResultsStore(path: db).runs(experiment: "until")
        XCTAssertEqual(runs.filter { $0.status == .finished }.map { "\($0.arm) \($0.seed)" }.sorted(),
                       ["fast 1", "fast 2", "fast 3", "slow 1"])
        XCTAssertEqual(runs.filter { $0.status == .queued }.map { "\($0.arm) \($0.seed)" }.sorted(), ["slow 2", "slow 3"])
        XCTAssertEqual(runs.filter { $0.status == .queued }.map(\.attempts), [0, 0], "never started")
        let (refused, message) = try tlab(["run", spec, "--db", db, "--until", "soon"])
        XCTAssertNotEqual(refused.terminationStatus, 0)
        XCTAssertTrue(message.contains("--until 'soon': expected +MINUTES"), message)
    }

    /// Under `--until`, a scheduler with runs queued that none may start ends once its own workers have,
    /// while another scheduler's long run still runs (it used to wait for that run, its core idle).
    func testADeadlineSchedulerEndsWithoutWaitingForAnotherSchedulersRun() throws {
        let (spec, db) = try measuredSlowAndFast("beside", slowMilliseconds: 6000)
        let (beside, _) = try tlab(["run", spec, "--db", db, "--workers", "1", "--only", "arm=slow", "--only", "seed=2"], wait: false)
        let wait = Date().addingTimeInterval(60)
        repeat { Thread.sleep(forTimeInterval: 0.1) } while try !tlab(["status", "--db", db]).1.contains("running 1") && Date() < wait
        // Three seconds: both fast runs fit, slow 3 (6 s at least) does not.
        let (scheduler, output) = try tlab(["run", spec, "--db", db, "--workers", "1", "--until", "+0.05"])
        XCTAssertEqual(scheduler.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("1 runs left queued: none expected to end by "), output)
        let runs = try ResultsStore(path: db).runs(experiment: "beside")
        XCTAssertEqual(runs.filter { $0.status == .running }.map { "\($0.arm) \($0.seed)" }, ["slow 2"], "ended before the other's run")
        XCTAssertTrue(beside.isRunning)
        beside.waitUntilExit()
        let after = try ResultsStore(path: db).runs(experiment: "beside")
        XCTAssertEqual(after.filter { $0.status == .finished }.map { "\($0.arm) \($0.seed)" }.sorted(),
                       ["fast 1", "fast 2", "fast 3", "slow 1", "slow 2"])
        XCTAssertEqual(after.map(\.attempts).max(), 1, "no run started twice")
    }

    /// Under `--until`, a scheduler with nothing left queued ends once its own workers have, while another scheduler's
    /// run still runs (it used to wait for that run, its core idle, and the lane's next experiment behind it).
    func testADeadlineSchedulerWithNothingQueuedEndsBesideAnotherSchedulersRun() throws {
        let (spec, db, beside) = try slowRunBesideFastRuns("tail")
        let (scheduler, output) = try tlab(["run", spec, "--db", db, "--workers", "1", "--until", "+10"])
        XCTAssertEqual(scheduler.terminationStatus, 0, output)
        let runs = try ResultsStore(readingOnly: db).runs(experiment: "tail")
        XCTAssertEqual(runs.filter { $0.status == .running }.map { "\($0.arm) \($0.seed)" }, ["slow 1"], "ended before the other's run")
        XCTAssertEqual(runs.filter { $0.status == .finished }.map { "\($0.arm) \($0.seed)" }.sorted(), ["fast 1", "fast 2", "fast 3"])
        XCTAssertTrue(beside.isRunning)
        beside.waitUntilExit()
        let after = try ResultsStore(readingOnly: db).runs(experiment: "tail")
        XCTAssertEqual(after.map(\.status), Array(repeating: .finished, count: 4))
        XCTAssertEqual(after.map(\.attempts).max(), 1, "no run started twice")
    }

    /// Without a deadline, a scheduler with no worker of its own left waits for another scheduler's run, and takes it
    /// over when that scheduler dies with its worker (SIGKILL): the run ends finished, on a second attempt.
    func testAWaitingSchedulerTakesOverTheRunOfAKilledScheduler() throws {
        let (spec, db, other) = try slowRunBesideFastRuns("takeover")
        func runs() throws -> [RunRecord] { try ResultsStore(readingOnly: db).runs(experiment: "takeover") }
        let (waiting, _) = try tlab(["run", spec, "--db", db, "--workers", "1"], wait: false)
        var wait = Date().addingTimeInterval(60)
        repeat { Thread.sleep(forTimeInterval: 0.1) } while try runs().filter { $0.status == .finished }.count < 3 && Date() < wait
        XCTAssertEqual(try runs().filter { $0.status == .running }.map(\.arm), ["slow"], "the other's run still runs")
        XCTAssertTrue(waiting.isRunning, "it waits for the other's run")
        kill(other.processIdentifier, SIGKILL)
        other.waitUntilExit()
        wait = Date().addingTimeInterval(60)
        while waiting.isRunning && Date() < wait { Thread.sleep(forTimeInterval: 0.1) }
        if waiting.isRunning { waiting.terminate(); waiting.waitUntilExit(); XCTFail("it never took the orphaned run over") }
        let after = try runs()
        XCTAssertEqual(after.map(\.status), Array(repeating: .finished, count: 4), "\(after.map(\.arm))")
        XCTAssertEqual(after.filter { $0.arm == "slow" }.map(\.attempts), [2], "taken over: one attempt more")
        XCTAssertEqual(after.filter { $0.arm == "fast" }.map(\.attempts), [1, 1, 1])
    }

    /// The scheduler killed with SIGKILL and restarted at once, ten times during a sweep: every run ends finished, once,
    /// with no attempt charged for the scheduler's deaths (its workers die with it, and its zombies are not taken for
    /// live workers), and with the results of an uninterrupted sweep.
    func testTenKillsOfTheSchedulerLoseNothingAndChargeNoAttempt() throws {
        let spec = try trivialSpec("kills", model: "{kind: trivial, delay_ms: 300}", seeds: "{range: {from: 1, to: 60}}")
        let db = folder.appendingPathComponent("killed.sqlite").path
        func finished() -> Int { (try? ResultsStore(readingOnly: db).runs(experiment: "kills").filter { $0.status == .finished }.count) ?? 0 }
        var rng = RandomGenerator(seed: 11)
        for _ in 0..<10 {
            // Killed once the sweep has moved on (a run more finished), however loaded the machine, after a random pause.
            let before = finished()
            let (scheduler, _) = try tlab(["run", spec, "--db", db, "--workers", "2"], wait: false)
            let deadline = Date().addingTimeInterval(20)
            while finished() <= before && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            Thread.sleep(forTimeInterval: 0.1 * Double(rng.uniform(0, 1)))
            kill(scheduler.processIdentifier, SIGKILL)
            scheduler.waitUntilExit()
        }
        let before = try ResultsStore(path: db).runs(experiment: "kills").filter { $0.status == .finished }.count
        XCTAssertGreaterThan(before, 0, "the sweep had begun")
        XCTAssertLessThan(before, 60, "every kill came during the sweep")
        let (last, output) = try tlab(["run", spec, "--db", db, "--workers", "2"])
        XCTAssertEqual(last.terminationStatus, 0, output)
        let runs = try ResultsStore(path: db).runs(experiment: "kills")
        XCTAssertEqual(runs.count, 60)
        XCTAssertEqual(runs.filter { $0.status == .finished }.count, 60, output)
        XCTAssertEqual(runs.map(\.attempts).max(), 1, "no attempt charged for a scheduler's death")
        let killedResults = Dictionary(uniqueKeysWithValues: try runs.map { ($0.hash, try ResultsStore(path: db).metrics(run: $0.id!).map(\.value)) })
        // The same sweep, never interrupted.
        let calm = folder.appendingPathComponent("calm.sqlite").path
        let (whole, wholeOutput) = try tlab(["run", spec, "--db", calm, "--workers", "2"])
        XCTAssertEqual(whole.terminationStatus, 0, wholeOutput)
        for run in try ResultsStore(path: calm).runs(experiment: "kills") {
            XCTAssertEqual(try ResultsStore(path: calm).metrics(run: run.id!).map(\.value), killedResults[run.hash], "seed \(run.seed)")
        }
    }

    /// glove-freeze's arms on a user's CSV named by a path (with a space in it), and its notebook: the dataset is named
    /// after the file, so plots get no slashes in their names.
    func testGloVeFreezeRunsOnAUserCSVAndItsNotebookRenders() throws {
        var rng = RandomGenerator(seed: 5)
        let words = ["good", "great", "fine", "bad", "awful", "dull", "the", "movie", "was"]
        let rows = (0..<120).map { i -> String in
            let pool = i % 2 == 0 ? Array(words[0..<3]) + words[6...] : Array(words[3..<6]) + words[6...]
            return (0..<6).map { _ in pool[rng.int(below: pool.count)] }.joined(separator: " ") + (i % 2 == 0 ? ",pos" : ",neg")
        }
        let csv = folder.appendingPathComponent("my reviews.csv")
        try Data((["text,label"] + rows).joined(separator: "\n").utf8).write(to: csv)
        // A 6-d stand-in for the GloVe vectors the spec names, in a data folder of the test's own.
        let data = folder.appendingPathComponent("data")
        try installVectors("glove-6b-50d", words: words, values: (0..<(words.count * 6)).map { _ in rng.normal() }, in: data)
        let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../experiments/glove-freeze.yaml").standardized.path
        let dataset = "data.datasets=[{file: \"\(csv.path)\"}]"
        let db = folder.appendingPathComponent("user.sqlite").path
        let (run, ran) = try tlab(["run", spec, "--profile", "quick", dataset, "--db", db, "--data-dir", data.path, "--workers", "2"])
        XCTAssertEqual(run.terminationStatus, 0, ran)
        XCTAssertTrue(ran.contains("12 finished, 0 diverged, 0 failed"), "the 10 arm runs and the two baselines\n\(ran)")
        let out = folder.appendingPathComponent("notebooks")
        let (report, reported) = try tlab(["report", spec, "--profile", "quick", dataset, "--db", db, "--data-dir", data.path, "--out", out.path])
        XCTAssertEqual(report.terminationStatus, 0, reported)
        let notebook = try String(contentsOf: out.appendingPathComponent("glove-freeze-quick.md"), encoding: .utf8)
        XCTAssertTrue(notebook.contains("| my_reviews |"), notebook)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("glove-freeze-quick/curves-my_reviews-model_kind-kim-cnn.svg").path))
    }

    /// A failed stage fails the runs that need it, with a message saying so; the scheduler ends.
    func testAFailedStageFailsItsDependents() throws {
        try Data("text,label\nfine,pos\n".utf8).write(to: folder.appendingPathComponent("tiny.csv"))
        let url = folder.appendingPathComponent("bad.yaml")
        try Data("""
        experiment: {id: bad-stage}
        data: {datasets: [{file: tiny.csv}]}
        stages: {broken: {kind: trivial, fail: true}, fine: {kind: trivial}}
        model: {kind: trivial}
        arms: {uses-broken: {embeddings: {vectors: "stage:broken"}}, uses-fine: {embeddings: {vectors: "stage:fine"}}}
        sweep: {seed: [1, 2, 3]}
        """.utf8).write(to: url)
        let db = folder.appendingPathComponent("r.sqlite").path
        let (process, output) = try tlab(["run", url.path, "--db", db, "--workers", "2"])
        XCTAssertNotEqual(process.terminationStatus, 0, "runs failed: the exit status says so")
        XCTAssertTrue(output.contains("4 finished, 0 diverged, 4 failed"), output)
        XCTAssertTrue(output.contains("4 runs failed: `tlab runs bad-stage --db \(db) --status failed` lists them"), output)
        // Run again, nothing is retried; with --retry-failed the four are queued again (and fail again, the stage being broken).
        let (again, nothing) = try tlab(["run", url.path, "--db", db, "--workers", "2"])
        XCTAssertNotEqual(again.terminationStatus, 0)
        XCTAssertTrue(nothing.contains("8 already recorded"), nothing)
        let (retried, retry) = try tlab(["run", url.path, "--db", db, "--workers", "2", "--retry-failed"])
        XCTAssertNotEqual(retried.terminationStatus, 0)
        XCTAssertTrue(retry.contains("4 failed runs queued to run again"), retry)
        XCTAssertEqual(try ResultsStore(path: db).runs(experiment: "bad-stage").map(\.attempts).max(), 1, "attempts start again")
        let (_, failed) = try tlab(["runs", "bad-stage", "--db", db, "--status", "failed"])
        XCTAssertEqual(failed.split(separator: "\n").filter { $0.contains("uses-broken") }.count, 3, failed)
        let id = failed.split(separator: "\n").first { $0.contains("uses-broken") }!.prefix { $0 != " " }
        let (_, show) = try tlab(["show", String(id), "--db", db])
        XCTAssertTrue(show.contains("whose stage run failed"), show)
    }
}
