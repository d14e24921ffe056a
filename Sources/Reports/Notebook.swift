import Foundation
import Outcomes
import Specs
import Tracking

/// Writes an experiment's markdown notebook and its SVG plots from recorded runs.
public struct Notebook {
    public struct Context: Sendable {
        public var command: String
        public var gitRevision: String
        public var database: String
        public var dataLines: [String]
        public var exportFiles: [String]
        /// The folder (relative to the notebook) its plots are written to; the experiment id unless given.
        public var assetFolder: String?
        /// The seconds of training the saved states of stopped runs hold, by run id (`ResultsStore.savedTraining`).
        public var savedTraining: [Int64: Double]
        /// How many runs the spec plans (stage runs aside) and how many of them the database does not hold (a run
        /// archive holds ended runs only, so a notebook regenerated from one learns of the runs left only from the plan).
        public var planned: (runs: Int, notRecorded: Int)?
        public init(command: String, gitRevision: String, database: String, dataLines: [String], exportFiles: [String], assetFolder: String? = nil,
                    savedTraining: [Int64: Double] = [:], planned: (runs: Int, notRecorded: Int)? = nil) {
            self.command = command; self.gitRevision = gitRevision; self.database = database; self.dataLines = dataLines; self.exportFiles = exportFiles
            self.assetFolder = assetFolder; self.savedTraining = savedTraining; self.planned = planned
        }
    }

    public let spec: LoadedSpec
    public let runs: [RunRecord]
    public let metrics: [Int64: [MetricRecord]]
    public let context: Context
    /// The earlier results of runs queued to run again, by run id.
    public let earlier: [Int64: [ResultsStore.EarlierResult]]
    /// The instances of the stages made more than once, and which of them every ended run met.
    let stageInstances: StageInstances
    let instancesMet: [Int64: [String: Int]]

    /// The runs' results by run id.
    let outcomes: [Int64: RunOutcome]
    /// An earlier recipe set beside this one (`report.compare_with`), with its runs' results.
    let comparedRecipe: EarlierRecipe?
    let comparedOutcomes: [Int64: RunOutcome]

    /// Throws when a run's result (or an earlier recipe's) does not decode, naming the run.
    public init(spec: LoadedSpec, runs: [RunRecord], metrics: [Int64: [MetricRecord]], context: Context,
                earlier: [Int64: [ResultsStore.EarlierResult]] = [:], stages: StageHistory = StageHistory(),
                comparedRecipe: EarlierRecipe? = nil) throws {
        self.spec = spec; self.runs = runs; self.metrics = metrics; self.context = context; self.earlier = earlier
        outcomes = try Reports.outcomes(of: runs)
        self.comparedRecipe = comparedRecipe
        comparedOutcomes = try comparedRecipe.map { try Reports.outcomes(of: $0.runs) } ?? [:]
        stageInstances = StageInstances(runs: runs, history: stages, earlier: earlier)
        instancesMet = stageInstances.used()
    }

    /// The markdown and the plot files (name → SVG) it links to, under `assetFolder` (default `<id>/`).
    public func render() -> (markdown: String, plots: [String: String]) {
        let page = Page(spec: spec, runs: runs, outcomes: outcomes, metrics: metrics)
        var plots: [String: String] = [:]
        var md = header() + provenance() + compared(page)
        if !context.dataLines.isEmpty { md += "## Data\n\n" + context.dataLines.map { "- \($0)" }.joined(separator: "\n") + "\n\n" }
        md += ClaimCheck(tree: spec.tree, table: page.table, metricName: page.metricName, test: pairedTest, isRate: isRate,
                         validity: page.validity).render()
        // A setting only baselines have (no sweep of theirs) is shown as the floor of the others'.
        for group in page.table.groups where page.table.cells.contains(where: { $0.group == group && !page.validity.baselines.contains($0.arm) }) {
            md += results(group, page, plots: &plots)
        }
        md += earlierRecipe(page)
        md += trainingSizes(page, plots: &plots)
        md += cost(page)
        md += reruns(page)
        md += unfinishedRuns()
        return (md, plots)
    }

    /// What every section shares: the comparison, the arms in spec order, the metric's name.
    struct Page {
        let table: ComparisonTable
        let arms: [String]
        let metricName: String
        let validity: Validity
        init(spec: LoadedSpec, runs: [RunRecord], outcomes: [Int64: RunOutcome], metrics: [Int64: [MetricRecord]]) {
            table = ComparisonTable(runs: runs, spec: spec, outcomes: outcomes)
            arms = spec.tree["arms"]?.mapping?.map(\.key) ?? ["default"]
            metricName = Notebook.displayName(table.metric)
            validity = Validity(spec: spec, table: table, outcomes: outcomes, metrics: metrics, runs: runs)
        }
    }

    var assets: String { context.assetFolder ?? spec.id }

