import Foundation
@testable import Tracking
import XCTest

final class WorkEstimateTests: XCTestCase {
    let start = Date(timeIntervalSince1970: 1_000_000)
    var nextId: Int64 = 0

    func run(_ dataset: String, _ arm: String, size: String?, sweep: String = "{}", seconds: Double? = nil,
             examples: Int? = nil, status: RunStatus? = nil, kind: RunRecord.Kind = .run) -> RunRecord {
        var r = RunRecord(experimentId: "e", hash: UUID().uuidString, arm: arm, dataset: dataset, seed: 1, fold: nil,
                          trainingSize: size, sweepJSON: sweep, configJSON: "{}", kind: kind)
        nextId += 1
        r.id = nextId
        if let seconds {
            r.status = status ?? .finished
            r.startedAt = start
            r.finishedAt = start.addingTimeInterval(seconds)
            r.resultJSON = examples.map { "{\"trainExamples\":\($0),\"status\":\"finished\"}" }
        } else {
            r.status = status ?? .queued
        }
        return r
    }

    /// A run queued to run again (`tlab requeue`) took as long before: its earlier results price it, as a
    /// measured run of its own cell would — the longest of their wall time and their epochs' seconds.
    func testTheEarlierResultsOfARunQueuedAgainPriceIt() throws {
        let measured = [run("mr", "none", size: "100", seconds: 10)]
        let again = run("mr", "siatl", size: "100")
        func earlier(_ status: RunStatus, wall: Double, epochs: [Double] = []) -> ResultsStore.EarlierResult {
            ResultsStore.EarlierResult(reason: "met an earlier instance", status: status, attempts: 1, startedAt: start,
                                       finishedAt: start.addingTimeInterval(wall), host: nil, gitRevision: nil, blasCore: nil, threads: nil,
                                       resultJSON: nil, error: nil,
                                       metrics: epochs.enumerated().map { MetricRecord(runId: again.id!, epoch: $0 + 1, split: "train", name: "seconds", value: $1) },
                                       events: [])
        }
        func left(_ results: [ResultsStore.EarlierResult]) throws -> Double {
            try XCTUnwrap(WorkEstimate(runs: measured + [again], earlier: [again.id!: results])).seconds
        }
        XCTAssertEqual(try left([]), 10, "without them: the dataset's mean")
        XCTAssertEqual(try left([earlier(.finished, wall: 300)]), 300)
        XCTAssertEqual(try left([earlier(.finished, wall: 300, epochs: [250, 150])]), 400, "a resumed run's epochs outlast its last attempt")
        XCTAssertEqual(try left([earlier(.finished, wall: 300), earlier(.diverged, wall: 100)]), 200, "a diverged result is a duration too")
        XCTAssertEqual(try left([earlier(.failed, wall: 300)]), 10, "a failed one is not")
        let estimate = try XCTUnwrap(WorkEstimate(runs: measured + [again], earlier: [again.id!: [earlier(.finished, wall: 300)]]))
        XCTAssertEqual(estimate.runsLeft, 1)
        XCTAssertEqual(estimate.measured.first?.runs, 2, "the earlier result counts among the measured runs")
    }

    /// Each level of likeness, worked by hand.
    func testEachRunLeftIsPricedAtTheMostAlikeMeasuredRuns() throws {
        let measured = [
            run("tweets", "siatl", size: "100", sweep: "{\"lr\":1}", seconds: 200, examples: 100),
            run("tweets", "siatl", size: "100", sweep: "{\"lr\":2}", seconds: 300, examples: 100),
            run("tweets", "siatl", size: "1000", seconds: 650, examples: 1000),
            run("tweets", "none", size: "all", seconds: 1000, examples: 20_000),
            run("tweets", "none", size: "100", seconds: 40, examples: 100, status: .diverged),
            run("mr", "siatl", size: "100", seconds: 60, examples: 100),
            run("mr", "siatl", size: "100", seconds: 90, status: .failed),  // failed: not a duration
            run("stage", "stage:pretrain", size: nil, seconds: 5000, kind: .stage),
        ]
        func left(_ runs: RunRecord...) throws -> Double { try XCTUnwrap(WorkEstimate(runs: measured + runs)).seconds }
        // 1. same dataset, arm, size and sweep values; 2. same dataset, arm and size.
        XCTAssertEqual(try left(run("tweets", "siatl", size: "100", sweep: "{\"lr\":2}")), 300)
        XCTAssertEqual(try left(run("tweets", "siatl", size: "100", sweep: "{\"lr\":3}")), 250)
        // 3. along the sizes: the line through (100, 250) and (1000, 650) is 250 + (n − 100)·4/9;
        // `all` is 20,000 examples (the other arm's run on the whole split says so).
        let slope: Double = 4.0 / 9
        XCTAssertEqual(try left(run("tweets", "siatl", size: "3000")), 250 + 2900 * slope, accuracy: 1e-9)
        XCTAssertEqual(try left(run("tweets", "siatl", size: "all")), 250 + 19_900 * slope, accuracy: 1e-9)
        XCTAssertEqual(try left(run("tweets", "siatl", size: "10")), 250, "never below the smallest measured size's mean")
        // One measured size is no line: 4. the dataset's mean; 5. every measured run's.
        XCTAssertEqual(try left(run("mr", "siatl", size: "300")), 60)
        let overall: Double = (200 + 300 + 650 + 1000 + 40 + 60) / 6
        XCTAssertEqual(try left(run("bbc", "siatl", size: "300")), overall)
        // An arm no run has measured (another model, perhaps) is priced at the spec's plan.seconds_per_run when given;
        // an arm measured on another dataset keeps the levels above.
        let bert = run("tweets", "bert", size: "100")
        XCTAssertEqual(try left(bert), (200 + 300 + 650 + 1000 + 40) / 5, "without the spec's price, the dataset's mean run")
        let priced = try XCTUnwrap(WorkEstimate(runs: measured + [bert, run("bbc", "siatl", size: "300")], unmeasuredArm: 1500))
        XCTAssertEqual(priced.seconds, 1500 + overall)
        XCTAssertEqual(priced.unmeasuredArms, ["bert"])
        // Running runs count; stages and ended runs do not.
        let estimate = try XCTUnwrap(WorkEstimate(runs: measured + [
            run("mr", "siatl", size: "100", status: .running), run("x", "stage:finetune", size: "100", kind: .stage),
        ]))
        XCTAssertEqual(estimate.runsLeft, 1)
        XCTAssertEqual(estimate.seconds, 60)
        XCTAssertEqual(estimate.measured.map(\.dataset), ["mr", "tweets"])
        let tweetsMean: Double = (200 + 300 + 650 + 1000 + 40) / 5
        XCTAssertEqual(estimate.measured.map(\.meanSeconds), [60, tweetsMean])
        XCTAssertEqual(estimate.measured.map(\.runs), [1, 5])
        // A selection (`tlab plan --only …`) prices only its runs left, at prices from every ended run.
        let tweets = RunFilter(only: [.dataset: ["tweets"]])
        let selected = try XCTUnwrap(WorkEstimate(runs: measured + [run("mr", "siatl", size: "100"), run("tweets", "siatl", size: "1000")],
                                                  pricing: tweets.accepts))
        XCTAssertEqual(selected.runsLeft, 1)
        XCTAssertEqual(selected.seconds, 650)
        XCTAssertNil(WorkEstimate(runs: measured + [run("mr", "siatl", size: "100")], pricing: tweets.accepts), "nothing left in the selection")
        XCTAssertNil(WorkEstimate(runs: measured), "nothing left")
        XCTAssertNil(WorkEstimate(runs: [run("mr", "siatl", size: "100")]), "nothing measured")
    }

