import Foundation
import Outcomes
import Specs
import Tracking

/// The checks a claim's verdict rests on, per dataset and setting: an arm below the bag-of-words floor (the baseline
/// best on validation), chosen runs still improving at their last epoch or with training loss at or above validation
/// loss (underfitting), runs at chance level, a collapsed seed, pretrained parts that did not move, too few pairs.
/// A setting that fails one is not a fair test of the claim, and its verdict says so with the numbers.
struct Validity {
    /// The arms that are baselines (`baselines:` in the spec).
    let baselines: [String]
    let table: ComparisonTable
    let outcomes: [Int64: RunOutcome]
    let metrics: [Int64: [MetricRecord]]
    let runs: [Int64: RunRecord]

    /// Fewer pairs than this make the paired test too weak to carry a verdict.
    static let minimumPairs = 3
    /// Within this of the majority-class rate is chance level.
    static let chanceMargin = 0.02
    /// A seed this far below the median of the others has collapsed.
    static let collapse = 0.10
    /// A last epoch best by no more than this (0.5 points of a rate; a loss 0.5% lower) is a plateau, as under a decayed
    /// schedule, not a run still improving (early stopping's min_delta).
    static let plateau = 0.005
    /// A generic perplexity that moved by less than this fraction: the pretrained parts did not move.
    static let unmoved = 0.05

    init(spec: LoadedSpec, table: ComparisonTable, outcomes: [Int64: RunOutcome], metrics: [Int64: [MetricRecord]], runs: [RunRecord]) {
        baselines = spec.tree["baselines"]?.mapping?.map(\.key) ?? []
        self.table = table; self.outcomes = outcomes; self.metrics = metrics
        self.runs = Dictionary(runs.compactMap { run in run.id.map { ($0, run) } }) { a, _ in a }
    }

    /// The checks, as the notebook lists them.
    static let described = [
        "an arm below the bag-of-words floor (the baseline best on validation, on the same data): the floor above the arm's mean and its 95% interval",
        "underfitting: half or more of an arm's chosen runs still improving at their last epoch (best there, by more than \(plateau * 100) points of the validation metric over their best earlier epoch, or 0.5% of a loss), or with training loss at or above validation loss at their chosen epoch",
        "runs at chance level (within \(Int(chanceMargin * 100)) points of the majority-class rate of the test split)",
        "a collapsed seed (more than \(Int(collapse * 100)) points below the median of the other seeds, of the same fold under k-fold CV)",
        "pretrained parts that did not move (the generic perplexity changed by less than \(Int(unmoved * 100))%) in an arm that starts from a pretrained model",
        "fewer than \(minimumPairs) pairs for the paired test",
    ]

    /// The best baseline on validation at a dataset and training-set size: its chosen runs.
    func floorCell(dataset: String, group: String) -> Cell? {
        let size = ComparisonTable.trainingSize(of: group)
        let candidates = table.cells.filter { baselines.contains($0.arm) && $0.dataset == dataset && ComparisonTable.trainingSize(of: $0.group) == size && $0.test.n > 0 }
        return candidates.max(by: { ($0.validMean, $1.arm) < ($1.validMean, $0.arm) })
    }

    /// The best baseline on validation at a cell's dataset and training-set size, with its test mean and the test split's majority rate.
    func floor(dataset: String, group: String) -> (arm: String, test: Double, majority: Double?)? {
        guard let best = floorCell(dataset: dataset, group: group) else { return nil }
        let majority = best.runIDs.compactMap { outcomes[$0]?.extras?["majority"] }.first
        return (best.arm, best.test.mean, majority)
    }

