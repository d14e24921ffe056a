import Foundation
import Outcomes
import Specs
import Tracking

/// The decoded results of `runs` by run id; a result that does not decode is an error naming its run.
func outcomes(of runs: [RunRecord]) throws -> [Int64: RunOutcome] {
    var outcomes: [Int64: RunOutcome] = [:]
    for run in runs { if let id = run.id, let outcome = try run.outcome() { outcomes[id] = outcome } }
    return outcomes
}

/// What pairs runs of two arms: the same seed, fold and training-set size.
public struct PairKey: Hashable, Comparable, Sendable {
    let seed: Int
    let fold: Int?
    let size: String?
    public static func < (a: PairKey, b: PairKey) -> Bool { (a.seed, a.fold ?? -1, a.size ?? "") < (b.seed, b.fold ?? -1, b.size ?? "") }
}

/// One cell of the comparison: an arm on a dataset (within one setting of the non-selected sweep
/// axes), at the value of the selected axes that was best on validation.
public struct Cell: Sendable {
    public let dataset: String
    public let arm: String
    public let group: String            // e.g. "model.kind=kim-cnn"; "" when nothing else was swept
    public let chosen: String           // e.g. "train.learning_rate=1.0"; "" when nothing was selected
    /// The selected axes' values the choice was made among (those with ended runs on the tuning seeds).
    public let candidates: [String]
    public let validMean: Double
    /// Mean ± std over the chosen runs; under k-fold CV the 95% interval is over the folds' seed means,
    /// with Nadeau & Bengio's correction (`Statistics.correctedResampledCI95`).
    public let test: Statistics.Summary
    public let paper: Double?
    public let diverged: Int
    public let failed: Int
    /// (seed, fold, size) → test metric of the chosen runs, for pairing.
    let byUnit: [PairKey: Double]
    /// Test examples per training example of the chosen runs (the train/test overlap correction under k-fold CV).
    let testTrainRatio: Double?
    /// Run ids behind the cell.
    public let runIDs: [Int64]
}

/// Builds comparison cells from recorded runs, choosing the selected axes on validation only.
public struct ComparisonTable: Sendable {
    public let cells: [Cell]
    /// The metric tabulated, by its name in the runs' splits (`accuracy`, `macro_f1`, `entity_f1`, …).
    public let metric: String
    public let baseline: String?
    public let selectedAxes: [String]

    public init(runs: [RunRecord], spec: LoadedSpec) throws {
        self.init(runs: runs, spec: spec, outcomes: try outcomes(of: runs))
    }