    /// A run resumed after an interruption took longer than its last attempt's wall time: its result's
    /// seconds count the earlier attempts, and for runs recorded before they did, its epochs' seconds do.
    func testResumedRunsArePricedAtTheirWholeTraining() throws {
        var resumed = run("tweets", "siatl", size: "all", seconds: 100)
        resumed.resultJSON = #"{"status":"finished","seconds":400}"#
        let left = run("tweets", "siatl", size: "all")
        XCTAssertEqual(try XCTUnwrap(WorkEstimate(runs: [resumed, left])).seconds, 400)
        var older = run("tweets", "siatl", size: "all", seconds: 100)
        older.resultJSON = #"{"status":"finished","seconds":95}"#
        XCTAssertEqual(try XCTUnwrap(WorkEstimate(runs: [older, left])).seconds, 100, "the wall time, when longer")
        XCTAssertEqual(try XCTUnwrap(WorkEstimate(runs: [older, left], epochSeconds: [older.id!: 900])).seconds, 900)
        XCTAssertEqual(try XCTUnwrap(WorkEstimate(runs: [older, left], epochSeconds: [left.id!: 900])).seconds, 100, "another run's epochs")
        // A run left that resumes from a saved state has that much less to do.
        XCTAssertEqual(try XCTUnwrap(WorkEstimate(runs: [older, left], trained: [left.id!: 60])).seconds, 40)
        XCTAssertEqual(try XCTUnwrap(WorkEstimate(runs: [older, left], trained: [left.id!: 160])).seconds, 0, "never below nothing")
    }

    /// A run that ended on T BLAS threads counts T times its duration: prices are one-thread seconds, and
    /// T-fold is the most T threads can speed a run up, so a `Deadline` bound made from it stays a bound.
    func testARunOnSeveralThreadsIsPricedAtTheMostItsOneThreadTimeCanBe() throws {
        var twoThreads = run("tweets", "siatl", size: "all", seconds: 100)
        twoThreads.threads = 2
        let oneThread = run("tweets", "siatl", size: "all", seconds: 150)
        let left = run("tweets", "siatl", size: "all")
        XCTAssertEqual(try XCTUnwrap(WorkEstimate(runs: [twoThreads, left])).seconds, 200)
        XCTAssertEqual(try XCTUnwrap(WorkEstimate(runs: [twoThreads, oneThread, left])).seconds, 175, "the mean of 200 and 150")
        let longest = try XCTUnwrap(RunPrices(runs: [twoThreads, oneThread], statistic: .longest))
        XCTAssertEqual(longest.seconds(of: left), 200)
        let deadline = Deadline(start.addingTimeInterval(190))
        XCTAssertEqual(deadline.admitted([left], runs: longest, stages: nil, now: start), [], "190 s are not enough for it on one thread")
        XCTAssertEqual(Deadline(start.addingTimeInterval(200)).admitted([left], runs: longest, stages: nil, now: start), [left.id!])
        // An earlier result (a run queued to run again) counts its own threads.
        let again = run("tweets", "siatl", size: "all")
        let earlier = ResultsStore.EarlierResult(reason: "r", status: .finished, attempts: 1, startedAt: start,
                                                 finishedAt: start.addingTimeInterval(100), host: nil, gitRevision: nil, blasCore: nil,
                                                 threads: 2, resultJSON: nil, error: nil, metrics: [], events: [])
        XCTAssertEqual(try XCTUnwrap(WorkEstimate(runs: [again], earlier: [again.id!: [earlier]])).seconds, 200)
    }
}
