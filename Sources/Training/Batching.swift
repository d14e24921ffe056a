import Numerics

/// How an epoch's training examples are cut into mini-batches.
public enum Batching: String, Codable, Sendable {
    /// Shuffled, then cut in order.
    case random
    /// Shuffled; then each megabatch of up to 50 batches sorted by length, longest first, and cut; the batches shuffled.
    /// A batch pads to its longest member, so each pads little, while every epoch stays random (fastai's
    /// `SortishSampler`, transformers' `group_by_length`).
    case lengthGrouped = "length-grouped"

    /// The epoch's batches of indices into `lengths`, each of at most `batchSize`; every index once.
    public func batches(lengths: [Int], batchSize: Int, rng: inout RandomGenerator) -> [[Int]] {
        var order = Array(lengths.indices)
        rng.shuffle(&order)
        if self == .lengthGrouped {
            // As transformers' LengthGroupedSampler: megabatches of 50 batches, fewer when the set is small (at least 4
            // megabatches), so a small set still mixes its lengths across batches.
            let megabatch = batchSize * Swift.max(1, Swift.min(lengths.count / (4 * batchSize), 50))
            order = stride(from: 0, to: order.count, by: megabatch).flatMap { start in
                order[start..<Swift.min(start + megabatch, order.count)].enumerated()
                    .sorted { (-lengths[$0.element], $0.offset) < (-lengths[$1.element], $1.offset) }.map(\.element)
            }
        }
        var batches = stride(from: 0, to: order.count, by: batchSize).map { Array(order[$0..<Swift.min($0 + batchSize, order.count)]) }
        if self == .lengthGrouped { rng.shuffle(&batches) }
        return batches
    }
}
