import Foundation
import TestSupport
import Tracking
import XCTest

final class RunArchiveTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try temporaryFolder("tlab-archive", create: false) }

    func store(_ name: String) throws -> ResultsStore { try ResultsStore(path: folder.appendingPathComponent("\(name).sqlite").path) }

    let experiment = ExperimentRecord(id: "e", specFile: "experiments/e.yaml", description: "an experiment", createdAt: Date())
    let environment = RunEnvironment(host: "machine-a", gitRevision: "abc123", versionsJSON: #"{"swift":"6.3"}"#, threads: 1, blasCore: "Cooperlake")

    func run(_ hash: String, seed: Int, kind: RunRecord.Kind = .run, needs: [String] = []) -> RunRecord {
        RunRecord(experimentId: "e", hash: hash, arm: kind == .stage ? "stage:pretrain" : "a", dataset: "d", seed: seed, fold: seed % 2 == 0 ? nil : 3,
                  trainingSize: "100", sweepJSON: #"{"train.learning_rate":"0.1"}"#, configJSON: #"{"seed":\#(seed)}"#, kind: kind, needs: needs)
    }

    /// The stage s, and runs h1 and h4 that need its artifact.
    var planned: [RunRecord] {
        [run("s", seed: 1, kind: .stage), run("h1", seed: 1, needs: ["s"]), run("h2", seed: 2), run("h3", seed: 3), run("h4", seed: 4, needs: ["s"])]
    }

    /// A database where the stage s and runs h1 (finished, with metrics and events), h2 (diverged) and
    /// h3 (failed) have ended, and h4 is still queued.
    func recordedStore() throws -> ResultsStore {
        let a = try store("a")
        try a.register(experiment: experiment, runs: planned)
        let outcomes: [(RunStatus, String?)] = [(.finished, #"{"status":"finished"}"#), (.finished, #"{"test":{"accuracy":0.8125}}"#),
                                                (.diverged, nil), (.failed, nil)]
        for (status, result) in outcomes {
            let claimed = try XCTUnwrap(a.claim(experiment: "e", worker: WorkerIdentity(pid: 4242), environment: environment).run)
            if claimed.hash == "h1" {
                try a.record(metrics: [MetricRecord(runId: claimed.id!, epoch: 1, split: "valid", name: "loss", value: 0.1 + 0.2),
                                       MetricRecord(runId: claimed.id!, epoch: 1, split: "train", name: "loss", value: 1e-300),
                                       MetricRecord(runId: claimed.id!, epoch: 2, split: "valid", name: "accuracy", value: 2.0 / 3.0)])
                try a.record(event: EventRecord(runId: claimed.id!, kind: "freeze", message: "froze embedding at step 0 — \"quoted\"\nnew line"))
                try a.record(event: EventRecord(runId: claimed.id!, kind: "note", message: "vocabulary 10,649"))
                try a.recordUse(run: claimed.id!, stage: "stage:pretrain", artifact: XCTUnwrap(a.artifact("s")))
            }
            try a.finish(run: claimed.id!, status: status, resultJSON: result, error: status == .failed ? "out of memory" : nil,
                         artifact: claimed.isStage ? ArtifactRecord(configHash: "s", kind: "lm", path: "s", createdByRun: claimed.id) : nil)
        }
        return a
    }

    func testAnArchiveReadIntoAnotherDatabaseHoldsTheSameRunsMetricsAndEvents() throws {
        let a = try recordedStore()
        let archive = try a.archive(experiment: "e")
        let lines = String(decoding: archive, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, 1 + 4, "header, the stage and three ended runs; the queued run is not in it")
        XCTAssertEqual(try a.runs(experiment: "e").map(\.hash), ["s", "h1", "h2", "h3", "h4"])

        let b = try store("b")
        let summary = try b.importArchive(archive, source: "e.runs.jsonl")
        var expected = RunArchive.ImportSummary()
        expected.imported = 4
        expected.stages = 1
        XCTAssertEqual(summary, expected)
        let runs = try b.runs(experiment: "e")
        XCTAssertEqual(runs.map(\.hash), ["s", "h1", "h2", "h3"])
        XCTAssertEqual(runs.map(\.id), try a.runs(experiment: "e").filter { $0.hash != "h4" }.map(\.id), "run ids kept")
        XCTAssertEqual(runs.map(\.status), [.finished, .finished, .diverged, .failed])
        let h1 = runs[1]
        XCTAssertEqual(h1.host, "machine-a")
        XCTAssertEqual(h1.gitRevision, "abc123")
        XCTAssertEqual(h1.blasCore, "Cooperlake")
        XCTAssertEqual(h1.versionsJSON, #"{"swift":"6.3"}"#)
        XCTAssertNil(h1.workerPid)
        XCTAssertEqual(h1.fold, 3)
        XCTAssertEqual(runs[3].error, "out of memory")
        XCTAssertEqual(try b.metrics(run: h1.id!).map(\.value), try a.metrics(run: h1.id!).map(\.value), "values bit for bit")
        XCTAssertEqual(try b.events(run: h1.id!).map(\.message), try a.events(run: h1.id!).map(\.message))
        XCTAssertEqual(try b.experiments().map(\.specFile), ["experiments/e.yaml"])
        // Everything the archive says about its runs, said again by the second database.
        XCTAssertEqual(try b.archive(experiment: "e"), archive)
        XCTAssertThrowsError(try b.archive(experiment: "f")) { XCTAssertEqual("\($0)", "no experiment 'f' in \(b.path)") }
    }

    func testAStageWhoseArtifactStayedBehindIsMadeAgainOnlyWhereARunStillNeedsIt() throws {
        let b = try store("b")
        _ = try b.importArchive(try recordedStore().archive(experiment: "e"), source: "e.runs.jsonl")
        // Planned without h4: every run needing s has ended, so s is not made again.
        XCTAssertEqual(try b.register(experiment: experiment, runs: Array(planned.dropLast())), 0)
        XCTAssertNil(try b.claim(experiment: "e", worker: WorkerIdentity(pid: 9), environment: environment).run)
        // With h4, which needs s: s (recorded as made, its artifact not here) is queued again, before h4.
        XCTAssertEqual(try b.register(experiment: experiment, runs: planned), 2)
        let stage = try XCTUnwrap(b.claim(experiment: "e", worker: WorkerIdentity(pid: 9), environment: environment).run)
        XCTAssertEqual(stage.hash, "s")
        XCTAssertEqual(stage.attempts, 1)
        XCTAssertNil(stage.resultJSON)
        XCTAssertNil(try b.claim(experiment: "e", worker: WorkerIdentity(pid: 9), environment: environment).run, "h4 waits for the artifact")
        // The instance made on the other machine stays on record: where, when, with which kernels, its result.
        let earlier = try b.stageHistory(experiment: "e").instances
        XCTAssertEqual(earlier.count, 1, "\(earlier)")
        XCTAssertNotNil(earlier[0].replacedAt)
        XCTAssertTrue(earlier[0].identity.hasPrefix("made by run \(stage.id!) finished 20"), earlier[0].identity)
        XCTAssertEqual(earlier[0].provenance, "at revision abc123 on machine-a with OpenBLAS Cooperlake, 1 thread(s)")
        XCTAssertEqual(earlier[0].resultJSON, #"{"status":"finished"}"#)
        // A worker dying while it makes the stage drops the attempt's records, not that one.
        XCTAssertEqual(try b.requeueOrphans(experiment: "e", isAlive: { _ in false }, maxAttempts: 3).count, 1)
        XCTAssertEqual(try b.stageHistory(experiment: "e").instances, earlier)
        let again = try XCTUnwrap(b.claim(experiment: "e", worker: WorkerIdentity(pid: 9), environment: environment).run)
        try b.finish(run: again.id!, status: .finished, resultJSON: "{}", error: nil,
                     artifact: ArtifactRecord(configHash: "s", kind: "lm", path: "s", createdByRun: again.id))
        XCTAssertEqual(try b.claim(experiment: "e", worker: WorkerIdentity(pid: 9), environment: environment).run?.hash, "h4")
        let both = try b.stageHistory(experiment: "e").instances
        XCTAssertEqual(both.count, 2)
        XCTAssertEqual(both.filter { $0.replacedAt == nil }.map(\.madeByRun), [again.id!], "the instance made here is the current one")
        // Its archive carries both instances, and a third database reads them back as they are.
        let c = try store("c")
        _ = try c.importArchive(try b.archive(experiment: "e"), source: "b.runs.jsonl")
        XCTAssertEqual(try c.stageHistory(experiment: "e").instances, both)
    }

    /// An archive of version 1 kept stage instances and artifact uses as events: read, they are rows as if recorded now.
    func testAVersion1ArchiveHasItsStageEventsReadAsRows() throws {
        let a = try recordedStore()
        let recorded = try a.stageHistory(experiment: "e")
        XCTAssertEqual(recorded.instances.count, 1)
        XCTAssertEqual(recorded.uses.count, 1)
        let made = recorded.instances[0], used = recorded.uses[0]
        // The same archive as version 1 wrote it: the use an `artifact` event, and an earlier instance of s as an `earlier-instance`
        // event; h1 queued again once before, its earlier result holding the `artifact` event of that attempt.
        let summary = "made by run 77 finished 2026-01-02T03:04:05.678Z at revision abcdef123456 on old-vm with OpenBLAS Zen, 1 thread(s); result {\"kind\":\"lm\"}"
        let use = "uses stage:pretrain s, \(made.identity) \(made.provenance); result {}"
        let earlierResult = #"{"attempts":1,"events":[{"at":"2026-01-02T03:05:00.000Z","kind":"artifact","message":"uses stage:pretrain s, "#
            + #"made by run 77 finished 2026-01-02T03:04:05.678Z at revision x"},{"at":"2026-01-02T03:06:00.000Z","kind":"note","message":"n"}],"#
            + #""finishedAt":"2026-01-02T03:07:00.000Z","metrics":[],"reason":"r","status":"finished"}"#
        var lines = try String(decoding: a.archive(experiment: "e"), as: UTF8.self).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        lines[0]["version"] = 1
        for i in lines.indices.dropFirst() {
            let hash = (lines[i]["run"] as? [String: Any])?["hash"] as? String
            var events = lines[i]["events"] as? [[String: Any]] ?? []
            if hash == "s" { events.append(["at": "2026-01-03T00:00:00.000Z", "kind": "earlier-instance", "message": summary]) }
            if hash == "h1" {
                events.append(["at": "2026-01-02T03:08:00.000Z", "kind": "earlier-result", "message": earlierResult])
                events.append(["at": "2026-01-04T00:00:00.000Z", "kind": "artifact", "message": use])
            }
            lines[i]["events"] = events
            lines[i]["instances"] = nil
            lines[i]["uses"] = nil
        }
        let v1 = try lines.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }.joined(separator: "\n")
        let b = try store("b")
        _ = try b.importArchive(Data(v1.utf8), source: "v1.runs.jsonl")
        let read = try b.stageHistory(experiment: "e")
        XCTAssertEqual(read.instances.map(\.identity), ["made by run 77 finished 2026-01-02T03:04:05.678Z", made.identity])
        XCTAssertEqual(read.instances[0].provenance, "at revision abcdef123456 on old-vm with OpenBLAS Zen, 1 thread(s)")
        XCTAssertEqual(read.instances[0].resultJSON, #"{"kind":"lm"}"#)
        XCTAssertNotNil(read.instances[0].replacedAt)
        XCTAssertEqual(read.instances[1], made)
        let h1 = try XCTUnwrap(b.runs(experiment: "e").first { $0.hash == "h1" })
        let earlier = try XCTUnwrap(ResultsStore.earlierResults(in: b.events(run: h1.id!)).first)
        XCTAssertEqual(earlier.events.map(\.kind), ["note"], "the use is a row now, not an event in the earlier result")
        XCTAssertEqual(read.uses.map(\.madeByRun), [77, used.madeByRun])
        XCTAssertEqual(read.uses.map(\.earlierResult), [earlier.eventId, nil])
        XCTAssertEqual(read.uses.map(\.stageKey), ["s", "s"])
        XCTAssertEqual(read.uses[1].madeFinishedAt, used.madeFinishedAt)
        XCTAssertEqual(try b.events(run: h1.id!).map(\.kind).filter { $0 == "artifact" || $0 == "earlier-instance" }, [])
        // Written again, it is a version 2 archive, and a third database reads the same rows from it.
        let c = try store("c")
        _ = try c.importArchive(try b.archive(experiment: "e"), source: "b.runs.jsonl")
        let again = try c.stageHistory(experiment: "e")
        XCTAssertEqual(again.instances, read.instances)
        XCTAssertEqual(again.uses.map(\.madeByRun), [77, used.madeByRun])
        let h1There = try XCTUnwrap(c.runs(experiment: "e").first { $0.hash == "h1" })
        XCTAssertEqual(again.uses.map(\.earlierResult), [try ResultsStore.earlierResults(in: c.events(run: h1There.id!)).first?.eventId, nil])
    }

    /// A database where the stage s has made a real artifact folder (two files, one in a sub-folder).
    func storeWithArtifact() throws -> ResultsStore {
        let a = try recordedStore()
        let folder = a.artifactsFolder.appendingPathComponent("s")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("model"), withIntermediateDirectories: true)
        try Data("weights".utf8).write(to: folder.appendingPathComponent("model/parameters.f32"))
        try Data("the\t10\n".utf8).write(to: folder.appendingPathComponent("vocabulary.tsv"))
        return a
    }

    func testAnArtifactBundleBesideTheArchiveIsCheckedAndSparesMakingTheStageAgain() throws {
        let a = try storeWithArtifact()
        let bundles = folder.appendingPathComponent("results/artifact-bundles")
        XCTAssertEqual(try a.writeArtifactBundles(experiment: "e", stages: ["pretrain"], to: bundles), ["s"])
        XCTAssertEqual(try a.writeArtifactBundles(experiment: "e", stages: ["pretrain"], to: bundles), [], "an unchanged bundle is not written again")
        XCTAssertEqual(try a.writeArtifactBundles(experiment: "e", stages: ["finetune"], to: folder.appendingPathComponent("none")), [])
        let manifest = try ArtifactBundle.verify(bundles.appendingPathComponent("s"))
        XCTAssertEqual(manifest.files.keys.sorted(), ["model/parameters.f32", "vocabulary.tsv"])
        XCTAssertEqual(manifest.files["vocabulary.tsv"], "d4b0b2f61c2e6690539981fb356ed60ca86ec221c1f30a35f2498afa4a0193fc", "SHA-256 of the file (Python's hashlib)")
        XCTAssertEqual(manifest.blasCore, "Cooperlake")

        let b = try ResultsStore(path: folder.appendingPathComponent("elsewhere/b.sqlite").path)
        let summary = try b.importArchive(try a.archive(experiment: "e"), source: "e.runs.jsonl", artifacts: bundles)
        XCTAssertEqual(summary.artifacts, 1)
        let artifact = try XCTUnwrap(try b.artifact("s"))
        XCTAssertEqual(try b.run(artifact.createdByRun!)?.hash, "s")
        XCTAssertEqual(try Data(contentsOf: b.url(of: artifact).appendingPathComponent("model/parameters.f32")), Data("weights".utf8))
        // h4 (queued in a, so not in its archive) is new here and needs s: s is not made again, h4 goes at once.
        XCTAssertEqual(try b.register(experiment: experiment, runs: planned), 1)
        XCTAssertEqual(try b.runs(experiment: "e", status: .queued).map(\.hash), ["h4"])
        XCTAssertEqual(try b.claim(experiment: "e", worker: WorkerIdentity(pid: 9), environment: environment).run?.hash, "h4")

        // A database that has queued s to make it again takes the archived record and the artifact instead.
        let c = try ResultsStore(path: folder.appendingPathComponent("third/c.sqlite").path)
        _ = try c.importArchive(try a.archive(experiment: "e"), source: "e.runs.jsonl")
        XCTAssertEqual(try c.register(experiment: experiment, runs: planned), 2)
        XCTAssertEqual(try c.runs(experiment: "e", status: .queued).map(\.hash), ["s", "h4"])
        XCTAssertEqual(try c.importArchive(try a.archive(experiment: "e"), source: "e.runs.jsonl", artifacts: bundles).artifacts, 1)
        XCTAssertEqual(try c.runs(experiment: "e", status: .queued).map(\.hash), ["h4"])
        XCTAssertEqual(try c.claim(experiment: "e", worker: WorkerIdentity(pid: 9), environment: environment).run?.hash, "h4")
    }

    func testABundleThatIsNotTheArchivedInstanceIsRefusedAndNothingIsImported() throws {
        let a = try storeWithArtifact()
        let bundles = folder.appendingPathComponent("results/artifact-bundles")
        try a.writeArtifactBundles(experiment: "e", stages: ["pretrain"], to: bundles)
        let weights = bundles.appendingPathComponent("s/model/parameters.f32")
        try Data("weighty".utf8).write(to: weights)
        let b = try store("b")
        XCTAssertThrowsError(try b.importArchive(try a.archive(experiment: "e"), source: "e.runs.jsonl", artifacts: bundles)) {
            XCTAssertTrue("\($0)".hasPrefix("\(weights.path): SHA-256 "), "\($0)")
            XCTAssertTrue("\($0)".contains(", its manifest says "), "\($0)")
        }
        XCTAssertEqual(try b.runs(experiment: "e").count, 0, "all of the archive or none of it")
        // The right files, but the manifest of another instance of s (made again, ending at another time).
        try Data("weights".utf8).write(to: weights)
        let manifestFile = bundles.appendingPathComponent("s/\(ArtifactBundle.manifestName)")
        var manifest = try ArtifactBundle.read(bundles.appendingPathComponent("s"))
        manifest.finishedAt = "2020-01-01T00:00:00.000Z"
        try JSONEncoder().encode(manifest).write(to: manifestFile)
        XCTAssertThrowsError(try b.importArchive(try a.archive(experiment: "e"), source: "e.runs.jsonl", artifacts: bundles)) {
            XCTAssertTrue("\($0)".contains("finished 2020-01-01T00:00:00.000Z, but the archive's stage run s is run 1 finished 20"), "\($0)")
        }
        XCTAssertEqual(try b.runs(experiment: "e").count, 0)
        XCTAssertNil(try b.artifact("s"))
    }

    func testImportedConfigurationsAreNotRunAgainAndQueuedOnesAreReplaced() throws {
        let archive = try recordedStore().archive(experiment: "e")
        let b = try store("b")
        // b plans the same experiment: h2 finished there already, h3 running there, h1 queued.
        try b.register(experiment: experiment, runs: [run("h2", seed: 2), run("h3", seed: 3)])
        let h2 = try XCTUnwrap(b.claim(experiment: "e", worker: WorkerIdentity(pid: 7), environment: environment).run)
        XCTAssertEqual(h2.hash, "h2")
        try b.finish(run: h2.id!, status: .finished, resultJSON: #"{"here":true}"#, error: nil)
        let h3 = try XCTUnwrap(b.claim(experiment: "e", worker: WorkerIdentity(pid: 8), environment: environment).run)
        XCTAssertEqual(h3.hash, "h3")
        try b.register(experiment: experiment, runs: [run("h1", seed: 1), run("h5", seed: 5)])

        let summary = try b.importArchive(archive, source: "e.runs.jsonl")
        XCTAssertEqual([summary.imported, summary.alreadyRecorded, summary.running, summary.stages], [2, 1, 1, 1])
        let byHash = Dictionary(uniqueKeysWithValues: try b.runs(experiment: "e").map { ($0.hash, $0) })
        XCTAssertEqual(byHash["h1"]?.status, .finished, "the queued h1 replaced by the archive's")
        XCTAssertEqual(byHash["h2"]?.resultJSON, #"{"here":true}"#, "a run ended here is kept")
        XCTAssertEqual(byHash["h3"]?.status, .running)
        XCTAssertEqual(try b.runs(experiment: "e").count, 5)
        // Planning again registers nothing (h1 has ended, so its stage is not needed) and the next claim is h5, never h1.
        XCTAssertEqual(try b.register(experiment: experiment, runs: [run("s", seed: 1, kind: .stage), run("h1", seed: 1, needs: ["s"]), run("h5", seed: 5)]), 0)
        XCTAssertEqual(try b.claim(experiment: "e", worker: WorkerIdentity(pid: 9), environment: environment).run?.hash, "h5")
        XCTAssertNil(try b.claim(experiment: "e", worker: WorkerIdentity(pid: 9), environment: environment).run)
        // A second import changes nothing.
        XCTAssertEqual(try b.importArchive(archive, source: "e.runs.jsonl").imported, 0)
    }

    /// A run queued to run again travels with the archive: another database holding its earlier result
    /// queues it too, an older archive does not bring that result back, a fresh database gets it queued
    /// with its history, and once it ends again its new result replaces the queued run.
    func testARunQueuedAgainTravelsWithTheArchive() throws {
        let a = try recordedStore()
        let older = try a.archive(experiment: "e")
        let b = try store("b")
        _ = try b.importArchive(older, source: "older.jsonl")
        let h1 = try XCTUnwrap(a.runs(experiment: "e").first { $0.hash == "h1" })
        XCTAssertEqual(try a.runAgain([h1.id!], reason: "met an earlier instance"), [h1.id!])
        let archive = try a.archive(experiment: "e")
        XCTAssertTrue(String(decoding: archive, as: UTF8.self).contains(#""kind":"earlier-result""#))
        XCTAssertEqual(String(decoding: archive, as: UTF8.self).split(separator: "\n").count, 1 + 4, "h1 still in it, as queued")

        // b holds the earlier result: queued there too, with the same history.
        let summary = try b.importArchive(archive, source: "e.runs.jsonl")
        XCTAssertEqual(summary.queuedAgain, 1)
        XCTAssertEqual(summary.alreadyRecorded, 3)
        let there = try XCTUnwrap(b.runs(experiment: "e").first { $0.hash == "h1" })
        XCTAssertEqual(there.status, .queued)
        XCTAssertEqual(try b.metrics(run: there.id!).count, 0)
        XCTAssertEqual(ResultsStore.earlierResults(in: try b.events(run: there.id!)).first?.resultJSON, #"{"test":{"accuracy":0.8125}}"#)
        // The older archive does not bring the earlier result back, here or there.
        XCTAssertEqual(try a.importArchive(older, source: "older.jsonl").imported, 0)
        XCTAssertEqual(try a.run(h1.id!)?.status, .queued)
        XCTAssertEqual(try b.importArchive(older, source: "older.jsonl").imported, 0)
        // A fresh database gets it queued, with its history.
        let c = try store("c")
        _ = try c.importArchive(archive, source: "e.runs.jsonl")
        let fresh = try XCTUnwrap(c.runs(experiment: "e").first { $0.hash == "h1" })
        XCTAssertEqual(fresh.status, .queued)
        XCTAssertEqual(try c.events(run: fresh.id!).map(\.kind), [EventRecord.earlierResult])
        // Run again in a, its new result replaces the queued run in b, and the history stays with it.
        let again = try XCTUnwrap(a.claim(experiment: "e", worker: WorkerIdentity(pid: 1), environment: environment, filter: RunFilter(only: [.seed: ["1"]])).run)
        XCTAssertEqual(again.hash, "h1")
        try a.finish(run: again.id!, status: .finished, resultJSON: #"{"test":{"accuracy":0.875}}"#, error: nil)
        XCTAssertEqual(try b.importArchive(try a.archive(experiment: "e"), source: "e.runs.jsonl").imported, 1)
        let rerun = try XCTUnwrap(b.runs(experiment: "e").first { $0.hash == "h1" })
        XCTAssertEqual(rerun.status, .finished)
        XCTAssertEqual(rerun.resultJSON, #"{"test":{"accuracy":0.875}}"#)
        XCTAssertEqual(try b.events(run: rerun.id!).map(\.kind), [EventRecord.earlierResult])
    }

    func testAMalformedLineIsNamedAndNothingIsImported() throws {
        let archive = try recordedStore().archive(experiment: "e")
        var lines = String(decoding: archive, as: UTF8.self).split(separator: "\n").map(String.init)
        lines[3] = lines[3].replacingOccurrences(of: #""seed":"#, with: #""seed":"three","was":"#)
        let b = try store("b")
        XCTAssertThrowsError(try b.importArchive(Data(lines.joined(separator: "\n").utf8), source: "results/e.runs.jsonl")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("results/e.runs.jsonl:4: run.seed"), text)
        }
        XCTAssertEqual(try b.runs(experiment: "e").count, 0, "the valid lines before it were not imported either")

        XCTAssertThrowsError(try b.importArchive(Data("{\"format\":\"something-else\",\"version\":1,\"experiment\":{}}\n".utf8), source: "x.jsonl")) { error in
            XCTAssertTrue("\(error)".hasPrefix("x.jsonl:1: not a run archive header"), "\(error)")
        }
        var wrongVersion = lines
        wrongVersion[0] = wrongVersion[0].replacingOccurrences(of: #""version":2"#, with: #""version":9"#)
        XCTAssertThrowsError(try b.importArchive(Data(wrongVersion.joined(separator: "\n").utf8), source: "x.jsonl")) { error in
            XCTAssertEqual("\(error)", "x.jsonl:1: archive version 9; this tlab reads versions 1 to 2")
        }
    }
}
