import Foundation
import Outcomes

/// The work an experiment has left, priced at the durations its ended runs took (`tlab plan`, the
/// scheduler's ETA, the interim notebook): each run left (queued or running; stage runs are not
/// priced) costs what `RunPrices` gives it, the mean of the most alike ended runs.
public struct WorkEstimate: Sendable, Equatable {
    /// Runs left and their estimated seconds (on one worker with one BLAS thread).
    public var runsLeft: Int
    public var seconds: Double
    /// Per dataset: the mean seconds of its measured runs and how many there are.
    public var measured: [Measured]
    /// The arms of runs left that no ended run has measured.
    public var unmeasuredArms: Set<String>

    public struct Measured: Sendable, Equatable {
        public var dataset: String
        public var meanSeconds: Double
        public var runs: Int
    }

    /// Nil when nothing is left or nothing has been measured. Only the runs left that `pricing` takes
    /// are priced (those of a `--only`/`--skip` selection); every ended run informs the prices, and so do
    /// the `earlier` results of runs queued to run again (see `RunPrices`). A run left that resumes from a
    /// saved state costs its price less the seconds of training the state holds (`trained`, by run id).
    /// `unmeasuredArm` (the spec's `plan.seconds_per_run`) prices the runs of an arm with no ended run (see `RunPrices`).
    public init?(runs: [RunRecord], epochSeconds: [Int64: Double] = [:], earlier: [Int64: [ResultsStore.EarlierResult]] = [:],
                 trained: [Int64: Double] = [:], unmeasuredArm: Double? = nil, pricing: (RunRecord) -> Bool = { _ in true }) {
        let left = runs.filter { !$0.isStage && ($0.status == .queued || $0.status == .running) && pricing($0) }
        guard !left.isEmpty, let prices = RunPrices(runs: runs, epochSeconds: epochSeconds, earlier: earlier, unmeasuredArm: unmeasuredArm)
        else { return nil }
        unmeasuredArms = Set(left.filter { !prices.hasMeasured(arm: $0.arm) }.map(\.arm))
        runsLeft = left.count
        seconds = left.reduce(0) { $0 + max(prices.seconds(of: $1) - ($1.id.flatMap { trained[$0] } ?? 0), 0) }
        measured = prices.byDataset.map { Measured(dataset: $0.dataset, meanSeconds: $0.seconds, runs: $0.runs) }
    }
}

/// What a run left should take, from the runs that ended with a result, as costs differ most by dataset,
/// arm and training-set size:
/// 1. the same dataset, arm, size and sweep values (another seed or fold);
/// 2. the same dataset, arm and size;
/// 3. the same dataset and arm at other sizes: a least-squares line of seconds on training examples
///    through the value at each measured size (two sizes at least), read at this run's size — never
///    below the smallest measured size's value (`all` is the split's size, as a finished run's result gives it);
/// 4. the same dataset — unless the arm has no ended run at all and `unmeasuredArm` is given (the spec's
///    `plan.seconds_per_run`): another arm's runs may be another model, a BiLSTM's minutes for a transformer's hour;
/// 5. any run.
/// Each level summarises its runs by `statistic`: their mean for an estimate of the work left, their
/// longest for a bound (`Deadline`). Runs are priced among runs, stage runs among stage runs (`kind`) of their own
/// name: for a stage, levels 4 and 5 are the same name on the dataset, then on any dataset (a language model's
/// pretraining says nothing of how long its fine-tuning takes).
public struct RunPrices: Sendable {
    public enum Statistic: Sendable { case mean, longest }
    public enum Kind: Sendable { case runs, stages }

    private let exact: [String: Double], sized: [String: Double], dataset: [String: Double], overall: Double
    private let lines: [String: (intercept: Double, slope: Double, floor: Double)]
    private let whole: [String: Double]
    private let kind: Kind, armOnDataset: [String: Double], arm: [String: Double]
    private let measuredArms: Set<String>, unmeasuredArm: Double?
    /// Per dataset (sorted): its measured runs' `statistic` and how many there are.
    public let byDataset: [(dataset: String, seconds: Double, runs: Int)]

