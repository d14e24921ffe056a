import Foundation
import TestSupport
@testable import Reports
import Specs
import Tracking
import XCTest

/// `report.claims`: claims stated in the spec are checked on the chosen runs, per dataset and
/// setting, with the margin-by-size form for learning-curve claims.
final class ClaimsTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try temporaryFolder("tlab-claims")
    }

    func spec(_ claims: String, extraMetrics: String = "[retention]") throws -> LoadedSpec {
        let path = folder.appendingPathComponent("claims.yaml")
        try Data("""
        experiment: {id: claims}
        data: {datasets: [mr, tw], training_sizes: [100, 300, all]}
        model: {kind: kim-cnn}
        arms: {new: {}, old: {}}
        sweep: {seed: [1, 2, 3]}
        report:
          baseline: old
          extra_metrics: \(extraMetrics)
          claims: \(claims)
        """.utf8).write(to: path)
        return try SpecLoader.load(path.path)
    }

    /// Test accuracy of `new` above `old` by 3 / 2 / 1 points at sizes 100 / 300 / all on `mr`
    /// (plus seed noise), and below it by 0.1 (with noise, so not significant) everywhere on `tw`;
    /// `retention` 0.1 lower for `new` everywhere.
    func runs(_ spec: LoadedSpec) throws -> [RunRecord] {
        var id: Int64 = 0
        return try Expansion.runs(spec).map { planned in
            id += 1
            var r = RunRecord(experimentId: "claims", hash: planned.hash, arm: planned.arm, dataset: planned.dataset, seed: planned.seed,
                              fold: nil, trainingSize: planned.trainingSize, sweepJSON: "{}", configJSON: "{}")
            r.id = id
            r.status = .finished
            let margin = ["100": 0.03, "300": 0.02, "all": 0.01][planned.trainingSize!]!
            let noise = 0.001 * Double(planned.seed * planned.seed)
            let test: Double
            if planned.dataset == "mr" { test = 0.7 + (planned.arm == "new" ? margin + noise : 0) }
            else { test = 0.7 + (planned.arm == "new" ? -0.001 + 0.004 * Double(planned.seed % 2 == 0 ? 1 : -1) : 0) }
            let retention = planned.arm == "new" ? 0.4 + noise : 0.5
            r.resultJSON = "{\"valid\":{\"accuracy\":0.5,\"macroF1\":0.5,\"loss\":0.5},\"test\":{\"accuracy\":\(test),\"macroF1\":\(test),\"loss\":0.5},\"extras\":{\"retention\":\(retention)}}"
            return r
        }
    }

    func render(_ spec: LoadedSpec, _ runs: [RunRecord], stages: StageHistory = StageHistory(), savedTraining: [Int64: Double] = [:]) throws -> String {
        try Notebook(spec: spec, runs: runs, metrics: [:], context: Notebook.Context(
            command: "tlab report claims.yaml", gitRevision: "abc", database: "r.sqlite", dataLines: [], exportFiles: [],
            savedTraining: savedTraining), stages: stages).render().markdown
    }

    /// A claim on a test metric other than the report's (macro-F1 beside accuracy) reads in points of it.
    func testAClaimOnMacroF1IsCheckedInItsPoints() throws {
        let loaded = try spec("[{claim: New beats old on macro-F1, arm: new, baseline: old, expect: higher, metric: macro_f1}]",
                              extraMetrics: "[macro_f1, retention]")
        let markdown = try render(loaded, try runs(loaded))  // the fixture's macro-F1 equals its accuracy
        XCTAssertTrue(markdown.contains("**1. New beats old on macro-F1**: `new` higher than `old` on test macro-F1 — **held where significant**"), markdown)
        XCTAssertTrue(markdown.contains("| mr | size=100 | +3.5 (p = 0.0"), markdown)
        XCTAssertTrue(markdown.contains("Test macro-F1 (%) of the same chosen runs"), markdown)
    }

    /// Pairs whose runs met different instances of a stage made twice (seed 1 of `new` ended before
    /// the stage was made again, every other run after) are left out of the test, marked and counted.
    func testPairsOnDifferentInstancesOfAStageAreMarked() throws {
        let loaded = try spec("[{claim: New beats old, arm: new, baseline: old, expect: higher}]")
        var stage = RunRecord(experimentId: "claims", hash: "k", arm: "stage:pretrain", dataset: "corpus", seed: 1, fold: nil,
                              trainingSize: nil, sweepJSON: "{}", configJSON: "{}", kind: .stage)
        stage.id = 1_000
        stage.status = .finished
        stage.finishedAt = Date(timeIntervalSince1970: 5_000)
        let all = try runs(loaded).map { run -> RunRecord in
            var r = run
            r.needs = #"["k"]"#
            r.finishedAt = Date(timeIntervalSince1970: r.arm == "new" && r.seed == 1 ? 2_000 : 6_000)
            return r
        }
        let earlier = StageInstanceRecord(experimentId: "claims", stageKey: "k", madeByRun: 1_000, finishedAt: "1970-01-01T00:16:40.000Z", gitRevision: "abc",
                                          host: nil, blasCore: nil, threads: nil, resultJSON: nil, replacedAt: Date(timeIntervalSince1970: 3_000))
        let markdown = try render(loaded, all + [stage], stages: StageHistory(instances: [earlier, StageInstanceRecord(madeBy: stage)!]))
        XCTAssertEqual(markdown.components(separatedBy: " † |").count - 1, 6, markdown)
        XCTAssertTrue(markdown.contains("† 6 pairs in 6 settings are left out of the test: their two runs met different instances of a stage"), markdown)
        // Seeds 2 and 3 are tested: on mr at 100 `new` is 3.4 and 3.9 points up (3 + 0.1·seed²).
        XCTAssertTrue(markdown.contains("| mr | size=100 | +3.7 (p = 0.0"), markdown)
        XCTAssertTrue(markdown.contains("n = 2) † | **not a fair test**: only 2 pairs for the test |"), markdown)
        // The difference tables leave them out too, and say so.
        XCTAssertTrue(markdown.contains("| mr | +3.7 (p = 0.0"), markdown)
        XCTAssertTrue(markdown.contains("n = 2) †1 |"), markdown)
        XCTAssertTrue(markdown.contains("†k: k pairs left out of the test"), markdown)
        XCTAssertFalse(try render(loaded, try runs(loaded)).contains("†"), "runs of one instance are not marked")
    }

    func testClaimsAreCheckedPerSettingWithTheirMarginsBySize() throws {
        let loaded = try spec("""
        [{claim: New beats old, source: folklore, arm: new, baseline: old, expect: higher, margin: largest-at-smallest-size},
                   {claim: New forgets more, arm: new, baseline: old, expect: lower, metric: retention},
                   {claim: New is worse, arm: new, baseline: old, expect: lower}]
        """)
        let markdown = try render(loaded, try runs(loaded))
        let section = try XCTUnwrap(markdown.components(separatedBy: "## Claims checked against our runs").dropFirst().first)
            .components(separatedBy: "## Results").first!
        // mr: significant +3/+2/+1 (plus noise); tw: −0.1 with ±0.4 noise, not significant.
        XCTAssertTrue(section.contains("**1. New beats old** (folklore): `new` higher than `old` on test accuracy — **held where significant**: held in 3 of 6 settings, contradicted in none, not significant in 3 (the claimed direction in 0, the opposite in 3)."), section)
        XCTAssertTrue(section.contains("| mr | size=100 | +3.5 (p = 0.0"), section)
        XCTAssertTrue(section.contains("| mr | size=all | +1.5 (p = 0.0"), section)
        XCTAssertTrue(section.contains("| tw | size=300 | -0.2 (p = "), section)
        XCTAssertTrue(section.contains("opposite, not significant"), section)
        // The margin curve: largest at 100 on mr, not on tw (its margins are negative).
        XCTAssertTrue(section.contains("| mr | – | 100: +3.5* · 300: +2.5* · all: +1.5* | yes |"), section)
        XCTAssertTrue(section.contains("| tw | – | 100: -0.2 · 300: -0.2 · all: -0.2 | no |"), section)
        XCTAssertTrue(section.contains("largest at the smallest size in 1 of 2 curves."), section)
        // An extra metric on its own scale: retention 0.1 lower (less noise) everywhere.
        XCTAssertTrue(section.contains("**2. New forgets more**: `new` lower than `old` on `retention` — **held** in all 6 settings."), section)
        XCTAssertTrue(section.contains("| mr | size=100 | -0.0953 (p < 0.001, n = 3) | holds |"), section)
        // The opposite claim on the main metric is contradicted where the first held.
        XCTAssertTrue(section.contains("**3. New is worse**: `new` lower than `old` on test accuracy — **contradicted where significant**: contradicted in 3 of 6 settings, held in none, not significant in 3 (the claimed direction in 3, the opposite in 0)."), section)
    }

    func testClaimsWithoutPairedRunsAreNotTestableYet() throws {
        let loaded = try spec("[{claim: New beats old, arm: new, baseline: old, expect: higher, margin: largest-at-smallest-size}]")
        // One seed only: no paired test anywhere.
        let markdown = try render(loaded, try runs(loaded).filter { $0.seed == 1 })
        XCTAssertTrue(markdown.contains("— not testable yet: none of the 6 settings with runs of both arms has two of them paired by seed."), markdown)
        XCTAssertTrue(markdown.contains("Margin by training-set size: not testable yet"), markdown)
        XCTAssertFalse(markdown.contains("| dataset | setting | new − old | outcome |"), markdown)
        // … but the one pair of each setting gives its direction, untested.
        XCTAssertTrue(markdown.contains("6 settings have one paired seed so far — the difference of that one pair, with no test (a direction, not a result):\n\n"
                                        + "| dataset | setting | new − old (one seed) | direction |\n|---|---|---|---|\n"
                                        + "| mr | size=100 | +3.1 | as claimed |\n| mr | size=300 | +2.1 | as claimed |\n| mr | size=all | +1.1 | as claimed |\n"
                                        + "| tw | size=100 | -0.5 | opposite |\n"), markdown)
        // Before any run.
        XCTAssertTrue(try render(loaded, []).contains("— not testable yet: no dataset has runs of both arms."))
        // Some settings tested, others still waiting for their second seed.
        let partial = try render(loaded, try runs(loaded).filter { $0.seed < 3 || $0.trainingSize != "all" }.filter { $0.seed == 1 || $0.trainingSize != "300" })
        XCTAssertTrue(partial.contains("; 2 more settings have fewer than two paired runs yet."), partial)
        XCTAssertTrue(partial.contains("Not testable yet: 2 settings have one paired seed so far"), partial)
        XCTAssertFalse(partial.contains("Interim report"), partial)
        // Runs still queued make the whole notebook an interim one, said at its top.
        var queued = try runs(loaded)
        for i in queued.indices where queued[i].seed == 3 { queued[i].status = .queued; queued[i].resultJSON = nil }
        queued[0].status = .running
        XCTAssertTrue(try render(loaded, queued).contains("> **Interim report**: 23 of 36 recorded runs have ended; 13 are still queued or running. "))
        // With the ended runs' times, the work left priced as `tlab plan` prices it: the 13 runs left are
        // seed 3 of cells whose seeds 1 and 2 took 600 s each → 13 × 600 s ≈ 2.2 h.
        for i in queued.indices where queued[i].status == .finished {
            queued[i].startedAt = Date(timeIntervalSince1970: 0)
            queued[i].finishedAt = Date(timeIntervalSince1970: 600)
        }
        let interim = try render(loaded, queued)
        XCTAssertTrue(interim.contains("13 are still queued or running (≈ 2.2 h of work on one worker with one BLAS thread, each priced at the ended runs most like it, "
                                       + "less what saved states of stopped runs hold; stage runs not included). "), interim)
        // Two of them stopped after 300 s and 600 s of training, their states saved: 11 × 600 s + 300 s ≈ 1.9 h.
        let stopped = queued.filter { $0.status == .queued }.prefix(2).map { $0.id! }
        XCTAssertTrue(try render(loaded, queued, savedTraining: [stopped[0]: 300, stopped[1]: 600]).contains("13 are still queued or running (≈ 1.9 h of work"))
        // One run left is said in the singular.
        var last = try runs(loaded)
        last[0].status = .queued
        last[0].resultJSON = nil
        let one = try render(loaded, last)
        XCTAssertTrue(one.contains("> **Interim report**: 35 of 36 recorded runs have ended; 1 is still queued or running. "), one)
    }

    /// `report.scatter`: one marker per arm at the means of its chosen runs, per dataset and setting;
    /// runs without per-epoch metrics get no (empty) learning-curve plot.
    func testScatterPlotsOnePointPerArm() throws {
        let loaded = try spec("[{claim: x, arm: new, baseline: old, expect: higher}]\n  scatter: [{x: retention, y: accuracy}]")
        let (markdown, plots) = try Notebook(spec: loaded, runs: try runs(loaded), metrics: [:], context: Notebook.Context(
            command: "tlab report claims.yaml", gitRevision: "abc", database: "r.sqlite", dataLines: [], exportFiles: [])).render()
        XCTAssertFalse(plots.keys.contains { $0.contains("curves-") }, "\(plots.keys)")
        let name = "claims/scatter-mr-size-100-accuracy-vs-retention.svg"
        XCTAssertTrue(markdown.contains("![accuracy against retention, mr](\(name))"), markdown)
        let svg = try XCTUnwrap(plots[name], "\(plots.keys.sorted())")
        XCTAssertEqual(svg.components(separatedBy: "<circle cx=").count - 1, 2, "one marker per arm")
        XCTAssertFalse(svg.contains("<polyline"), svg)
        XCTAssertTrue(svg.contains(">new<") && svg.contains(">old<") && svg.contains("test accuracy (%)"), svg)
        // new: retention 0.405 at 73.5%; old: 0.5 at 70%: new left of and above old, both inside the axes.
        let markers = svg.components(separatedBy: "<circle cx=\"").dropFirst().prefix(2).map { part -> (Double, Double) in
            let fields = part.components(separatedBy: "\"")
            return (Double(fields[0])!, Double(fields[2])!)
        }
        XCTAssertLessThan(markers[0].0, markers[1].0)
        XCTAssertLessThan(markers[0].1, markers[1].1, "SVG y grows downwards")
        XCTAssertTrue(markers.allSatisfy { $0.0 > 64 && $0.0 < 490 && $0.1 > 36 && $0.1 < 352 }, "\(markers)")
    }

    /// An equivalence claim (`expect: within`, tolerance in points) is judged by two one-sided tests: on `tw` the
    /// 90% interval of −0.2 ± 0.8 lies inside ±2 points (held); on `mr` at size 100 it lies wholly above +2
    /// (contradicted); at size all (+1.5, interval reaching +2.1) it is neither.
    func testAnEquivalenceClaimIsJudgedByTwoOneSidedTests() throws {
        let loaded = try spec("[{claim: New matches old, arm: new, baseline: old, expect: within, tolerance: 2}]")
        let markdown = try render(loaded, try runs(loaded))
        XCTAssertTrue(markdown.contains("**1. New matches old**: `new` within ±2.0 of `old` on test accuracy — **mixed**"), markdown)
        let rows = markdown.components(separatedBy: "\n")
        func row(_ dataset: String, _ size: String) -> String { rows.first { $0.hasPrefix("| \(dataset) | size=\(size) |") } ?? "" }
        XCTAssertTrue(row("tw", "100").hasSuffix("| holds |"), row("tw", "100"))
        XCTAssertTrue(row("mr", "100").hasSuffix("| contradicted (significant) |"), row("mr", "100"))
        XCTAssertTrue(row("mr", "all").hasPrefix("| mr | size=all | +1.5 (equivalence p = ") && row("mr", "all").hasSuffix("| inside the tolerance, equivalence not shown |"), row("mr", "all"))
        let d = [0.0347, 0.0301, 0.0395]
        let t = try XCTUnwrap(Statistics.pairedTTest(d, [0, 0, 0]))
        XCTAssertEqual(t.standardError, Statistics.summary(d).std / 3.0.squareRoot(), accuracy: 1e-12)
        XCTAssertGreaterThan(t.equivalenceP(margin: 0.02), 0.5)
        XCTAssertLessThan(t.nonEquivalenceP(margin: 0.02), 0.05)
        XCTAssertThrowsError(try spec("[{claim: x, arm: new, baseline: old, expect: within}]")) { error in
            XCTAssertTrue("\(error)".contains("report.claims.0.tolerance"), "\(error)")
        }
    }

    /// A claim that some seeds fail (Mosbach et al. 2021) counts, per setting at its size, the arm's chosen runs at chance
    /// level — within 2 points of the majority-class rate the baseline recorded — and lists their accuracies; it needs no
    /// baseline arm, which every other claim does.
    func testSomeSeedsFailCountsTheSeedsAtChance() throws {
        let path = folder.appendingPathComponent("seeds.yaml")
        try Data("""
        experiment: {id: seeds}
        data: {datasets: [mr, tw], training_sizes: [100, 300]}
        model: {kind: kim-cnn}
        arms: {new: {}, old: {}}
        baselines: {tfidf-lr: {}}
        sweep: {seed: [1, 2, 3]}
        report:
          baseline: old
          claims: [{claim: Some seeds fail, arm: new, expect: some-seeds-fail, training_size: "100"}]
        """.utf8).write(to: path)
        let loaded = try SpecLoader.load(path.path)
        var id: Int64 = 0
        let all = try Expansion.runs(loaded).map { planned -> RunRecord in
            id += 1
            var r = RunRecord(experimentId: "seeds", hash: planned.hash, arm: planned.arm, dataset: planned.dataset, seed: planned.seed,
                              fold: nil, trainingSize: planned.trainingSize, sweepJSON: "{}", configJSON: "{}")
            r.id = id
            r.status = .finished
            // On mr at 100, seeds 1 and 2 of `new` end at 51 % and 52 % (majority 50 %: at chance), seed 3 at 80 %;
            // on tw at 100 none fails (52.5 % is above 50 + 2); at 300 seed 1 fails on both, outside the claim's size.
            var test = 0.8
            if planned.arm == "new" && planned.seed < 3 && planned.trainingSize == "100" && planned.dataset == "mr" { test = 0.5 + 0.01 * Double(planned.seed) }
            if planned.arm == "new" && planned.seed == 1 && planned.trainingSize == "100" && planned.dataset == "tw" { test = 0.525 }
            if planned.arm == "new" && planned.seed == 1 && planned.trainingSize == "300" { test = 0.5 }
            r.resultJSON = "{\"valid\":{\"accuracy\":0.7},\"test\":{\"accuracy\":\(test)},\"extras\":{\"majority\":0.5}}"
            return r
        }
        let markdown = try render(loaded, all)
        XCTAssertTrue(markdown.contains("**1. Some seeds fail**: `new` with some chosen seeds at chance level at training-set size 100 "
                                        + "(test accuracy within 2 points of the majority-class rate) — **held** in 1 of 2 settings."), markdown)
        XCTAssertTrue(markdown.contains("| mr | size=100 | 50.0 | 2 of 3 (51.0, 52.0) | held |"), markdown)
        XCTAssertTrue(markdown.contains("| tw | size=100 | 50.0 | 0 of 3 | not seen |"), markdown)
        XCTAssertFalse(markdown.contains("| size=300 | 50.0 |"), "only the claim's size")

        // Without baselines no majority rate was recorded: the claim says it cannot be judged.
        let bare = try render(loaded, all.filter { $0.arm != "tfidf-lr" })
        XCTAssertTrue(bare.contains("**not testable**: no baseline recorded the test split's majority-class rate."), bare)
        // Every other claim still needs its baseline.
        XCTAssertThrowsError(try spec("[{claim: x, arm: new, expect: higher}]")) { error in
            XCTAssertTrue("\(error)".contains("missing required key 'baseline'"), "\(error)")
        }
    }

    /// The one-sentence summary over settings, for every mix of outcomes.
    func testSummaryWording() {
        XCTAssertEqual(ClaimCheck.summary([.holds, .holds], untestable: 0), "**held** in both settings")
        XCTAssertEqual(ClaimCheck.summary([.contradicted], untestable: 1),
                       "**contradicted** in the one setting; 1 more setting has fewer than two paired runs yet")
        XCTAssertEqual(ClaimCheck.summary([.holds, .contradicted, .opposite], untestable: 0),
                       "**mixed**: held in 1, contradicted in 1, not significant in 1 (the claimed direction in 0, the opposite in 1) of 3 settings")
        XCTAssertEqual(ClaimCheck.summary([.sameDirection, .opposite, .sameDirection], untestable: 0),
                       "**inconclusive**: no significant difference in any of 3 settings (the claimed direction in 2, the opposite in 1)")
        XCTAssertEqual(ClaimCheck.summary([.sameDirection, .opposite, .sameDirection], untestable: 0, equivalence: true),
                       "**inconclusive**: equivalence neither shown nor ruled out in any of 3 settings (the mean difference inside the tolerance in 2, outside it in 1)")
        XCTAssertEqual(ClaimCheck.summary([.sameDirection], untestable: 0, unfair: 3),
                       "**inconclusive**: no significant difference in the one setting (the claimed direction in 1, the opposite in 0) — the only fair test of 4 settings tested; 3 are not a fair test (why, below)")
        XCTAssertEqual(ClaimCheck.summary([.opposite], untestable: 0, equivalence: true),
                       "**inconclusive**: equivalence neither shown nor ruled out in the one setting (the mean difference inside the tolerance in 0, outside it in 1)")
        XCTAssertEqual(ClaimCheck.summary([.holds, .sameDirection], untestable: 0, equivalence: true),
                       "**held where significant**: held in 1 of 2 settings, contradicted in none, neither shown nor ruled out in 1 (the mean difference inside the tolerance in 1, outside it in 0)")
    }

    func testClaimsNameArmsAndMetricsThatExist() throws {
        XCTAssertThrowsError(try spec("[{claim: x, arm: nwe, baseline: old, expect: higher}]")) { error in
            XCTAssertTrue("\(error)".contains("report.claims.0.arm: no arm 'nwe'") && "\(error)".contains("did you mean 'new'?"), "\(error)")
        }
        XCTAssertThrowsError(try spec("[{claim: x, arm: new, baseline: old, expect: higher, metric: perplexity}]")) { error in
            XCTAssertTrue("\(error)".contains("report.claims.0.metric") && "\(error)".contains("accuracy, retention"), "\(error)")
        }
        XCTAssertThrowsError(try spec("[{claim: x, arm: new, baseline: old, expect: higher}]\n  scatter: [{x: retention, y: acuracy}]")) { error in
            XCTAssertTrue("\(error)".contains("report.scatter.0.y: expected the report metric or one of report.extra_metrics (accuracy, retention), not 'acuracy'"), "\(error)")
        }
        XCTAssertThrowsError(try spec("[{claim: x, arm: new, baseline: old, expect: better}]")) { error in
            XCTAssertTrue("\(error)".contains("report.claims.0.expect"), "\(error)")
        }
    }

    /// Extra metrics: the mean to three significant digits, the spread to its decimal places (and up
    /// to two more so a small spread keeps a digit).
    func testExtraMetricFormatting() {
        XCTAssertEqual(Notebook.formatExtra(264.12, spread: 12.3), "264 ± 12")
        XCTAssertEqual(Notebook.formatExtra(0.0512, spread: 0.0031), "0.0512 ± 0.0031")
        XCTAssertEqual(Notebook.formatExtra(0.92, spread: 0.000241), "0.9200 ± 0.0002")
        XCTAssertEqual(Notebook.formatExtra(1, spread: 1.67e-6), "1.0000 ± 0.0000")
        XCTAssertEqual(Notebook.formatExtra(1.01, spread: 0), "1.01 ± 0.00")
        XCTAssertEqual(Notebook.formatExtra(32400.5, spread: 1200), "32400 ± 1200")
    }
}
