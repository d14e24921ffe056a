import Numerics

/// How examples are divided; part of every run's resolved configuration.
public struct SplitSpec: Codable, Equatable, Hashable, Sendable {
    public var seed: UInt64
    /// Fractions of all examples held out for validation and test (hold-out mode).
    public var valid: Double
    public var test: Double
    /// k-fold cross-validation instead of a fixed test split (Kim 2014 evaluates MR with 10 folds);
    /// `valid` is then the fraction of each fold's training part held out for model selection.
    public var folds: Int?

    public init(seed: UInt64 = 0, valid: Double = 0.1, test: Double = 0.1, folds: Int? = nil) {
        self.seed = seed; self.valid = valid; self.test = test; self.folds = folds
    }
}

/// Example indices of one split.
public struct Split: Equatable, Sendable {
    public var train: [Int]
    public var valid: [Int]
    public var test: [Int]
}

/// Deterministic, seeded, stratified splitting (same labels + seed → same split on every machine).
public enum Splitter {
    /// Stratified hold-out split: each label's examples are shuffled and cut by the fractions.
    public static func holdout(labels: [String], spec: SplitSpec) -> Split {
        var rng = RandomGenerator(seed: spec.seed).derived("holdout")
        var split = Split(train: [], valid: [], test: [])
        for members in groups(labels) {
            var m = members
            rng.shuffle(&m)
            let nTest = Int((Double(m.count) * spec.test).rounded()), nValid = Int((Double(m.count) * spec.valid).rounded())
            split.test += m[0..<nTest]
            split.valid += m[nTest..<(nTest + nValid)]
            split.train += m[(nTest + nValid)...]
        }
        return Split(train: split.train.sorted(), valid: split.valid.sorted(), test: split.test.sorted())
    }

    /// Stratified k-fold: fold `fold` is the test part; a stratified `spec.valid` share of the rest
    /// is held out for validation.
    public static func fold(_ fold: Int, labels: [String], spec: SplitSpec) -> Split {
        let k = spec.folds ?? 10
        precondition(fold >= 0 && fold < k, "fold \(fold) outside 0..<\(k)")
        var rng = RandomGenerator(seed: spec.seed).derived("folds")
        var test: [Int] = [], rest: [Int] = []
        var position = 0  // runs on across labels, so each label's remainder lands in different folds
        for members in groups(labels) {
            var m = members
            rng.shuffle(&m)
            for index in m {
                if position % k == fold { test.append(index) } else { rest.append(index) }
                position += 1
            }
        }
        let inner = holdout(labels: rest.map { labels[$0] }, spec: SplitSpec(seed: spec.seed &+ UInt64(fold) &+ 1, valid: spec.valid, test: 0))
        return Split(train: inner.train.map { rest[$0] }.sorted(), valid: inner.valid.map { rest[$0] }.sorted(), test: test.sorted())
    }

    /// The first `size` examples of a fixed, label-interleaved order of `train`: the subsets are
    /// nested (the 100-example subset lies inside the 300-example one) and close to stratified.
    public static func trainingSubset(_ train: [Int], labels: [String], size: Int, seed: UInt64) -> [Int] {
        var rng = RandomGenerator(seed: seed).derived("subset")
        var keyed: [(key: Double, label: Int, index: Int)] = []
        for (labelIndex, members) in groups(train.map { labels[$0] }).enumerated() {
            var m = members
            rng.shuffle(&m)
            for (rank, local) in m.enumerated() {
                keyed.append(((Double(rank) + 0.5) / Double(m.count), labelIndex, train[local]))
            }
        }
        keyed.sort { $0.key != $1.key ? $0.key < $1.key : $0.label < $1.label }
        return Array(keyed.prefix(size).map(\.index))
    }

    /// Indices grouped by label, labels in sorted order.
    static func groups(_ labels: [String]) -> [[Int]] {
        Dictionary(grouping: labels.indices, by: { labels[$0] }).sorted { $0.key < $1.key }.map(\.value)
    }
}

