/// The spec's `selection:`: the sweep axes (`over`) chosen per cell — arm, dataset, training size and the other axes'
/// values — by the best mean validation metric, never the test metric. With `tune_seeds: n` they are chosen on the
/// cell's n lowest seeds only, and its other seeds run at the chosen values alone (tune on a few seeds, report on all).
public struct SweepSelection: Sendable {
    public let axes: [String]
    /// The validation metric that chooses: `selection.metric` without its `valid_` / `valid.` prefix, else the report metric.
    public let metric: String
    public let tuneSeeds: Int?

    public init(axes: [String], metric: String, tuneSeeds: Int? = nil) {
        self.axes = axes; self.metric = metric; self.tuneSeeds = tuneSeeds
    }

    public init(_ tree: ConfigNode) {
        let reported = tree.node(at: ["report", "metric"])?.scalar ?? "accuracy"
        self.init(axes: tree.node(at: ["selection", "over"])?.sequence?.compactMap(\.scalar) ?? [],
                  metric: tree.node(at: ["selection", "metric"])?.scalar.map { name in
                      ["valid_", "valid."].first(where: name.hasPrefix).map { String(name.dropFirst($0.count)) } ?? name
                  } ?? reported,
                  tuneSeeds: tree.node(at: ["selection", "tune_seeds"])?.scalar.flatMap(Int.init))
    }

    /// The selected axes' values of a run's sweep ("train.learning_rate=0.001"); "" when nothing is selected.
    public func chosenPart(of sweep: [String: String]) -> String { Self.describe(sweep) { axes.contains($0) } }

    /// The other axes' values, which make separate settings of a table.
    public func settingPart(of sweep: [String: String]) -> String { Self.describe(sweep) { !axes.contains($0) } }

    static func describe(_ sweep: [String: String], _ keep: (String) -> Bool) -> String {
        sweep.filter { keep($0.key) }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    /// The seeds a cell's choice is made on: its `tune_seeds` lowest, or all of them.
    public func tuningSeeds<S: Sequence>(among seeds: S) -> Set<Int> where S.Element == Int {
        let all = Set(seeds)
        guard let tuneSeeds else { return all }
        return Set(all.sorted().prefix(tuneSeeds))
    }

    /// Of the candidate values (the selected axes' values → the validation metrics of their ended runs on the tuning
    /// seeds), the one with the best mean; a tie goes to the value first in text order.
    public func best(_ candidates: [String: [Double]]) -> String? {
        let lowerIsBetter = MetricDirection.lowerIsBetter(metric)
        return candidates.max { a, b in
            var ma = Self.mean(a.value), mb = Self.mean(b.value)
            if lowerIsBetter { (ma, mb) = (-ma, -mb) }
            return ma < mb || (ma == mb && a.key > b.key)
        }?.key
    }

    static func mean(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count) }
}
