import Foundation
@testable import Tracking
import XCTest

final class DeadlineTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 2_000_000)
    var nextId: Int64 = 0

    func run(_ arm: String, seconds: Double? = nil, status: RunStatus? = nil, needs: [String] = [], kind: RunRecord.Kind = .run,
             hash: String = UUID().uuidString, dataset: String = "tweets") -> RunRecord {
        var r = RunRecord(experimentId: "e", hash: hash, arm: arm, dataset: dataset, seed: 1, fold: nil, trainingSize: "1000",
                          sweepJSON: "{}", configJSON: "{}", kind: kind, needs: needs)
        nextId += 1
        r.id = nextId
        r.status = status ?? (seconds == nil ? .queued : .finished)
        if let seconds {
            r.startedAt = now.addingTimeInterval(-10_000)
            r.finishedAt = r.startedAt!.addingTimeInterval(seconds)
        }
        return r
    }

    func testTheTimeIsMinutesFromNowOrAnISO8601Time() throws {
        XCTAssertEqual(try Deadline(parsing: "+90", now: now).date, now.addingTimeInterval(5400))
        XCTAssertEqual(try Deadline(parsing: "+90m", now: now).date, now.addingTimeInterval(5400))
        XCTAssertEqual(try Deadline(parsing: "+2h", now: now).date, now.addingTimeInterval(7200))
        XCTAssertEqual(try Deadline(parsing: "+0.5", now: now).date, now.addingTimeInterval(30))
        XCTAssertEqual(try Deadline(parsing: "2026-12-03T08:05:00Z").date, Date(timeIntervalSince1970: 1_796_285_100))
        for bad in ["90", "+", "+-5", "+2d", "tomorrow", "08:05"] {
            XCTAssertThrowsError(try Deadline(parsing: bad, now: now), bad) { error in
                XCTAssertTrue("\(error)".hasPrefix("--until '\(bad)': expected +MINUTES"), "\(error)")
            }
        }
        // A worker gets the very time its scheduler worked out.
        let deadline = try Deadline(parsing: "+45", now: Date(timeIntervalSince1970: 1_796_285_100))
        XCTAssertEqual(deadline.arguments, ["--until", "2026-12-03T08:50:00Z"])
        XCTAssertEqual(try Deadline(parsing: deadline.arguments[1]), deadline)
    }

    /// A run may start when the longest of its alike ended runs fits the time left, with the stages it waits for.
    func testARunStartsWhenItsLongestAlikeRunAndTheStagesItWaitsForFitTheTimeLeft() throws {
        let measured = [run("siatl", seconds: 100), run("siatl", seconds: 300), run("ulmfit", seconds: 50),
                        run("stage:finetune", seconds: 200, kind: .stage)]
        let siatl = run("siatl"), ulmfit = run("ulmfit")
        let stage = run("stage:finetune", kind: .stage, hash: "ft")
        let waiting = run("ulmfit", needs: ["ft"])
        let open = [siatl, ulmfit, stage, waiting]
        func admitted(secondsLeft seconds: Double, _ open: [RunRecord]) -> Set<Int64> {
            Deadline(now.addingTimeInterval(seconds)).admitted(open, all: measured + open, epochSeconds: [:], earlier: [:], now: now)
        }
        XCTAssertEqual(admitted(secondsLeft: 40, open), [])
        XCTAssertEqual(admitted(secondsLeft: 50, open), [ulmfit.id!])
        XCTAssertEqual(admitted(secondsLeft: 249, open), [ulmfit.id!], "the stage it waits for costs 200 more")
        XCTAssertEqual(admitted(secondsLeft: 250, open), [ulmfit.id!, stage.id!, waiting.id!], "a stage starts for a run it lets end in time")
        XCTAssertEqual(admitted(secondsLeft: 299, open), [ulmfit.id!, stage.id!, waiting.id!], "siatl's longest run, not its mean (200)")
        XCTAssertEqual(admitted(secondsLeft: 300, open), Set(open.map(\.id!)))
        // A stage running for 150 s has 50 s left of its price; it is not admitted again.
        var running = stage
        running.status = .running
        running.startedAt = now.addingTimeInterval(-150)
        XCTAssertEqual(admitted(secondsLeft: 100, [ulmfit, running, waiting]), [ulmfit.id!, waiting.id!])
        XCTAssertEqual(admitted(secondsLeft: 99, [ulmfit, running, waiting]), [ulmfit.id!])
        // A run resuming from a saved state with 250 s of training costs the 50 s left of its price; running
        // again for 20 s since, 30 s; running for longer than its state says, its price less the time it has run.
        XCTAssertEqual(Deadline(now.addingTimeInterval(50)).admitted([siatl], all: measured + [siatl], epochSeconds: [:], earlier: [:],
                                                                     trained: [siatl.id!: 250], now: now), [siatl.id!])
        XCTAssertEqual(Deadline(now.addingTimeInterval(49)).admitted([siatl], all: measured + [siatl], epochSeconds: [:], earlier: [:],
                                                                     trained: [siatl.id!: 250], now: now), [])
        var resumed = siatl
        resumed.status = .running
        resumed.startedAt = now.addingTimeInterval(-20)
        XCTAssertEqual(Deadline(now.addingTimeInterval(20)).admitted([resumed, waiting, running], all: measured + [resumed, waiting, running],
                                                                     epochSeconds: [:], earlier: [:], trained: [resumed.id!: 270], now: now),
                       [], "nothing queued fits 20 s: the waiting run's 50 s and its stage's")
        XCTAssertEqual(Deadline(now.addingTimeInterval(100)).admitted([resumed, waiting, running], all: measured + [resumed, waiting, running],
                                                                      epochSeconds: [:], earlier: [:], trained: [resumed.id!: 270, running.id!: 180], now: now),
                       [waiting.id!], "the stage's state holds 180 s: 20 s left of it and 50 s of the run")
        // A stage no run of the selection waits for does not start.
        XCTAssertEqual(admitted(secondsLeft: 1000, [stage]), [])
    }

    /// A stage is priced by ended stages of its own name: a 10-hour pretraining does not keep the first fine-tuning
    /// stage, and every run waiting for one, from ever starting under a deadline.
    func testAStageIsPricedByStagesOfItsNameAlone() {
        let measured = [run("siatl", seconds: 100), run("stage:pretrain", seconds: 36_000, kind: .stage)]
        let finetune = run("stage:finetune", kind: .stage, hash: "ft")
        let waiting = run("ulmfit", needs: ["ft"])
        func admitted(secondsLeft seconds: Double, _ all: [RunRecord]) -> Set<Int64> {
            Deadline(now.addingTimeInterval(seconds)).admitted([finetune, waiting], all: all + [finetune, waiting], epochSeconds: [:], earlier: [:], now: now)
        }
        XCTAssertEqual(admitted(secondsLeft: 100, measured), [finetune.id!, waiting.id!], "no fine-tuning stage has ended: it costs nothing")
        XCTAssertEqual(admitted(secondsLeft: 99, measured), [])
        let oneEnded = measured + [run("stage:finetune", seconds: 500, kind: .stage)]
        XCTAssertEqual(admitted(secondsLeft: 599, oneEnded), [])
        XCTAssertEqual(admitted(secondsLeft: 600, oneEnded), [finetune.id!, waiting.id!], "its own kind's 500 s and the run's 100")

        // Fine-tuning has ended on another dataset only: it prices this one's, not the pretraining (any stage of any name).
        let elsewhere = [run("siatl", seconds: 100, dataset: "mr"), run("stage:pretrain", seconds: 36_000, kind: .stage),
                         run("stage:finetune", seconds: 500, kind: .stage, dataset: "mr")]
        let otherFinetune = run("stage:finetune", kind: .stage, hash: "ft-bbc", dataset: "bbc")
        let otherWaiting = run("ulmfit", needs: ["ft-bbc"], dataset: "bbc")
        let open = [otherFinetune, otherWaiting]
        XCTAssertEqual(Deadline(now.addingTimeInterval(600)).admitted(open, all: elsewhere + open, epochSeconds: [:], earlier: [:], now: now),
                       [otherFinetune.id!, otherWaiting.id!], "the other dataset's fine-tuning (500 s) and any run (100 s)")
        XCTAssertEqual(Deadline(now.addingTimeInterval(599)).admitted(open, all: elsewhere + open, epochSeconds: [:], earlier: [:], now: now), [])
    }

    /// Before anything of a kind has ended, nothing says its runs will not end in time.
    func testWithNothingMeasuredEveryRunMayStart() {
        let stage = run("stage:pretrain", kind: .stage, hash: "lm")
        let open = [run("siatl", needs: ["lm"]), stage]
        XCTAssertEqual(Deadline(now.addingTimeInterval(1)).admitted(open, all: open, epochSeconds: [:], earlier: [:], now: now),
                       Set(open.map(\.id!)))
        let measured = [run("siatl", seconds: 100)]
        XCTAssertEqual(Deadline(now.addingTimeInterval(100)).admitted(open, all: measured + open, epochSeconds: [:], earlier: [:], now: now),
                       Set(open.map(\.id!)), "no stage has ended: the stage costs nothing")
        XCTAssertEqual(Deadline(now.addingTimeInterval(99)).admitted(open, all: measured + open, epochSeconds: [:], earlier: [:], now: now), [])
    }
}
