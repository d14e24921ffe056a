import Foundation
import Outcomes
import Tracking

extension Notebook {
    /// Runs queued to run again (`tlab requeue`) that have ended again, their earlier and new test
    /// results side by side: the same configuration and seed, so what moved a result is what the
    /// rerun changed — e.g. another instance of a pretrained language model, which the seeds of a
    /// comparison never vary (its pretraining stage has one seed). The spread is set beside the
    /// seed-to-seed standard deviation of the same cells, for scale. Empty when no such run ended.
    func reruns(_ page: Page) -> String {
        func test(_ json: String?) -> Double? {
            json.flatMap { try? RunOutcome(json: $0, run: "an earlier result") }?.test?[page.table.metric]
        }
        struct Row { let run: RunRecord; let earlier: ResultsStore.EarlierResult; let before: Double; let after: Double }
        let rows: [Row] = runs.filter { !$0.isStage && $0.status == .finished }.compactMap { run in
            guard let after = test(run.resultJSON),
                  let earlier = (earlier[run.id!] ?? []).last(where: { $0.status == .finished }),
                  let before = test(earlier.resultJSON) else { return nil }
            return Row(run: run, earlier: earlier, before: before, after: after)
        }.sorted { ($0.run.dataset, $0.run.arm, ComparisonTable.sizeOrder("size=\($0.run.trainingSize ?? "")"), $0.run.seed)
                   < ($1.run.dataset, $1.run.arm, ComparisonTable.sizeOrder("size=\($1.run.trainingSize ?? "")"), $1.run.seed) }
        guard !rows.isEmpty else { return "" }

        var md = "## Runs made again\n\n"
        let reasons = Set(rows.map(\.earlier.reason)).sorted().map { "“\($0)”" }.joined(separator: "; ")
        md += "\(rows.count) run\(rows.count == 1 ? " was" : "s were") queued to run again and ended again (why: \(reasons)). "
            + "Each is the same configuration and seed as before, so the difference is what changed between the two; each side names "
            + (stageInstances.remade.isEmpty ? "" : "the instance it met of a stage made more than once (`#1` the first made), ")
            + "its OpenBLAS kernels and its revision. "
            + "Test \(page.metricName) (%), earlier → new; the tables above hold the new results only.\n\n"
        md += "| run | arm | dataset | size | seed | earlier | new | new − earlier |\n|---|---|---|---|---|---|---|---|\n"
        func provenance(core: String?, revision: String?, met: [String: Int]) -> String {
            let instances = met.sorted { $0.key < $1.key }.map { "#\($0.value + 1)" }.joined(separator: ", ")
            return [instances.isEmpty ? nil : "stage \(instances)", core, revision.map { "`\($0.prefix(7))`" }].compactMap { $0 }.joined(separator: ", ")
        }
        for row in rows {
            let r = row.run
            let before = provenance(core: row.earlier.blasCore, revision: row.earlier.gitRevision, met: stageInstances.met(by: r, earlier: row.earlier))
            let after = provenance(core: r.blasCore, revision: r.gitRevision, met: stageInstances.met(by: r))
            md += "| \(r.id!) | \(r.arm) | \(r.dataset) | \(r.trainingSize ?? "–") | \(r.seed) | "
                + String(format: "%.1f (%@) | %.1f (%@) | %+.1f |\n", 100 * row.before, before, 100 * row.after, after, 100 * (row.after - row.before))
        }
        let differences = rows.map { $0.after - $0.before }
        let spread = Statistics.summary(differences)
        let meanAbsolute = differences.map(abs).reduce(0, +) / Double(differences.count)
        if rows.count == 1 {
            md += String(format: "\nOne run so far: new − earlier %+.1f points", 100 * spread.mean)
        } else {
            md += String(format: "\nOver the %d runs: new − earlier %+.1f ± %.1f points (mean ± standard deviation), mean absolute difference %.1f",
                         rows.count, 100 * spread.mean, 100 * spread.std, 100 * meanAbsolute)
        }
        if let t = Statistics.pairedTTest(rows.map(\.after), rows.map(\.before)) { md += " (paired t-test: \(Self.formatP(t.p)))" }
        md += "."
        // For scale: how far seeds alone move the same cells (their chosen runs' test std, where n ≥ 2).
        let ids = Set(rows.compactMap(\.run.id))
        let seedSpread = page.table.cells.filter { $0.test.n >= 2 && !ids.isDisjoint(with: $0.runIDs) }.map(\.test.std)
        if !seedSpread.isEmpty {
            md += String(format: " For scale, the seed-to-seed standard deviation of the same arms, datasets and sizes: %.1f points on average (%d cell%@ of two seeds or more).",
                         100 * seedSpread.reduce(0, +) / Double(seedSpread.count), seedSpread.count, seedSpread.count == 1 ? "" : "s")
        } else {
            md += " (No cell of these runs has two seeds yet, to set the seed-to-seed spread beside it.)"
        }
        return md + "\n\n"
    }
}
