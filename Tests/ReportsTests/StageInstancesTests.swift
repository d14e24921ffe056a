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

    func event(_ run: Int64, _ kind: String, _ message: String, at: TimeInterval) -> EventRecord {
        var e = EventRecord(runId: run, kind: kind, message: message)
        e.at = Date(timeIntervalSince1970: at)
        return e
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
        let used = { (run: RunRecord) in "uses stage:pretrain k, " + ResultsStore.instanceSummary(run) }
        let events: [Int64: [EventRecord]] = [
            1: [event(1, EventRecord.earlierInstance, ResultsStore.instanceSummary(first), at: 3_000)],
            3: [event(3, EventRecord.artifactUsed, used(stage), at: 5_500)],
            4: [event(4, EventRecord.artifactUsed, used(first), at: 2_900)],
        ]
        let lines = StageInstances(runs: runs, events: events).lines()
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
    func testARunMeetsTheInstanceItsStageMet() {
        let first = record(1, "k", kind: .stage, finished: 1_000, core: "Cooperlake")
        let stage = record(1, "k", kind: .stage, finished: 5_000)
        var finetune = record(2, "f", kind: .stage, needs: ["k"], finished: 5_800)
        finetune.arm = "stage:finetune"
        let runs = [stage, finetune,
                    record(3, "u", needs: ["f"], finished: 6_000),   // through the fine-tuned LM: the second instance
                    record(4, "s", needs: ["k"], finished: 2_000),   // directly, ended before the stage was made again
                    record(5, "x", finished: 2_000)]                  // needs nothing
        let events: [Int64: [EventRecord]] = [
            1: [event(1, EventRecord.earlierInstance, ResultsStore.instanceSummary(first), at: 3_000)],
            2: [event(2, EventRecord.artifactUsed, "uses stage:pretrain k, " + ResultsStore.instanceSummary(stage), at: 5_100)],
        ]
        let used = StageInstances(runs: runs, events: events).used()
        XCTAssertEqual(used[3], ["k": 1])
        XCTAssertEqual(used[2], ["k": 1])
        XCTAssertEqual(used[4], ["k": 0])
        XCTAssertNil(used[5])
        XCTAssertTrue(StageInstances.differ(used[3]!, used[4]!))
        XCTAssertFalse(StageInstances.differ(used[3]!, used[2]!))
        XCTAssertFalse(StageInstances.differ(used[3]!, [:]), "a run that used no such stage differs from none")
        XCTAssertTrue(StageInstances(runs: runs, events: events).lines()[0].hasSuffix("— used by 2 runs (2 name it in their records or their stages')."))
        XCTAssertEqual(StageInstances(runs: runs, events: events).metEarlierInstances().map(\.id), [4], "what to run again")
        // Run 4 queued again: its earlier result still counts for the first instance.
        var requeued = runs, withEarlier = events
        requeued[3].status = .queued
        requeued[3].finishedAt = nil
        withEarlier[4] = [event(4, EventRecord.earlierResult,
                                #"{"reason":"r","status":"finished","attempts":1,"finishedAt":"1970-01-01T00:33:20.000Z","metrics":[],"events":[]}"#, at: 8_000)]
        let line = StageInstances(runs: requeued, events: withEarlier).lines()[0]
        XCTAssertTrue(line.contains("— used by no run; earlier results of 1 run queued to run again used it too; "), line)
        XCTAssertEqual(StageInstances(runs: requeued, events: withEarlier).metEarlierInstances().map(\.id), [], "queued: nothing more to run again")
        var remaking = runs, queuedAgain = events
        remaking[0].status = .queued
        queuedAgain[1]!.append(event(1, EventRecord.earlierInstance, ResultsStore.instanceSummary(stage), at: 7_000))
        XCTAssertEqual(StageInstances(runs: remaking, events: queuedAgain).metEarlierInstances().map(\.id), [2, 3, 4],
                       "while the stage is made again, every run that used it met an earlier instance")
    }

    func testAStageBeingMadeAgainSaysSo() {
        let first = record(1, "k", kind: .stage, finished: 1_000, core: "Cooperlake")
        let stage = record(1, "k", kind: .stage, status: .running, finished: nil)
        let runs = [stage, record(2, "a", needs: ["k"], finished: 2_000), record(3, "b", needs: ["k"], status: .queued, finished: nil)]
        let events: [Int64: [EventRecord]] = [1: [event(1, EventRecord.earlierInstance, ResultsStore.instanceSummary(first), at: 3_000)]]
        let line = StageInstances(runs: runs, events: events).lines().first ?? ""
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
        let used = { (run: RunRecord) in "uses stage:pretrain k, " + ResultsStore.instanceSummary(run) }
        func instances(_ versions: [RunRecord]) -> (StageInstances, [Int64: [String: Int]]) {
            let stage = versions.last!
            var runs = [stage]
            var events: [Int64: [EventRecord]] = [1: versions.dropLast().enumerated().map { i, v in
                event(1, EventRecord.earlierInstance, ResultsStore.instanceSummary(v), at: 1_500 + 1_000 * Double(i))
            }]
            for (i, v) in versions.enumerated() {  // run 10 + i met instance i
                runs.append(record(10 + Int64(i), "r\(i)", needs: ["k"], finished: v.finishedAt!.timeIntervalSince1970 + 100))
                events[10 + Int64(i)] = [event(10 + Int64(i), EventRecord.artifactUsed, used(v), at: v.finishedAt!.timeIntervalSince1970 + 10)]
            }
            let found = StageInstances(runs: runs, events: events)
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
        XCTAssertEqual(StageInstances(runs: runs, events: [:]).lines(), [])
    }
}
