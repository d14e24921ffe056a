import Foundation

/// The work an experiment has left, priced at the durations its ended runs took (`tlab plan`).
///
/// Each run left (queued or running; stage runs are not priced) costs the mean duration of the most
/// alike finished or diverged runs, as costs differ most by dataset, arm and training-set size:
/// 1. the same dataset, arm, size and sweep values (another seed or fold);
/// 2. the same dataset, arm and size;
/// 3. the same dataset and arm at other sizes: a least-squares line of seconds on training examples
///    through the mean at each measured size (two sizes at least), read at this run's size — never
///    below the smallest measured mean (`all` is the split's size, as a finished run's result gives it);
/// 4. the same dataset; 5. any run.
public struct WorkEstimate: Sendable, Equatable {
    /// Runs left and their estimated seconds (on one worker).
    public var runsLeft: Int
    public var seconds: Double
    /// Per dataset: the mean seconds of its measured runs and how many there are.
    public var measured: [Measured]

    public struct Measured: Sendable, Equatable {
        public var dataset: String
        public var meanSeconds: Double
        public var runs: Int
    }

    /// Nil when nothing is left or nothing has been measured. A run's duration is the longest of its
    /// last attempt's wall time, the seconds its result gives (which count a resumed run's earlier
    /// attempts) and `epochSeconds[id]`, the sum of its per-epoch training seconds (all that runs resumed
    /// before results counted earlier attempts kept of them). Only the runs left that `pricing` takes
    /// are priced (those of a `--only`/`--skip` selection); every ended run informs the prices, and so do the
    /// `earlier` results (by run id) of runs queued to run again (`tlab requeue`): they took as long before.
    public init?(runs: [RunRecord], epochSeconds: [Int64: Double] = [:], earlier: [Int64: [ResultsStore.EarlierResult]] = [:],
                 pricing: (RunRecord) -> Bool = { _ in true }) {
        struct Reported: Decodable { var seconds: Double?; var trainExamples: Int? }
        func reported(_ r: RunRecord) -> Reported? { r.resultJSON.flatMap { try? JSONDecoder().decode(Reported.self, from: Data($0.utf8)) } }
        /// A run as it ended, with how long it took; nil unless it ended with a result.
        func timing(_ r: RunRecord, trained: Double) -> (run: RunRecord, seconds: Double)? {
            guard r.status.hasResult, let a = r.startedAt, let b = r.finishedAt else { return nil }
            return (r, max(b.timeIntervalSince(a), reported(r)?.seconds ?? 0, trained))
        }
        let timed: [(run: RunRecord, seconds: Double)] = runs.filter { !$0.isStage }.flatMap { r in
            let before = (r.id.flatMap { earlier[$0] } ?? []).compactMap { e -> (run: RunRecord, seconds: Double)? in
                var past = r
                (past.status, past.startedAt, past.finishedAt, past.resultJSON) = (e.status, e.startedAt, e.finishedAt, e.resultJSON)
                return timing(past, trained: e.metrics.trainingSeconds ?? 0)
            }
            return [timing(r, trained: r.id.flatMap { epochSeconds[$0] } ?? 0)].compactMap { $0 } + before
        }
        let left = runs.filter { !$0.isStage && ($0.status == .queued || $0.status == .running) && pricing($0) }
        guard !timed.isEmpty, !left.isEmpty else { return nil }

        func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
        func means(_ key: (RunRecord) -> String) -> [String: Double] {
            Dictionary(grouping: timed, by: { key($0.run) }).mapValues { mean($0.map(\.seconds)) }
        }
        let armKey = { (r: RunRecord) in "\(r.dataset)|\(r.arm)" }
        let sizeKey = { (r: RunRecord) in "\(armKey(r))|\(r.trainingSize ?? "")" }
        let sweepKey = { (r: RunRecord) in "\(sizeKey(r))|\(r.sweepJSON)" }
        let exact = means(sweepKey)
        let sized = means(sizeKey)
        let byDataset = means(\.dataset)
        let overall = mean(timed.map(\.seconds))

        // Seconds on training examples (as the results give them) per dataset and arm, where two sizes are measured.
        let sizedRuns: [(run: RunRecord, seconds: Double, examples: Double)] = timed.compactMap { t in
            guard let n = reported(t.run)?.trainExamples, n > 0 else { return nil }
            return (t.run, t.seconds, Double(n))
        }
        let whole = Dictionary(sizedRuns.filter { $0.run.trainingSize == "all" }.map { ($0.run.dataset, $0.examples) }) { a, _ in a }
        var lines: [String: (intercept: Double, slope: Double, floor: Double)] = [:]
        for (key, group) in Dictionary(grouping: sizedRuns, by: { armKey($0.run) }) {
            let points = Dictionary(grouping: group, by: \.examples).map { (x: $0.key, y: mean($0.value.map(\.seconds))) }
            guard points.count >= 2 else { continue }
            let (mx, my) = (mean(points.map(\.x)), mean(points.map(\.y)))
            let slope = points.reduce(0) { $0 + ($1.x - mx) * ($1.y - my) } / points.reduce(0) { $0 + ($1.x - mx) * ($1.x - mx) }
            lines[key] = (my - slope * mx, slope, points.map(\.y).min()!)
        }
        func alongSizes(_ r: RunRecord) -> Double? {
            guard let line = lines[armKey(r)], let size = r.trainingSize,
                  let n = size == "all" ? whole[r.dataset] : Double(size) else { return nil }
            return max(line.intercept + line.slope * n, line.floor)
        }

        runsLeft = left.count
        seconds = left.reduce(0) { sum, r in
            sum + (exact[sweepKey(r)] ?? sized[sizeKey(r)] ?? alongSizes(r) ?? byDataset[r.dataset] ?? overall)
        }
        measured = byDataset.keys.sorted().map { d in Measured(dataset: d, meanSeconds: byDataset[d]!, runs: timed.filter { $0.run.dataset == d }.count) }
    }
}