    init(runs: [RunRecord], spec: LoadedSpec, outcomes: [Int64: RunOutcome]) {
        let tree = spec.tree
        let metric = tree.node(at: ["report", "metric"])?.scalar ?? "accuracy"
        let baseline = tree.node(at: ["report", "baseline"])?.scalar
        let selection = SweepSelection(tree)
        let selected = selection.axes, chooser = selection.metric
        let references = (tree["references"]?.sequence ?? []).compactMap { $0["values"] }
        func paperValue(_ dataset: String, _ arm: String) -> Double? {
            references.lazy.compactMap { $0[dataset]?[arm]?.scalar.flatMap(Double.init) }.first
        }
        struct Entry { let run: RunRecord; let sweep: [String: String]; let result: RunOutcome? }
        let entries = runs.filter { !$0.isStage }.map { run -> Entry in
            let sweep = (try? JSONSerialization.jsonObject(with: Data(run.sweepJSON.utf8)) as? [String: String]) ?? [:]
            return Entry(run: run, sweep: sweep, result: run.id.flatMap { outcomes[$0] })
        }
        func value(_ m: SplitMetrics?, _ name: String = metric) -> Double? { m?[name] }
        // Cells are per training-set size too (a learning curve's points), never pooled across sizes.
        func groupKey(_ e: Entry) -> String {
            let rest = selection.settingPart(of: e.sweep)
            guard let size = e.run.trainingSize else { return rest }
            return rest.isEmpty ? "size=\(size)" : "size=\(size), \(rest)"
        }
        let grouped = Dictionary(grouping: entries) { e in [e.run.dataset, e.run.arm, groupKey(e)] }
        var built: [Cell] = []
        for (key, members) in grouped {
            let finished = members.filter { $0.run.status == .finished && $0.result?.test != nil }
            let bySelection = Dictionary(grouping: finished) { selection.chosenPart(of: $0.sweep) }
            // The selected value with the best mean validation metric (never the test metric), on the tuning seeds
            // (`selection.tune_seeds`; all seeds without it, or when none of the tuning runs finished).
            let tuning = selection.tuningSeeds(among: members.map(\.run.seed))
            func candidates(_ seeds: Set<Int>?) -> [String: [Double]] {
                bySelection.mapValues { runs in runs.filter { seeds?.contains($0.run.seed) ?? true }.compactMap { value($0.result?.valid, chooser) } }
                    .filter { !$0.value.isEmpty }
            }
            let onTuning = candidates(tuning), pool = onTuning.isEmpty ? candidates(nil) : onTuning
            // (runs that record no validation metric, as some baselines: their one value)
            let best = pool.isEmpty ? bySelection.keys.min() : selection.best(pool)
            let chosenRuns = best.flatMap { bySelection[$0] } ?? []
            var byUnit: [PairKey: Double] = [:]
            for e in chosenRuns { byUnit[Self.unit(of: e.run)] = value(e.result?.test) }
            let ratios = chosenRuns.compactMap { e -> Double? in
                guard let tested = e.result?.test?.count, let trained = e.result?.trainExamples, trained > 0 else { return nil }
                return Double(tested) / Double(trained)
            }
            let ratio = ratios.isEmpty ? Self.foldRatio(byUnit.keys) : Statistics.summary(ratios).mean
            var test = Statistics.summary(chosenRuns.compactMap { value($0.result?.test) })
            if let perFold = Self.foldMeans(byUnit), let ratio {
                test = Statistics.Summary(n: test.n, mean: test.mean, std: test.std, ci95: Statistics.correctedResampledCI95(perFold, testTrainRatio: ratio))
            }
            built.append(Cell(dataset: key[0], arm: key[1], group: key[2], chosen: best ?? "", candidates: pool.keys.sorted(),
                              validMean: Statistics.summary(chosenRuns.compactMap { value($0.result?.valid) }).mean,
                              test: test, paper: paperValue(key[0], key[1]),
                              diverged: members.filter { $0.run.status == .diverged }.count,
                              failed: members.filter { $0.run.status == .failed || $0.run.status == .timeout }.count,
                              byUnit: byUnit, testTrainRatio: ratio, runIDs: chosenRuns.compactMap(\.run.id).sorted()))
        }
        cells = built.sorted { ($0.group, $0.dataset, $0.arm) < ($1.group, $1.dataset, $1.arm) }
        self.metric = metric
        self.baseline = baseline
        selectedAxes = selected
    }

    /// The datasets whose cells are k-fold CV runs.
    public var crossValidatedDatasets: [String] { Array(Set(cells.filter { Self.foldMeans($0.byUnit) != nil }.map(\.dataset))).sorted() }

    /// The paired test of `cell` against `base` (same dataset and setting) over the units both have
    /// (`pairedTest(_:against:testTrainRatio:)`); nil when they share fewer than two.
    public func pairedTest(_ cell: Cell, against base: Cell) -> Statistics.PairedTest? {
        Self.pairedTest(cell.byUnit, against: base.byUnit, testTrainRatio: base.testTrainRatio ?? cell.testTrainRatio)
    }