    /// Title, description, question, and the interim banner while runs are still queued.
    func header() -> String {
        let tree = spec.tree
        var md = "# \(spec.id)\n\n"
        if let d = tree.node(at: ["experiment", "description"])?.scalar { md += d.trimmingCharacters(in: .whitespacesAndNewlines) + "\n\n" }
        if let q = tree.node(at: ["experiment", "question"])?.scalar { md += "**Question.** " + q.trimmingCharacters(in: .whitespacesAndNewlines) + "\n\n" }
        let pending = runs.filter { $0.status == .queued || $0.status == .running }.count
        if pending > 0 {
            // The work left, priced as `tlab plan` prices it (the ended runs most like each run left).
            let epochSeconds = metrics.compactMapValues(\.trainingSeconds)
            let left = WorkEstimate(runs: runs, epochSeconds: epochSeconds, earlier: earlier, trained: context.savedTraining,
                                    unmeasuredArm: spec.secondsPerRun).map {
                String(format: " (≈ %.1f h of work on one worker with one BLAS thread, each priced at the ended runs most like it, less what saved states of stopped runs hold; stage runs not included)", $0.seconds / 3600)
            } ?? ""
            md += "> **Interim report**: \(runs.count - pending) of \(runs.count) recorded runs have ended; \(pending) \(pending == 1 ? "is" : "are") still queued or running\(left). "
                + "Every number below will change as they finish.\n\n"
        } else if let planned = context.planned, planned.notRecorded > 0 {
            md += "> **Interim report**: \(planned.runs - planned.notRecorded) of the \(planned.runs) runs the spec plans have ended; "
                + "\(planned.notRecorded) \(planned.notRecorded == 1 ? "has" : "have") not run yet. Every number below will change as they do.\n\n"
        }
        return md
    }

