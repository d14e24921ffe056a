/// The planned runs to register now under `selection.tune_seeds`: a cell's runs on its tuning seeds at once; its other
/// seeds' runs at the chosen values once every tuning run of the cell has ended (at every value if none finished).
public struct StagedPlan: Sendable {
    /// The runs to register now (every planned run without `tune_seeds`).
    public let runs: [PlannedRun]
    /// Runs of later seeds that wait on their cell's tuning runs, counted once per seed, fold and setting (each will
    /// run at one value of the selected axes).
    public let waiting: Int
    /// The cells still tuning, as "dataset × arm at size, setting".
    public let tuningCells: [String]
}

public enum SeedStaging {
    /// What a planned run has given so far.
    public enum Result: Sendable {
        case pending
        /// Ended; its validation metric if it finished.
        case ended(valid: Double?)
    }

    public static func staged(_ planned: [PlannedRun], selection: SweepSelection, result: (PlannedRun) -> Result) -> StagedPlan {
        guard selection.tuneSeeds != nil, !selection.axes.isEmpty else { return StagedPlan(runs: planned, waiting: 0, tuningCells: []) }
        let cells = Dictionary(grouping: planned.indices) { i in cell(of: planned[i], selection) }
        var kept = Set<Int>(), waiting = 0, tuningCells: [String] = []
        for (key, members) in cells {
            let tuning = selection.tuningSeeds(among: members.map { planned[$0].seed })
            let (tuners, later) = (members.filter { tuning.contains(planned[$0].seed) }, members.filter { !tuning.contains(planned[$0].seed) })
            kept.formUnion(tuners)
            // (a cell with one value, as a baseline's, has nothing to choose)
            guard !later.isEmpty, Set(members.map { selection.chosenPart(of: planned[$0].sweep) }).count > 1 else {
                kept.formUnion(later)
                continue
            }
            var candidates: [String: [Double]] = [:], pending = false
            for i in tuners {
                switch result(planned[i]) {
                case .pending: pending = true
                case let .ended(valid):
                    candidates[selection.chosenPart(of: planned[i].sweep), default: []] += valid.map { [$0] } ?? []
                }
            }
            if pending {
                waiting += Set(later.map { "\(planned[$0].seed)|\(planned[$0].fold ?? -1)" }).count
                tuningCells.append(key)
                continue
            }
            let finished = candidates.filter { !$0.value.isEmpty }
            let chosen = selection.best(finished)
            kept.formUnion(later.filter { chosen == nil || selection.chosenPart(of: planned[$0].sweep) == chosen })
        }
        return StagedPlan(runs: planned.indices.filter(kept.contains).map { planned[$0] }, waiting: waiting, tuningCells: tuningCells.sorted())
    }

    /// A run's cell: its dataset, arm, training-set size and the values of the axes not selected.
    static func cell(of run: PlannedRun, _ selection: SweepSelection) -> String {
        let setting = selection.settingPart(of: run.sweep)
        return "\(run.dataset) × \(run.arm)" + (run.trainingSize.map { " at \($0)" } ?? "") + (setting.isEmpty ? "" : ", \(setting)")
    }
}