    /// The paired test of values keyed by unit over the units both have. On a hold-out split, the
    /// paired t-test over seeds. Under k-fold CV the folds' training sets overlap, so runs are not
    /// independent: each fold's differences are averaged over seeds, and the folds' means go to the
    /// corrected resampled t-test (Nadeau & Bengio 2003) with `testTrainRatio`.
    static func pairedTest(_ values: [PairKey: Double], against base: [PairKey: Double], testTrainRatio: Double?) -> Statistics.PairedTest? {
        let units = Set(values.keys).intersection(base.keys).sorted()
        let differences = Dictionary(uniqueKeysWithValues: units.map { ($0, values[$0]! - base[$0]!) })
        if let perFold = foldMeans(differences), let ratio = testTrainRatio ?? foldRatio(units) {
            return Statistics.correctedResampledTTest(perFold, testTrainRatio: ratio).map { $0.overFolds() }
        }
        return Statistics.pairedTTest(units.map { values[$0]! }, units.map { base[$0]! })
    }

    static func unit(of run: RunRecord) -> PairKey { PairKey(seed: run.seed, fold: run.fold, size: run.trainingSize) }

    /// Under k-fold CV (units with folds), the mean over seeds of each fold's values, in fold order; nil on a hold-out split.
    static func foldMeans(_ values: [PairKey: Double]) -> [Double]? {
        guard values.keys.contains(where: { $0.fold != nil }) else { return nil }
        let byFold = Dictionary(grouping: values) { PairKey(seed: 0, fold: $0.key.fold, size: $0.key.size) }
        return byFold.keys.sorted().map { Statistics.summary(byFold[$0]!.map(\.value)).mean }
    }

    /// k-fold CV's test/train ratio 1/(k − 1) with k from the highest fold seen, for results that do not give their sizes.
    static func foldRatio<S: Sequence>(_ units: S) -> Double? where S.Element == PairKey {
        units.compactMap(\.fold).max().flatMap { $0 > 0 ? 1 / Double($0) : nil }
    }

    /// Groups in order, training-set sizes numerically (`all` last).
    public var groups: [String] {
        Array(Set(cells.map(\.group))).sorted { (Self.sizeOrder($0), $0) < (Self.sizeOrder($1), $1) }
    }

    /// A group's place on the training-size axis: its size, `all` after every number, -1 without a size.
    static func sizeOrder(_ group: String) -> Double {
        guard let size = trainingSize(of: group) else { return -1 }
        return Double(size) ?? .infinity
    }

    /// The group without its training-set size ("size=300, model.kind=x" → "model.kind=x").
    static func settingWithoutSize(_ group: String) -> String {
        guard group.hasPrefix("size=") else { return group }
        let rest = group.drop { $0 != "," }
        return rest.isEmpty ? "" : String(rest.dropFirst(2))
    }

    /// The training-set size of a group ("size=300, …" → "300"), if it has one.
    public static func trainingSize(of group: String) -> String? {
        group.hasPrefix("size=") ? String(group.dropFirst(5).prefix { $0 != "," }) : nil
    }
}

extension Cell {
    /// Where a cell's chosen value lies among the values it was chosen from.
    public enum SweepPosition: Sendable { case smallest, inside, largest }

    /// The chosen value's place in its sweep, for one numeric selected axis with two or more values tried; nil otherwise.
    /// A value at the grid's edge was best there, so a better one may lie beyond it.
    public var sweepPosition: SweepPosition? {
        guard candidates.count >= 2, let value = Self.sweptNumber(chosen) else { return nil }
        let values = candidates.compactMap(Self.sweptNumber)
        guard values.count == candidates.count, let low = values.min(), let high = values.max() else { return nil }
        return value == low ? .smallest : value == high ? .largest : .inside
    }

    /// The number a one-axis selection sets ("train.learning_rate=0.01" → 0.01); nil for several axes or a non-number.
    public static func sweptNumber(_ selection: String) -> Double? {
        guard !selection.contains(", "), let equals = selection.firstIndex(of: "=") else { return nil }
        return Double(selection[selection.index(after: equals)...])
    }
}