    /// What is wrong with a cell's chosen runs, each with its numbers; empty when nothing is.
    func problems(of cell: Cell) -> [String] {
        var found: [String] = []
        let name = "`\(cell.arm)`"
        if let floor = floor(dataset: cell.dataset, group: cell.group), !baselines.contains(cell.arm) {
            // Below it beyond seed-to-seed noise: the floor above the upper end of the arm's 95% interval (its mean with one run).
            let upper = cell.test.mean + (cell.test.ci95.map { $0.isFinite ? $0 : 0 } ?? 0)
            if upper < floor.test {
                found.append(String(format: "%@ (%.1f%@) is below the bag-of-words floor (%@, %.1f)", name, 100 * cell.test.mean,
                                    upper > cell.test.mean ? String(format: ", 95%% interval up to %.1f", 100 * upper) : "", floor.arm, 100 * floor.test))
            }
            if let majority = floor.majority, cell.test.mean <= majority + Self.chanceMargin {
                found.append(String(format: "%@ (%.1f) is at chance level (majority class %.1f)", name, 100 * cell.test.mean, 100 * majority))
            }
        }
        let chosen = cell.runIDs.compactMap { id in outcomes[id].map { (id, $0) } }
        let budgets = chosen.compactMap { id, o -> Bool? in
            guard let best = o.bestEpoch, let trained = o.epochs, best > 0 else { return nil }
            return best == trained && lastEpochGain(id, epoch: trained).map { $0 > Self.plateau } != false
        }
        let stillImproving = budgets.filter { $0 }.count
        if !budgets.isEmpty, stillImproving * 2 >= budgets.count {
            found.append("\(name) underfits: \(stillImproving) of \(budgets.count) chosen runs were still improving at their last epoch")
        }
        let losses = chosen.compactMap { id, o -> Bool? in
            guard let best = o.bestEpoch, let records = metrics[id],
                  let train = records.first(where: { $0.epoch == best && $0.split == "train" && $0.name == "loss" })?.value,
                  let valid = records.first(where: { $0.epoch == best && $0.split == "valid" && $0.name == "loss" })?.value else { return nil }
            return train >= valid
        }
        let trainAbove = losses.filter { $0 }.count
        if !losses.isEmpty, trainAbove * 2 >= losses.count {
            found.append("\(name) underfits: \(trainAbove) of \(losses.count) chosen runs had training loss at or above validation loss at their chosen epoch")
        }
        // Against the other seeds of the same fold under k-fold CV (folds differ in difficulty), else against all the others.
        let values = cell.byUnit.sorted { $0.key < $1.key }
        if values.count >= 3 {
            for (unit, value) in values {
                let others = values.filter { $0.key != unit && $0.key.fold == unit.fold }.map(\.value).sorted()
                guard others.count >= 2 else { continue }
                let median = others.count % 2 == 1 ? others[others.count / 2] : (others[others.count / 2 - 1] + others[others.count / 2]) / 2
                if value < median - Self.collapse {
                    found.append(String(format: "%@ seed %d%@ collapsed (%.1f against a median of %.1f for the other seeds%@)", name, unit.seed,
                                        unit.fold.map { " fold \($0)" } ?? "", 100 * value, 100 * median, unit.fold == nil ? "" : " of that fold"))
                }
            }
        }
        let pretrained = chosen.filter { id, _ in runs[id].map(startsPretrained) ?? false }
        let ratios = pretrained.compactMap { $0.1.extras?["forgetting_ratio"] }
        if !ratios.isEmpty {
            let moved = ratios.map { abs(1 - $0) }.reduce(0, +) / Double(ratios.count)
            if moved < Self.unmoved {
                found.append(String(format: "%@'s pretrained parts did not move (generic perplexity changed by %.1f%% on average)", name, 100 * moved))
            }
        }
        return found
    }

    /// How much a run's last epoch raised the validation metric above its best earlier epoch (a loss or perplexity
    /// lowered, relative to it); nil without per-epoch validation records (then a best last epoch counts as improving).
    func lastEpochGain(_ id: Int64, epoch last: Int) -> Double? {
        let metric = table.metric, lowerIsBetter = MetricDirection.lowerIsBetter(metric)
        let valid = (metrics[id] ?? []).filter { $0.split == "valid" && $0.name == metric }
        guard let final = valid.first(where: { $0.epoch == last })?.value else { return nil }
        let earlier = valid.filter { $0.epoch < last }.map(\.value)
        guard let before = lowerIsBetter ? earlier.min() : earlier.max() else { return nil }
        return lowerIsBetter ? (before - final) / max(abs(before), .leastNonzeroMagnitude) : final - before
    }

    /// Whether a run starts from a pretrained model (`model.init` other than `random`, with a stage it starts from).
    func startsPretrained(_ run: RunRecord) -> Bool {
        guard let config = try? JSONSerialization.jsonObject(with: Data(run.configJSON.utf8)) as? [String: Any],
              let model = config["model"] as? [String: Any], model["from"] != nil else { return false }
        return (model["init"] as? String) != "random"
    }

    /// Why a comparison of `cell` against `base` over `pairs` pairs is not a fair test; empty when it is.
    func reasons(_ cell: Cell, against base: Cell, pairs: Int) -> [String] {
        var found = problems(of: cell) + problems(of: base)
        if pairs < Self.minimumPairs { found.append("only \(pairs) pair\(pairs == 1 ? "" : "s") for the test") }
        return found
    }
}
