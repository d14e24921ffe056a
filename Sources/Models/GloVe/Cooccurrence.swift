/// Word–context co-occurrence counts X_ij over a symmetric window, each pair weighted 1/distance
/// (Pennington et al. 2014, §4.2; the Stanford `cooccur` tool's default).
public struct CooccurrenceMatrix: Sendable {
    /// Non-zero entries (i, j, X_ij), sorted by (i, j).
    public let rows: [Int32], columns: [Int32]
    public let values: [Float]
    public var count: Int { values.count }

    /// Counts over documents of token ids. Ids < 0 (out-of-vocabulary words) are removed before the
    /// window is applied, as Stanford's `cooccur` skips them; windows do not cross documents.
    public init(documents: [[Int32]], vocabulary: Int, window: Int) {
        var counts: [UInt64: Float] = [:]
        counts.reserveCapacity(Swift.min(documents.reduce(0) { $0 + $1.count } * window, 1 << 26))
        for doc in documents {
            let ids = doc.filter { $0 >= 0 }
            for (position, center) in ids.enumerated() {
                let start = Swift.max(0, position - window)
                for left in start..<position {
                    let weight = 1 / Float(position - left)
                    let context = ids[left]
                    counts[UInt64(UInt32(center)) << 32 | UInt64(UInt32(context)), default: 0] += weight
                    counts[UInt64(UInt32(context)) << 32 | UInt64(UInt32(center)), default: 0] += weight
                }
            }
        }
        let keys = counts.keys.sorted()
        rows = keys.map { Int32(truncatingIfNeeded: $0 >> 32) }
        columns = keys.map { Int32(truncatingIfNeeded: $0 & 0xFFFF_FFFF) }
        values = keys.map { counts[$0]! }
        _ = vocabulary
    }

    /// The entries of `matrix` in row `row` only.
    public init(filtering matrix: CooccurrenceMatrix, row: Int32) {
        let keep = matrix.rows.indices.filter { matrix.rows[$0] == row }
        rows = keep.map { matrix.rows[$0] }
        columns = keep.map { matrix.columns[$0] }
        values = keep.map { matrix.values[$0] }
    }
}