    /// Nil when no run has ended with a result. A run's duration is the longest of its last attempt's wall
    /// time, the seconds its result gives (which count a resumed run's earlier attempts) and
    /// `epochSeconds[id]`, the sum of its per-epoch training seconds (all that runs resumed before results
    /// counted earlier attempts kept of them); the `earlier` results (by run id) of runs queued to run
    /// again (`tlab requeue`) count as ended runs of their cells: they took as long before.
    ///
    /// Prices are one-thread seconds, as a scheduler's workers run with one BLAS thread each: a run that
    /// ended on T threads (its last attempt's) counts T times its duration — the most its one-thread time
    /// can be, since T threads speed a run up at most T-fold — so a bound stays a bound (`tlab bench
    /// lstm-lm` measures 1.7× on two threads, so such a price runs ≈15 % high).
    public init?(runs: [RunRecord], epochSeconds: [Int64: Double] = [:], earlier: [Int64: [ResultsStore.EarlierResult]] = [:],
                 of kind: Kind = .runs, statistic: Statistic = .mean, unmeasuredArm: Double? = nil) {
        // A price is an estimate: a result that does not decode prices its run by its wall-clock time alone.
        func reported(_ r: RunRecord) -> RunOutcome? { (try? r.outcome()) ?? nil }
        /// A run as it ended, with how long it took; nil unless it ended with a result.
        func timing(_ r: RunRecord, trained: Double) -> (run: RunRecord, seconds: Double)? {
            guard r.status.hasResult, let a = r.startedAt, let b = r.finishedAt else { return nil }
            let threads = Double(max(r.threads ?? 1, 1))
            return (r, threads * max(b.timeIntervalSince(a), reported(r)?.seconds ?? 0, trained))
        }
        let timed: [(run: RunRecord, seconds: Double)] = runs.filter { $0.isStage == (kind == .stages) }.flatMap { r in
            let before = (r.id.flatMap { earlier[$0] } ?? []).compactMap { e -> (run: RunRecord, seconds: Double)? in
                var past = r
                (past.status, past.startedAt, past.finishedAt, past.resultJSON, past.threads) = (e.status, e.startedAt, e.finishedAt, e.resultJSON, e.threads)
                return timing(past, trained: e.metrics.trainingSeconds ?? 0)
            }
            return [timing(r, trained: r.id.flatMap { epochSeconds[$0] } ?? 0)].compactMap { $0 } + before
        }
        guard !timed.isEmpty else { return nil }
        measuredArms = Set(timed.map(\.run.arm))
        self.unmeasuredArm = unmeasuredArm
        self.kind = kind

        func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
        let summary: ([Double]) -> Double = statistic == .mean ? mean : { $0.max()! }
        func summaries(_ key: (RunRecord) -> String) -> [String: Double] {
            Dictionary(grouping: timed, by: { key($0.run) }).mapValues { summary($0.map(\.seconds)) }
        }
        exact = summaries(Self.sweepKey)
        sized = summaries(Self.sizeKey)
        let dataset = summaries(\.dataset)
        self.dataset = dataset
        overall = summary(timed.map(\.seconds))
        armOnDataset = summaries(Self.armKey)
        arm = summaries(\.arm)
        byDataset = dataset.keys.sorted().map { d in (d, dataset[d]!, timed.filter { $0.run.dataset == d }.count) }

        // Seconds on training examples (as the results give them) per dataset and arm, where two sizes are measured.
        let sizedRuns: [(run: RunRecord, seconds: Double, examples: Double)] = timed.compactMap { t in
            guard let n = reported(t.run)?.trainExamples, n > 0 else { return nil }
            return (t.run, t.seconds, Double(n))
        }
        whole = Dictionary(sizedRuns.filter { $0.run.trainingSize == "all" }.map { ($0.run.dataset, $0.examples) }) { a, _ in a }
        var lines: [String: (intercept: Double, slope: Double, floor: Double)] = [:]
        for (key, group) in Dictionary(grouping: sizedRuns, by: { Self.armKey($0.run) }) {
            let points = Dictionary(grouping: group, by: \.examples).map { (x: $0.key, y: summary($0.value.map(\.seconds))) }
            guard points.count >= 2 else { continue }
            let (mx, my) = (mean(points.map(\.x)), mean(points.map(\.y)))
            let slope = points.reduce(0) { $0 + ($1.x - mx) * ($1.y - my) } / points.reduce(0) { $0 + ($1.x - mx) * ($1.x - mx) }
            lines[key] = (my - slope * mx, slope, points.map(\.y).min()!)
        }
        self.lines = lines
    }

    private static func armKey(_ r: RunRecord) -> String { "\(r.dataset)|\(r.arm)" }
    private static func sizeKey(_ r: RunRecord) -> String { "\(armKey(r))|\(r.trainingSize ?? "")" }
    private static func sweepKey(_ r: RunRecord) -> String { "\(sizeKey(r))|\(r.sweepJSON)" }

    /// The seconds `run` should take on one worker with one BLAS thread, at the most alike level that has measured runs.
    public func seconds(of run: RunRecord) -> Double {
        if let unmeasuredArm, !hasMeasured(arm: run.arm) { return unmeasuredArm }
        let alike = exact[Self.sweepKey(run)] ?? sized[Self.sizeKey(run)] ?? alongSizes(run)
        if kind == .stages { return alike ?? armOnDataset[Self.armKey(run)] ?? arm[run.arm] ?? overall }
        return alike ?? dataset[run.dataset] ?? overall
    }

    /// Whether a run of `arm` (on any dataset) has ended with a result.
    public func hasMeasured(arm: String) -> Bool { measuredArms.contains(arm) }

    private func alongSizes(_ r: RunRecord) -> Double? {
        guard let line = lines[Self.armKey(r)], let size = r.trainingSize,
              let n = size == "all" ? whole[r.dataset] : Double(size) else { return nil }
        return max(line.intercept + line.slope * n, line.floor)
    }
}
