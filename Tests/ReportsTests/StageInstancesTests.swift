import Foundation
@testable import Reports
import Tracking
import XCTest

/// A stage made twice (its artifact stayed on a machine that is gone): the notebook names both
/// instances and which runs used each, by the runs' records or, for runs ended before such records
/// were kept, by when they ended.
final class StageInstancesTests: XCTestCase {
    func record(_ id: Int64, _ hash: String, kind: RunRecord.Kind = .run, needs: [String] = [], status: RunStatus = .finished,
                finished: TimeInterval?, core: String = "Zen", result: String? = nil) -> RunRecord {
        var r = RunRecord(experimentId: "e", hash: hash, arm: kind == .stage ? "stage:pretrain" : "siatl", dataset: "tweets", seed: 1, fold: nil,
                          trainingSize: "100", sweepJSON: "{}", configJSON: "{}", kind: kind, needs: needs)
        r.id = id
        r.status = status
        r.finishedAt = finished.map { Date(timeIntervalSince1970: $0) }
        r.gitRevision = "0123456789abcdef"
        r.host = "vm"
        r.blasCore = core
        r.threads = 1
        r.resultJSON = result
        return r
    }

    /// The instance a stage run made, replaced at `replaced` (nil: the one its artifact holds).
    func made(_ stage: RunRecord, replaced: TimeInterval? = nil) -> StageInstanceRecord {
        var instance = StageInstanceRecord(madeBy: stage)!
        instance.replacedAt = replaced.map { Date(timeIntervalSince1970: $0) }
        return instance
    }

    /// Run `run`'s record that it used the instance `stage` made (as `stage:pretrain`).
    func use(_ run: Int64, of stage: RunRecord, at: TimeInterval, earlierResult: Int64? = nil) -> ArtifactUseRecord {
        ArtifactUseRecord(runId: run, stage: "stage:pretrain", stageKey: stage.hash, madeByRun: stage.id, madeFinishedAt: made(stage).finishedAt,
                          at: Date(timeIntervalSince1970: at), earlierResult: earlierResult)
    }