    /// The command, revision, database, run counts, code revisions, BLAS kernels and exports.
    func provenance() -> String {
        let counts = Dictionary(grouping: runs, by: \.status).mapValues(\.count)
        var md = "## Provenance\n\n"
        md += "- Generated by `\(context.command)` from `\(spec.file)`\(spec.profile.map { " (profile `\($0)`)" } ?? "") at git revision `\(context.gitRevision)`.\n"
        md += "- Runs: \(runs.count) recorded in `\(context.database)` — " + RunStatus.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", ") + ".\n"
        let stages = runs.filter(\.isStage)
        if !stages.isEmpty {
            let byName = Dictionary(grouping: stages, by: \.arm).mapValues(\.count)
            md += "- Of these, \(stages.count) are stage runs whose artifacts the others used (" + byName.keys.sorted().map { "`\($0)` × \(byName[$0]!)" }.joined(separator: ", ") + ").\n"
            for line in stageInstances.lines() { md += "- \(line)\n" }
        }
        let rerun = runs.compactMap { r -> (RunRecord, [ResultsStore.EarlierResult])? in
            let earlier = earlier[r.id!] ?? []
            return earlier.isEmpty ? nil : (r, earlier)
        }
        if !rerun.isEmpty {
            let reasons = Dictionary(grouping: rerun.flatMap(\.1), by: \.reason).mapValues(\.count)
            let pending = rerun.filter { !$0.0.status.hasEnded }.count
            md += "- \(rerun.count) run\(rerun.count == 1 ? " was" : "s were") queued to run again (\(pending) of them not ended yet); the tables hold their new results only, "
                + "their earlier ones are kept as `earlier-result` events (in the run archive too). Why: "
                + reasons.keys.sorted().map { "“\($0)” (\(reasons[$0]!))" }.joined(separator: "; ") + ".\n"
        }
        let revisions = Set(runs.compactMap(\.gitRevision)).sorted()
        if !revisions.isEmpty { md += "- Code revisions that produced the runs: " + revisions.map { "`\($0)`" }.joined(separator: ", ") + ".\n" }
        // Same seed, same core type and thread count → identical metrics; different kernels round differently.
        let blas = Dictionary(grouping: runs.filter { $0.blasCore != nil }) { "`\($0.blasCore!)`, \($0.threads ?? 1) thread\($0.threads == 1 ? "" : "s")" }
        if !blas.isEmpty {
            md += "- OpenBLAS kernels and threads per run (a run reruns bit-identically with its own; `tlab verify RUN_ID` checks): "
                + blas.keys.sorted().map { "\($0) × \(blas[$0]!.count)" }.joined(separator: "; ") + ".\n"
        }
        if !context.exportFiles.isEmpty { md += "- Every run with its configuration and result: " + context.exportFiles.map { "[`\($0)`](\($0))" }.joined(separator: ", ") + ".\n" }
        return md
    }

    /// The arms, the published figures read against, and how the metric, selection and test work.
    func compared(_ page: Page) -> String {
        let tree = spec.tree, table = page.table
        var md = "\n## What was compared\n\n"
        let defaults = ["embeddings", "language_model", "model", "models", "train"].compactMap { key in tree[key].map { "`\(key)`: \(Self.inline($0, nested: true))" } }
        if !defaults.isEmpty { md += "Every arm starts from the spec's defaults — " + defaults.joined(separator: "; ") + " — and changes what it lists:\n\n" }
        for arm in page.arms {
            let overlay = tree["arms"]?[arm]
            md += "- **\(arm)**" + (arm == table.baseline ? " (baseline)" : "") + ": " + (overlay.map(Self.inline) ?? "the defaults") + "\n"
        }
        for (kind, fields) in tree["baselines"]?.mapping ?? [] {
            md += "- **\(kind)** (bag-of-words baseline, on every dataset, size and fold of the arms, once: its fit depends on the data alone; the spec's `data` and nothing else of it): "
                + (fields.mapping?.isEmpty == false ? Self.inline(fields) : "its kind's defaults") + "\n"
        }
        let references = tree["references"]?.sequence ?? []
        if !references.isEmpty {
            md += "\nPublished figures this experiment is read against:\n\n"
            for r in references {
                md += "- \(r["paper"]?.scalar ?? "paper")" + (r["table"]?.scalar.map { ", \($0)" } ?? "")
                    + (r["verified"]?.scalar == "false" ? " (**unverified**)" : "") + ": "
                    + (r["values"].map(Self.inline) ?? "") + (r["note"]?.scalar.map { ". \($0.trimmingCharacters(in: .whitespacesAndNewlines))" } ?? "") + "\n"
            }
        }
        let folded = table.crossValidatedDatasets.map { "`\($0)`" }.joined(separator: ", ")
        md += "\nMetric: test \(page.metricName), mean ± standard deviation over seeds/folds with n and the half-width of the 95% confidence interval (Student t"
            + (folded.isEmpty ? "" : "; under k-fold CV (\(folded)) over the folds' seed means, widened for the folds' overlapping training sets as Nadeau & Bengio 2003 do") + "). "
        if !table.selectedAxes.isEmpty {
            md += "For each arm and dataset the value of \(table.selectedAxes.map { "`\($0)`" }.joined(separator: ", ")) with the best mean *validation* \(page.metricName) is chosen; the test set is never used for selection. "
            if let n = SweepSelection(tree).tuneSeeds {
                md += "It is chosen on each cell's \(n) lowest seed\(n == 1 ? "" : "s") alone (`selection.tune_seeds`); the other seeds ran at the chosen value only, "
                    + "and the table's figures are over every seed at that value. "
            }
        }
        if let b = table.baseline {
            md += "Significance: two-sided paired t-test of each arm against `\(b)` over runs with the same seed (and training-set size)"
                + " — on a hold-out split every seed meets the same test set, so this tests differences beyond training randomness on that set, not over test-set sampling"
                + (folded.isEmpty ? "." : "; under k-fold CV (\(folded)), whose folds' training sets overlap so that its runs are not independent, "
                    + "each fold's differences are averaged over seeds and the folds' means go to the corrected resampled t-test "
                    + "(Nadeau & Bengio 2003, as Bouckaert & Frank 2004 apply it to cross-validation; n counts folds).")
        }
        return md + "\n\n"
    }

    /// One setting's results: its tables, the paper's figures beside ours, the verdict, the training
    /// budget of its chosen runs, and its plots.
    func results(_ group: String, _ page: Page, plots: inout [String: String]) -> String {
        let table = page.table
        let cells = table.cells.filter { $0.group == group }
        let datasets = Array(Set(cells.map(\.dataset))).sorted()
        var md = "## Results\(group.isEmpty ? "" : " — \(group)")\n\n"
        // Each table shows its arms that have runs at this setting (ablations may run at one size only).
        let present = Set(cells.map(\.arm))
        var verdicts = ""
        for layout in tableLayouts(arms: page.arms, baseline: table.baseline) {
            let columns = layout.arms.filter(present.contains)
            // A table of several arms with one of them here compares it with the floor alone, and nothing when there is
            // no floor or that arm is the table's baseline (whose own table shows it).
            let againstFloor = !page.validity.baselines.isEmpty && columns != [layout.baseline]
            guard !columns.isEmpty, columns.count > 1 || layout.arms.count == 1 || againstFloor else { continue }
            if let title = layout.title { md += (md.hasSuffix("\n\n") ? "" : "\n") + "### \(title)\n\n" }
            let baseline = layout.baseline.flatMap { columns.contains($0) ? $0 : nil }
            md += renderTables(columns: columns, baseline: baseline, cells: cells, datasets: datasets, comparison: table, metricName: page.metricName,
                               validity: page.validity)
            if let title = layout.title { verdicts += "\n*\(title)*\n\n" }
            for dataset in datasets {
                verdicts += verdict(dataset: dataset, cells: cells.filter { $0.dataset == dataset && columns.contains($0.arm) }, baseline: baseline,
                                    comparison: table, metric: page.metricName, validity: page.validity)
            }
        }
        let paperCells = cells.filter { $0.paper != nil }
        if !paperCells.isEmpty {
            let reference = spec.tree["references"]?.sequence?.first
            md += "\nPublished figures beside ours (\(reference?["paper"]?.scalar ?? "paper"), \(reference?["table"]?.scalar ?? "")\(reference?["verified"]?.scalar == "false" ? "; **unverified**" : "")):\n\n"
            md += "| dataset | arm | paper | ours | ours − paper |\n|---|---|---|---|---|\n"
            for c in paperCells where c.test.n > 0 {
                md += String(format: "| %@ | %@ | %.1f | %.1f | %+.1f |\n", c.dataset, c.arm, c.paper!, 100 * c.test.mean, 100 * c.test.mean - c.paper!)
            }
        }
        md += "\n### Verdict\(group.isEmpty ? "" : " (\(group))")\n" + (verdicts.hasPrefix("\n") ? "" : "\n") + verdicts
        md += trainingBudget(cells, page)
        md += sweepEdges(cells, page)
        for dataset in datasets { md += plotsOf(dataset, group: group, cells: cells, page, plots: &plots) }
        return md + "\n"
    }

    /// A dataset's plots in one setting: learning curves of the chosen runs, scatter plots of two
    /// metrics per arm, and the validation metric against the selected axis.
    func plotsOf(_ dataset: String, group: String, cells: [Cell], _ page: Page, plots: inout [String: String]) -> String {
        let table = page.table, arms = page.arms, metricName = page.metricName
        let present = Set(cells.map(\.arm))
        var md = ""
        let groupSlug: String = group.replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "=", with: "-")
            .replacingOccurrences(of: ", ", with: "_")
        let slug = group.isEmpty ? dataset : "\(dataset)-\(groupSlug)"
        let curves = arms.filter(present.contains).compactMap { arm -> SVGChart.Series? in
            guard let c = cells.first(where: { $0.dataset == dataset && $0.arm == arm }), !c.runIDs.isEmpty else { return nil }
            let values: [MetricRecord] = c.runIDs.flatMap { metrics[$0] ?? [] }.filter { $0.split == "valid" && $0.name == table.metric }
            let byEpoch = Dictionary(grouping: values, by: \.epoch)
            let points: [(x: Double, y: Double)] = byEpoch.map { epoch, records in
                (Double(epoch), records.map(\.value).reduce(0, +) / Double(records.count))
            }
            return SVGChart.Series(name: arm, points: points, color: arms.firstIndex(of: arm))
        }
        if curves.contains(where: { $0.points.count > 1 }) {  // runs that log no epochs have no curves
            let name = "\(assets)/curves-\(slug).svg"
            plots[name] = SVGChart(title: "\(dataset): validation \(metricName) by epoch (mean over chosen runs)", xLabel: "epoch", yLabel: "validation \(metricName)", series: curves).render()
            md += "\n![learning curves, \(dataset)](\(name))\n"
            // Of the chosen runs that train by epochs (a baseline's fit has none to draw).
            let chosen = cells.filter { $0.dataset == dataset }.flatMap(\.runIDs).filter { outcomes[$0]?.epochs != nil }
            let drawn = chosen.filter { metrics[$0]?.contains { $0.split == "valid" } ?? false }.count
            if drawn < chosen.count {  // e.g. runs imported from an archive made before archives kept metrics
                md += "\n(The curves average \(drawn) of the \(chosen.count) chosen runs: the others' per-epoch metrics were not kept.)\n"
            }
        }
        for plot in spec.tree.node(at: ["report", "scatter"])?.sequence ?? [] {
            guard let x = plot["x"]?.scalar, let y = plot["y"]?.scalar else { continue }
            let points = arms.filter(present.contains).compactMap { arm -> SVGChart.Series? in
                guard let c = cells.first(where: { $0.dataset == dataset && $0.arm == arm }),
                      let px = cellMean(c, metric: x, reportMetric: table.metric), let py = cellMean(c, metric: y, reportMetric: table.metric) else { return nil }
                return SVGChart.Series(name: arm, points: [(px, py)], color: arms.firstIndex(of: arm))
            }
            guard points.count > 1 else { continue }
            let label = { (m: String) in self.isRate(m) ? "\(Self.splitLabel(m)) (%)" : m }
            let name = "\(assets)/scatter-\(slug)-\(y)-vs-\(x).svg"
            plots[name] = SVGChart(title: "\(dataset): \(label(y)) vs \(label(x)), per arm",
                                   xLabel: label(x), yLabel: label(y), series: points).render()
            md += "\n![\(y) against \(x), \(dataset)](\(name))\n"
        }
        if let axis = table.selectedAxes.first {
            let sweep = arms.compactMap { arm -> SVGChart.Series? in
                let members = runs.filter { $0.dataset == dataset && $0.arm == arm && $0.status == .finished }
                let byValue = Dictionary(grouping: members) { r -> Double in
                    let s = (try? JSONSerialization.jsonObject(with: Data(r.sweepJSON.utf8)) as? [String: String]) ?? [:]
                    return Double(s[axis] ?? "") ?? .nan
                }
                let points = byValue.compactMap { x, rs -> (x: Double, y: Double)? in
                    let vs = rs.compactMap { r -> Double? in
                        r.id.flatMap { outcomes[$0]?.valid?[table.metric] }
                    }
                    return x.isFinite && !vs.isEmpty ? (x, vs.reduce(0, +) / Double(vs.count)) : nil
                }
                return points.count > 1 ? SVGChart.Series(name: arm, points: points, color: arms.firstIndex(of: arm)) : nil
            }
            if !sweep.isEmpty {
                let name = "\(assets)/sweep-\(slug).svg"
                plots[name] = SVGChart(title: "\(dataset): validation \(metricName) by \(axis)", xLabel: axis, yLabel: "validation \(metricName)", logX: true, series: sweep).render()
                md += "\n![\(axis) sweep, \(dataset)](\(name))\n"
            }
        }
        return md
    }

    /// How the chosen runs used their epochs, per arm: a run whose best epoch was its last one never
    /// stopped early and was still improving when its budget ran out, so more epochs might have
    /// helped it (by design under schedules that anneal to the end, such as STLR).
    func trainingBudget(_ cells: [Cell], _ page: Page) -> String {
        var rows = ""
        for arm in page.arms {
            let results = cells.filter { $0.arm == arm }.flatMap(\.runIDs).compactMap { outcomes[$0] }
                .compactMap { r -> (best: Int, trained: Int)? in
                    guard let best = r.bestEpoch, let trained = r.epochs, best > 0 else { return nil }
                    return (best, trained)
                }
            guard !results.isEmpty else { continue }
            let atLast = results.filter { $0.best == $0.trained }.count
            let trained = results.map(\.trained)
            rows += "| \(arm) | \(results.count) | \(trained.min()!)–\(trained.max()!) | "
                + String(format: "%.1f", Double(results.map(\.best).reduce(0, +)) / Double(results.count))
                + " | \(atLast)\(atLast > 0 && atLast * 2 >= results.count ? " ⚠" : "") |\n"
        }
        guard !rows.isEmpty else { return "" }
        return "\nTraining budget of the chosen runs (a run whose best epoch was its last was still improving when its epochs ran out; "
            + "⚠: half or more of an arm's runs):\n\n| arm | runs | epochs trained | mean best epoch | best at the last epoch |\n|---|---|---|---|---|\n" + rows
    }

    /// Where each arm's chosen values lie in their sweeps: a value at the grid's edge was best there, and a better one
    /// may lie beyond it (with two values tried, every choice is at an edge).
    func sweepEdges(_ cells: [Cell], _ page: Page) -> String {
        var rows = ""
        for arm in page.arms {
            let placed = cells.filter { $0.arm == arm }.compactMap { cell in cell.sweepPosition.map { (cell, $0) } }
            guard !placed.isEmpty else { continue }
            let values = Set(placed.flatMap(\.0.candidates)).sorted { (Cell.sweptNumber($0) ?? .infinity, $0) < (Cell.sweptNumber($1) ?? .infinity, $1) }
            let axes = Set(values.compactMap { $0.split(separator: "=").first.map(String.init) }).sorted()
            func count(_ position: Cell.SweepPosition) -> String {
                let n = placed.filter { $0.1 == position }.count
                return "\(n)\(position != .inside && n >= 2 && n == placed.count ? " ⚠" : "")"
            }
            rows += "| \(arm) | \(axes.joined(separator: ", ")): \(values.map { String($0.split(separator: "=").last ?? "") }.joined(separator: ", ")) | "
                + "\(placed.count) | \(count(.smallest)) | \(count(.inside)) | \(count(.largest)) |\n"
        }
        guard !rows.isEmpty else { return "" }
        return "\nWhere the chosen values lie in their sweeps, per arm (a value at the grid's edge was best there, so a better one may lie beyond it; "
            + "with two values tried every choice is at an edge; ⚠: all of the arm's cells, two or more, at the same edge):\n\n"
            + "| arm | values tried | cells | at the smallest | inside | at the largest |\n|---|---|---|---|---|---|\n" + rows
    }

    /// Learning curve over training-set sizes: the chosen runs' mean test metric per size and arm, with
    /// error bars of one standard deviation over their seeds (and folds).
    func trainingSizes(_ page: Page, plots: inout [String: String]) -> String {
        let sized = page.table.cells.filter { ComparisonTable.trainingSize(of: $0.group) != nil && $0.test.n > 0 }
        guard !sized.isEmpty else { return "" }
        var md = "## Training-set size\n\n"
        for dataset in Array(Set(sized.map(\.dataset))).sorted() {
            var series = page.arms.compactMap { arm -> SVGChart.Series? in
                let points = sized.filter { $0.dataset == dataset && $0.arm == arm }.compactMap { cell -> (x: Double, y: Double, sd: Double)? in
                    let size = ComparisonTable.trainingSize(of: cell.group)!
                    let examples = Double(size) ?? cell.runIDs.compactMap { outcomes[$0]?.trainExamples }.map(Double.init).max()
                    return examples.map { ($0, 100 * cell.test.mean, 100 * cell.test.std) }
                }.sorted { $0.x < $1.x }
                return points.count < 2 ? nil  // a curve needs two sizes
                    : SVGChart.Series(name: arm, points: points.map { ($0.x, $0.y) }, errors: points.map(\.sd), color: page.arms.firstIndex(of: arm))
            }
            guard !series.isEmpty else { continue }
            let sizes = Set(sized.filter { $0.dataset == dataset }.compactMap { ComparisonTable.trainingSize(of: $0.group) })
            let floor = sizes.compactMap { size -> (x: Double, y: Double)? in
                guard let f = page.validity.floor(dataset: dataset, group: "size=\(size)") else { return nil }
                let examples = Double(size) ?? sized.filter { $0.dataset == dataset && ComparisonTable.trainingSize(of: $0.group) == size }
                    .flatMap(\.runIDs).compactMap { outcomes[$0]?.trainExamples }.map(Double.init).max()
                return examples.map { ($0, 100 * f.test) }
            }.sorted { $0.x < $1.x }
            if floor.count >= 2 { series.append(SVGChart.Series(name: "bag-of-words floor", points: floor, color: page.arms.count)) }
            let name = "\(assets)/training-size-\(dataset).svg"
            plots[name] = SVGChart(title: "\(dataset): test \(page.metricName) by training-set size (mean ± s.d.)", xLabel: "labelled training examples",
                                   yLabel: "test \(page.metricName) (%)", logX: true, series: series).render()
            md += "![training-set size, \(dataset)](\(name))\n\n"
        }
        return md
    }

    /// What every arm cost in compute: each ended run's seconds (its earlier attempts' included) × its BLAS threads,
    /// over all of the arm's runs (every swept value, not only the chosen), then the stage runs.
    func cost(_ page: Page) -> String {
        let ended = runs.filter { $0.status.hasEnded }
        let baselines = page.validity.baselines.sorted()
        let stages = Array(Set(ended.filter(\.isStage).map(\.arm))).sorted()
        var rows = "", total = 0.0, counted = 0
        for arm in page.arms + baselines.filter({ !page.arms.contains($0) }) + stages {
            let spent = ended.filter { $0.arm == arm }.compactMap { r in outcomes[r.id!]?.seconds.map { $0 * Double(r.threads ?? 1) } }
            guard !spent.isEmpty else { continue }
            let hours = spent.reduce(0, +) / 3600
            total += hours
            counted += spent.count
            rows += "| \(arm) | \(spent.count) | " + String(format: "%.2f | %.1f", hours, hours * 60 / Double(spent.count)) + " |\n"
        }
        guard !rows.isEmpty else { return "" }
        return "## What the runs cost\n\nCPU-hours per arm: each ended run's wall-clock seconds (its earlier attempts' included, and any time it spent "
            + "paused) × its BLAS threads, summed over all of the arm's runs (every swept value, not only the chosen ones); measured on the "
            + "machines of the provenance above, so not comparable across machines.\n\n| arm | ended runs | CPU-hours | CPU-minutes per run |\n|---|---|---|---|\n" + rows
            + String(format: "| total | %d | %.2f | |\n\n", counted, total)
    }

    /// Diverged, failed and timed-out runs, counted and listed, never hidden.
    func unfinishedRuns() -> String {
        let troubled = runs.filter { [.diverged, .failed, .timeout].contains($0.status) }
        var md = "## Runs that did not finish\n\n"
        if troubled.isEmpty { return md + "None: every run finished.\n" }
        md += "| run | arm | dataset | seed | status | error |\n|---|---|---|---|---|---|\n"
        for r in troubled { md += "| \(r.id ?? 0) | \(r.arm) | \(r.dataset) | \(r.seed) | \(r.status.rawValue) | \((r.error ?? "").replacingOccurrences(of: "|", with: "/").prefix(120)) |\n" }
        return md
    }

    /// The tables a results section is split into: `report.tables` (title, arms, baseline), or one
    /// table of every arm against the report's baseline.
    func tableLayouts(arms: [String], baseline: String?) -> [(title: String?, arms: [String], baseline: String?)] {
        guard let tables = spec.tree.node(at: ["report", "tables"])?.sequence else { return [(nil, arms, baseline)] }
        return tables.map { t in
            (t["title"]?.scalar, t["arms"]?.sequence?.compactMap(\.scalar) ?? [], t["baseline"]?.scalar ?? baseline)
        }
    }

    /// One table's markdown: mean ± std (n, CI) per dataset and arm, the paired differences from its
    /// baseline, and the extra metrics of the same chosen runs.
    func renderTables(columns: [String], baseline: String?, cells: [Cell], datasets: [String], comparison: ComparisonTable, metricName: String,
                      validity: Validity) -> String {
        func cell(_ dataset: String, _ arm: String) -> Cell? { cells.first { $0.dataset == dataset && $0.arm == arm } }
        let group = cells.first?.group ?? ""
        let floors = validity.baselines.isEmpty ? nil : datasets.map { validity.floor(dataset: $0, group: group) }
        var md = "| dataset | " + columns.joined(separator: " | ") + (floors == nil ? "" : " | bag-of-words floor") + " |\n|---|"
            + String(repeating: "---|", count: columns.count + (floors == nil ? 0 : 1)) + "\n"
        for (d, dataset) in datasets.enumerated() {
            let floor = floors.map { $0[d].map { String(format: " | %.1f (%@)", 100 * $0.test, $0.arm) } ?? " | –" } ?? ""
            let row = columns.map { cell(dataset, $0) }
            let best = row.compactMap { $0?.test.mean }.filter { $0.isFinite }.max()
            md += "| \(dataset) | " + row.map { cell -> String in
                guard let c = cell, c.test.n > 0 else { return "–" }
                var s = String(format: "%.1f ± %.1f (n=%d", 100 * c.test.mean, 100 * c.test.std, c.test.n)
                if let ci = c.test.ci95 { s += String(format: ", CI ±%.1f", 100 * ci) }
                s += ")"
                if !c.chosen.isEmpty { s += "<br>\(c.chosen.replacingOccurrences(of: "train.learning_rate", with: "lr"))" }
                return c.test.mean == best ? "**\(s)**" : s
            }.joined(separator: " | ") + floor + " |\n"
        }
        if floors != nil {
            md += "\nBag-of-words floor: of the spec's baselines (" + validity.baselines.map { "`\($0)`" }.joined(separator: ", ")
                + ") the one with the best validation \(metricName) on the same data, training-set size and seeds, its test \(metricName).\n"
        }
        if let baseline, columns.count > 1 {
            let others = columns.filter { $0 != baseline }
            md += "\nDifference from `\(baseline)` (points of test \(metricName); paired test as under *What was compared*):\n\n"
            md += "| dataset | " + others.joined(separator: " | ") + " |\n|---|" + String(repeating: "---|", count: others.count) + "\n"
            var leftOutAny = false
            for dataset in datasets {
                md += "| \(dataset) | " + others.map { arm -> String in
                    guard let c = cell(dataset, arm), let base = cell(dataset, baseline) else { return "–" }
                    let (test, leftOut, _) = pairedTest(c, against: base)
                    let mark = leftOut > 0 ? " †\(leftOut)" : ""
                    leftOutAny = leftOutAny || leftOut > 0
                    guard let t = test else { return "–" + mark }
                    return String(format: "%+.1f (%@, %@)", 100 * t.meanDifference, Self.formatP(t.p), t.sampleSize) + mark
                }.joined(separator: " | ") + " |\n"
            }
            if leftOutAny {
                md += "\n†k: k pairs left out of the test, their two runs having met different instances of a stage made more than once (see *Provenance*).\n"
            }
        }
        for extra in spec.tree.node(at: ["report", "extra_metrics"])?.sequence?.compactMap(\.scalar) ?? [] {
            let percent = isRate(extra)
            func summary(_ values: [Double]) -> String {
                guard !values.isEmpty else { return "–" }
                let s = Statistics.summary(values)
                return (percent ? String(format: "%.1f ± %.1f", 100 * s.mean, 100 * s.std) : Self.formatExtra(s.mean, spread: s.std)) + " (n=\(s.n))"
            }
            // The floor's own runs where they have the metric (macro-F1, per-type F1, validation accuracy; not an LM's perplexity).
            let floorCells = validity.baselines.isEmpty ? [] : datasets.map { validity.floorCell(dataset: $0, group: group) }
            let floorValues = floorCells.map { $0.map { extraValues(extra, of: $0) } ?? [] }
            let withFloor = floorValues.contains { !$0.isEmpty }
            let label = Self.splitLabel(extra)
            md += percent ? "\n\(label.prefix(1).uppercased() + label.dropFirst()) (%) of the same chosen runs (mean ± standard deviation, n):\n\n"
                          : "\n`\(extra)` of the same chosen runs (mean ± standard deviation, n):\n\n"
            md += "| dataset | " + columns.joined(separator: " | ") + (withFloor ? " | bag-of-words floor" : "") + " |\n|---|"
                + String(repeating: "---|", count: columns.count + (withFloor ? 1 : 0)) + "\n"
            for (d, dataset) in datasets.enumerated() {
                md += "| \(dataset) | " + columns.map { arm in cell(dataset, arm).map { summary(extraValues(extra, of: $0)) } ?? "–" }.joined(separator: " | ")
                md += withFloor ? " | " + (floorValues[d].isEmpty ? "–" : summary(floorValues[d]) + " (\(floorCells[d]!.arm))") : ""
                md += " |\n"
            }
        }
        return md
    }

    /// Plain sentences from the numbers: the winner, and each arm against the baseline.
    func verdict(dataset: String, cells: [Cell], baseline: String?, comparison: ComparisonTable, metric: String, validity: Validity) -> String {
        let ranked = cells.filter { $0.test.n > 0 }.sorted { $0.test.mean > $1.test.mean }
        guard let top = ranked.first else { return "- **\(dataset)**: no finished runs yet.\n" }
        var line = String(format: "- **%@**: highest test %@ with **%@** (%.1f).", dataset, metric, top.arm, 100 * top.test.mean)
        let base = cells.first { $0.arm == baseline }
        for c in ranked where c.arm != baseline {
            guard let base, let t = pairedTest(c, against: base).test, let b = baseline else { continue }
            let significant = t.p < 0.05
            line += String(format: " %@ vs %@: %+.1f points, %@ (%@, %@).", c.arm, b, 100 * t.meanDifference,
                           significant ? "significant at 5%" : "not significant", Self.formatP(t.p), t.sampleSize)
        }
        let problems = ranked.flatMap(validity.problems(of:))
        if !problems.isEmpty { line += " **Checks failed**: " + problems.joined(separator: "; ") + "." }
        return line + "\n"
    }


    /// A cell's values keyed by the unit that pairs runs: the report metric (`extra` nil) or an extra result.
    func unitValues(_ cell: Cell, extra: String?) -> [PairKey: Double] {
        guard let extra else { return cell.byUnit }
        var values: [PairKey: Double] = [:]
        for id in cell.runIDs {
            guard let run = runs.first(where: { $0.id == id }), let value = extraValue(extra, run: id) else { continue }
            values[ComparisonTable.unit(of: run)] = value
        }
        return values
    }

    /// The paired test of `cell` against `base` (same dataset and setting) on the report metric or an
    /// `extra` result, over the pairs whose two runs met the same instance of every stage made more than
    /// once that both used (else two models, not one, stand behind their difference), and how many pairs
    /// were left out for that; with the differences of the pairs kept (the one a test needs two of).
    func pairedTest(_ cell: Cell, against base: Cell, extra: String? = nil) -> (test: Statistics.PairedTest?, leftOut: Int, differences: [Double]) {
        func met(_ c: Cell) -> [PairKey: [String: Int]] {
            var met: [PairKey: [String: Int]] = [:]
            for id in c.runIDs { if let run = runs.first(where: { $0.id == id }) { met[ComparisonTable.unit(of: run)] = instancesMet[id] ?? [:] } }
            return met
        }
        var (ours, theirs) = (unitValues(cell, extra: extra), unitValues(base, extra: extra))
        var paired = Set(ours.keys).intersection(theirs.keys)
        var leftOut = 0
        if !instancesMet.isEmpty {
            let (a, b) = (met(cell), met(base))
            for unit in paired where StageInstances.differ(a[unit] ?? [:], b[unit] ?? [:]) {
                ours[unit] = nil; theirs[unit] = nil; paired.remove(unit); leftOut += 1
            }
        }
        let differences = paired.sorted().map { ours[$0]! - theirs[$0]! }
        return (ComparisonTable.pairedTest(ours, against: theirs, testTrainRatio: base.testTrainRatio ?? cell.testTrainRatio), leftOut, differences)
    }

    /// A cell's mean on the report metric or another test metric (in %) or an extra result, over its chosen runs.
    func cellMean(_ cell: Cell, metric: String, reportMetric: String) -> Double? {
        if metric == reportMetric { return cell.test.n > 0 ? 100 * cell.test.mean : nil }
        let values = extraValues(metric, of: cell)
        return values.isEmpty ? nil : Statistics.summary(values).mean * (isRate(metric) ? 100 : 1)
    }

    /// A named extra result of a cell's chosen runs (those that have it).
    func extraValues(_ name: String, of cell: Cell) -> [Double] { cell.runIDs.compactMap { extraValue(name, run: $0) } }

    /// A named extra result of a finished run, from its stored result: one of its `extras`, a test metric other than
    /// the report's (macro-F1 beside accuracy), or a validation metric named `valid.<metric>`.
    func extraValue(_ name: String, run id: Int64) -> Double? {
        guard let result = outcomes[id] else { return nil }
        if let metric = Self.validationMetric(name) { return result.valid?[metric] }
        return result.test?[name] ?? result.extras?[name]
    }

    /// The metric a `valid.<metric>` name reads from the validation split; nil for any other name.
    static func validationMetric(_ name: String) -> String? { name.hasPrefix("valid.") ? String(name.dropFirst(6)) : nil }

    /// Whether `name` is a rate of the runs' test or validation split (accuracy, macro-F1, entity F1, …), shown in %;
    /// a loss or a perplexity, and every extra result, keep their own scale.
    func isRate(_ name: String) -> Bool {
        let metric = Self.validationMetric(name) ?? name
        return !MetricDirection.lowerIsBetter(metric) && outcomes.values.contains { $0.test?[metric] != nil }
    }

    /// A split metric in prose with its split ("test macro-F1", "validation accuracy").
    static func splitLabel(_ name: String) -> String {
        validationMetric(name).map { "validation \(displayName($0))" } ?? "test \(displayName(name))"
    }

    /// A test metric's name in prose ("macro-F1").
    static func displayName(_ testMetric: String) -> String {
        switch testMetric {
        case "macro_f1": "macro-F1"
        case "entity_f1": "entity F1"
        case "entity_precision": "entity precision"
        case "entity_recall": "entity recall"
        case "entity_macro_f1": "entity macro-F1"
        default: testMetric.hasPrefix("f1_") ? "F1 of \(testMetric.dropFirst(3))" : testMetric
        }
    }

    /// Three significant digits, without exponent clutter for rates in the millions.
    static func formatExtra(_ x: Double) -> String { abs(x) >= 1000 ? String(format: "%.0f", x) : String(format: "%.3g", x) }

    /// A mean to three significant digits and its spread to the same decimal places, with up to two
    /// more so that a small spread keeps one significant digit (`264 ± 12`, `0.0512 ± 0.0031`,
    /// `0.9200 ± 0.0002`, `1.0000 ± 0.0000`).
    static func formatExtra(_ mean: Double, spread: Double) -> String {
        guard mean.isFinite, mean != 0 else { return formatExtra(mean) + " ± " + formatExtra(spread) }
        func decimals(_ x: Double, significant: Int) -> Int { max(significant - 1 - Int(floor(log10(abs(x)))), 0) }
        let forMean = min(decimals(mean, significant: 3), 6)
        let forSpread = spread.isFinite && spread > 0 ? decimals(spread, significant: 1) : 0
        let places = max(forMean, min(forSpread, forMean + 2))
        return String(format: "%.\(places)f ± %.\(places)f", mean, spread)
    }

    static func formatP(_ p: Double) -> String { p < 0.001 ? "p < 0.001" : String(format: "p = %.3f", p) }

    /// A config fragment on one line: top-level keys separated by `;`, nested mappings in braces
    /// (`train: {phases: [{epochs: 5, frozen: [embedding]}, …]}`).
    static func inline(_ node: ConfigNode) -> String { inline(node, nested: false) }

    static func inline(_ node: ConfigNode, nested: Bool) -> String {
        switch node.value {
        case let .scalar(s, _): return s
        case let .sequence(items): return "[" + items.map { inline($0, nested: true) }.joined(separator: ", ") + "]"
        case let .mapping(pairs):
            if pairs.isEmpty { return nested ? "{}" : "the defaults" }
            let items = pairs.map { "\($0.key): \(inline($0.node, nested: true))" }
            return nested ? "{" + items.joined(separator: ", ") + "}" : items.joined(separator: "; ")
        }
    }
}
