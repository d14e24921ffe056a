/// Rows of sparse features in compressed-row form (column indices ascending within a row), in Double:
/// the bag-of-words baselines' design matrix.
public struct SparseRows: Sendable {
    public let columns: Int
    public private(set) var offsets: [Int] = [0]
    public private(set) var indices: [Int32] = []
    public private(set) var values: [Double] = []

    public init(columns: Int) { self.columns = columns }

    public var count: Int { offsets.count - 1 }

    /// Appends a row from (column, value) pairs with ascending, distinct columns.
    public mutating func append<S: Sequence>(_ row: S) where S.Element == (Int32, Double) {
        for (column, value) in row {
            indices.append(column)
            values.append(value)
        }
        offsets.append(indices.count)
    }

    /// The row's entries.
    public func row(_ i: Int) -> Zip2Sequence<ArraySlice<Int32>, ArraySlice<Double>> {
        zip(indices[offsets[i]..<offsets[i + 1]], values[offsets[i]..<offsets[i + 1]])
    }

    /// xᵢ·w[offset ..< offset + columns].
    @inline(__always)
    func dot(row i: Int, _ w: UnsafeBufferPointer<Double>, offset: Int = 0) -> Double {
        var sum = 0.0
        for k in offsets[i]..<offsets[i + 1] { sum += values[k] * w[offset + Int(indices[k])] }
        return sum
    }

    /// g[offset ..< offset + columns] += a·xᵢ.
    @inline(__always)
    func add(row i: Int, times a: Double, to g: UnsafeMutableBufferPointer<Double>, offset: Int = 0) {
        for k in offsets[i]..<offsets[i + 1] { g[offset + Int(indices[k])] += a * values[k] }
    }

    /// The same rows with every value replaced by `transform(column, value)`.
    public func mapValues(_ transform: (Int32, Double) -> Double) -> SparseRows {
        var out = self
        for k in values.indices { out.values[k] = transform(indices[k], values[k]) }
        return out
    }
}