    func testAStageMadeTwiceNamesBothInstancesAndTheRunsThatUsedEach() {
        let first = record(1, "k", kind: .stage, finished: 1_000, core: "Cooperlake",
                           result: #"{"kind":"lm-pretrain","summary":{"heldout_perplexity":313.2456964663667}}"#)
        let stage = record(1, "k", kind: .stage, finished: 5_000, result: #"{"kind":"lm-pretrain","summary":{"heldout_perplexity":312.9}}"#)
        let runs = [stage,
                    record(2, "a", needs: ["k"], finished: 2_000),             // ended before the stage was made again, no record
                    record(3, "b", needs: ["k"], finished: 6_000),             // records the second instance
                    record(4, "c", needs: ["k"], finished: 6_500),             // records the first one (it had started before)
                    record(5, "d", needs: ["k"], status: .queued, finished: nil),
                    record(6, "e", finished: 2_500)]                            // needs no artifact
        let history = StageHistory(instances: [made(first, replaced: 3_000), made(stage)],
                                   uses: [use(3, of: stage, at: 5_500), use(4, of: first, at: 2_900)])
        let lines = StageInstances(runs: runs, history: history).lines()
        XCTAssertEqual(lines.count, 1)
        let line = lines[0]
        XCTAssertTrue(line.hasPrefix("`stage:pretrain` (key `k`) was made 2 times (its artifact"), line)
        XCTAssertTrue(line.contains("made by run 1 finished 1970-01-01T00:16:40.000Z at revision 0123456789ab on vm with OpenBLAS Cooperlake, 1 thread(s) "
                                    + "(heldout_perplexity 313.2457) — used by 2 runs (1 name it in their records or their stages'; 1 ended before it was replaced); "), line)
        XCTAssertTrue(line.hasSuffix("made by run 1 finished 1970-01-01T01:23:20.000Z at revision 0123456789ab on vm with OpenBLAS Zen, 1 thread(s) "
                                     + "(heldout_perplexity 312.9) — used by 1 run (1 name it in their records or their stages')."), line)
    }

    /// A run that used the stage through another stage (a classifier on a fine-tuned LM) met the
    /// instance that stage met; runs on different instances of a stage both used differ.
    func testARunMeetsTheInstanceItsStageMet() throws {
        let first = record(1, "k", kind: .stage, finished: 1_000, core: "Cooperlake")
        let stage = record(1, "k", kind: .stage, finished: 5_000)
        var finetune = record(2, "f", kind: .stage, needs: ["k"], finished: 5_800)
        finetune.arm = "stage:finetune"
        let runs = [stage, finetune,
                    record(3, "u", needs: ["f"], finished: 6_000),   // through the fine-tuned LM: the second instance
                    record(4, "s", needs: ["k"], finished: 2_000),   // directly, ended before the stage was made again
                    record(5, "x", finished: 2_000)]                  // needs nothing
        let history = StageHistory(instances: [made(first, replaced: 3_000), made(stage)], uses: [use(2, of: stage, at: 5_100)])
        let used = StageInstances(runs: runs, history: history).used()
        XCTAssertEqual(used[3], ["k": 1])
        XCTAssertEqual(used[2], ["k": 1])
        XCTAssertEqual(used[4], ["k": 0])
        XCTAssertNil(used[5])
        XCTAssertTrue(StageInstances.differ(used[3]!, used[4]!))
        XCTAssertFalse(StageInstances.differ(used[3]!, used[2]!))
        XCTAssertFalse(StageInstances.differ(used[3]!, [:]), "a run that used no such stage differs from none")
        XCTAssertTrue(StageInstances(runs: runs, history: history).lines()[0].hasSuffix("— used by 2 runs (2 name it in their records or their stages')."))
        XCTAssertEqual(StageInstances(runs: runs, history: history).metEarlierInstances().map(\.id), [4], "what to run again")
        // Run 4 queued again: its earlier result still counts for the first instance (by when it ended: it recorded no use).
        var requeued = runs
        requeued[3].status = .queued
        requeued[3].finishedAt = nil
        var kept = EventRecord(runId: 4, kind: EventRecord.earlierResult,
                               message: #"{"reason":"r","status":"finished","attempts":1,"finishedAt":"1970-01-01T00:33:20.000Z","metrics":[],"events":[]}"#)
        kept.id = 40
        var earlier = try XCTUnwrap(ResultsStore.earlierResults(in: [kept]).first)
        XCTAssertEqual(earlier.eventId, 40)
        let line = StageInstances(runs: requeued, history: history, earlier: [4: [earlier]]).lines()[0]
        XCTAssertTrue(line.contains("— used by no run; earlier results of 1 run queued to run again used it too; "), line)
        XCTAssertEqual(StageInstances(runs: requeued, history: history, earlier: [4: [earlier]]).metEarlierInstances().map(\.id), [], "queued: nothing more to run again")
        // An earlier result that recorded its use is counted with the instance it names, whenever it ended.
        earlier.finishedAt = Date(timeIntervalSince1970: 5_900)
        var recorded = history
        recorded.uses.append(use(4, of: first, at: 2_900, earlierResult: 40))
        let named = StageInstances(runs: requeued, history: recorded, earlier: [4: [earlier]])
        XCTAssertEqual(named.met(by: requeued[3], earlier: earlier), ["k": 0])
        XCTAssertEqual(StageInstances(runs: requeued, history: history, earlier: [4: [earlier]]).met(by: requeued[3], earlier: earlier), ["k": 1],
                       "without the record, by when it ended")
        var remaking = runs, queuedAgain = history
        remaking[0].status = .queued
        queuedAgain.instances[1].replacedAt = Date(timeIntervalSince1970: 7_000)
        XCTAssertEqual(StageInstances(runs: remaking, history: queuedAgain).metEarlierInstances().map(\.id), [2, 3, 4],
                       "while the stage is made again, every run that used it met an earlier instance")
    }

    func testAStageBeingMadeAgainSaysSo() {
        let first = record(1, "k", kind: .stage, finished: 1_000, core: "Cooperlake")
        let stage = record(1, "k", kind: .stage, status: .running, finished: nil)
        let runs = [stage, record(2, "a", needs: ["k"], finished: 2_000), record(3, "b", needs: ["k"], status: .queued, finished: nil)]
        let line = StageInstances(runs: runs, history: StageHistory(instances: [made(first, replaced: 3_000)])).lines().first ?? ""
        XCTAssertTrue(line.hasPrefix("`stage:pretrain` (key `k`) was made once before "), line)
        XCTAssertTrue(line.hasSuffix("with OpenBLAS Cooperlake, 1 thread(s) — used by 1 run (1 ended before it was replaced); it is being made again now (running)."), line)
    }

    /// A stage made again that made the same model: by its artifact's SHA-256 where both instances have one, else
    /// (instances made before digests were kept) by the same kernels and the same results to the last digit.
    /// Runs that met either met one model: they pair, and are not run again.
    func testAnInstanceThatIsTheSameModelIsNotAnotherOne() {
        let figures = #""summary":{"generic_perplexity_after":298.3890023159975,"tokens":23766}"#
        func made(_ finished: TimeInterval, core: String, digest: String? = nil, after: String = figures) -> RunRecord {
            record(1, "k", kind: .stage, finished: finished, core: core,
                   result: "{\"kind\":\"lm-finetune\"," + after + (digest.map { ",\"artifactSHA256\":\"\($0)\"" } ?? "") + "}")
        }
        func instances(_ versions: [RunRecord]) -> (StageInstances, [Int64: [String: Int]]) {
            let stage = versions.last!
            var runs = [stage]
            var history = StageHistory(instances: versions.dropLast().enumerated().map { i, v in self.made(v, replaced: 1_500 + 1_000 * Double(i)) }
                                       + [self.made(stage)])
            for (i, v) in versions.enumerated() {  // run 10 + i met instance i
                runs.append(record(10 + Int64(i), "r\(i)", needs: ["k"], finished: v.finishedAt!.timeIntervalSince1970 + 100))
                history.uses.append(use(10 + Int64(i), of: v, at: v.finishedAt!.timeIntervalSince1970 + 10))
            }
            let found = StageInstances(runs: runs, history: history)
            return (found, found.used())
        }
        // Made on Zen, then twice on Cooperlake with the same figures (no digests kept yet).
        let (legacy, met) = instances([made(1_000, core: "Zen", after: #""summary":{"generic_perplexity_after":299.7363376382297,"tokens":23766}"#),
                                       made(2_000, core: "Cooperlake"), made(3_000, core: "Cooperlake")])
        XCTAssertEqual(met[10], ["k": 0])
        XCTAssertEqual(met[11], ["k": 1])
        XCTAssertEqual(met[12], ["k": 1], "the third instance is the second's model")
        XCTAssertFalse(StageInstances.differ(met[11]!, met[12]!))
        XCTAssertTrue(StageInstances.differ(met[10]!, met[12]!))
        XCTAssertEqual(legacy.metEarlierInstances().map(\.id), [10], "only the run on another model is run again")
        XCTAssertTrue(legacy.lines()[0].contains("— used by 1 run (1 name it in their records or their stages'); "
                                                 + "the same model as the 2nd (made on the same kernels, its results the same to the last digit)."), legacy.lines()[0])
        // The same figures on other kernels are another model.
        XCTAssertEqual(instances([made(1_000, core: "Zen"), made(2_000, core: "Cooperlake")]).1[11], ["k": 1])
        // Digests decide where both instances have one: equal, one model; different, two, whatever the figures say.
        let (hashed, same) = instances([made(1_000, core: "Cooperlake", digest: "aa"), made(2_000, core: "Zen", digest: "aa")])
        XCTAssertEqual(same[11], ["k": 0])
        XCTAssertTrue(hashed.lines()[0].hasSuffix("the same model as the 1st (its artifact's SHA-256 is the same)."), hashed.lines()[0])
        XCTAssertEqual(instances([made(1_000, core: "Cooperlake", digest: "aa"), made(2_000, core: "Cooperlake", digest: "bb")]).1[11], ["k": 1])
        // An instance with a digest and one without are compared as before digests: by kernels and figures.
        XCTAssertEqual(instances([made(1_000, core: "Cooperlake"), made(2_000, core: "Cooperlake", digest: "aa")]).1[11], ["k": 0])
    }

    func testStagesMadeOnceGetNoLine() {
        let runs = [record(1, "k", kind: .stage, finished: 1_000), record(2, "a", needs: ["k"], finished: 2_000)]
        XCTAssertEqual(StageInstances(runs: runs, history: StageHistory(instances: [made(runs[0])])).lines(), [])
    }
}
