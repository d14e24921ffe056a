/// Word–context co-occurrence counts X_ij over a symmetric window, each pair weighted 1/distance
/// (Pennington et al. 2014, §4.2; the Stanford `cooccur` tool's default).
///
/// Ids are ranks by frequency, so most events fall among the frequent words: pairs of ids below
/// `denseSize` accumulate in a dense block (as Stanford's tool does), the rest in an open-addressing
/// hash table.
public struct CooccurrenceMatrix: Sendable {
    /// Non-zero entries (i, j, X_ij), sorted by (i, j).
    public let rows: [Int32], columns: [Int32]
    public let values: [Float]
    public var count: Int { values.count }

    /// Counts over documents of token ids. Ids < 0 (out-of-vocabulary words) are removed before the
    /// window is applied, as Stanford's `cooccur` skips them; windows do not cross documents.
    public init(documents: [[Int32]], vocabulary: Int, window: Int, denseSize: Int = 4096) {
        let dense = Swift.min(denseSize, vocabulary)
        var block = [Float](repeating: 0, count: dense * dense)
        var table = PairTable(capacity: 1 << 16)
        block.withUnsafeMutableBufferPointer { block in
            for doc in documents {
                let ids = doc.filter { $0 >= 0 }
                for (position, center) in ids.enumerated() {
                    for left in Swift.max(0, position - window)..<position {
                        let weight = 1 / Float(position - left)
                        let context = ids[left]
                        if Int(center) < dense && Int(context) < dense {
                            block[Int(center) * dense + Int(context)] += weight
                            block[Int(context) * dense + Int(center)] += weight
                        } else {
                            table.add(center, context, weight)
                            table.add(context, center, weight)
                        }
                    }
                }
            }
        }
        var entries: [(key: UInt64, value: Float)] = table.entries()
        for i in 0..<dense { for j in 0..<dense where block[i * dense + j] != 0 {
            entries.append((UInt64(i) << 32 | UInt64(j), block[i * dense + j]))
        } }
        entries.sort { $0.key < $1.key }
        rows = entries.map { Int32(truncatingIfNeeded: $0.key >> 32) }
        columns = entries.map { Int32(truncatingIfNeeded: $0.key & 0xFFFF_FFFF) }
        values = entries.map(\.value)
    }

    /// The entries of `matrix` in row `row` only.
    public init(filtering matrix: CooccurrenceMatrix, row: Int32) {
        let keep = matrix.rows.indices.filter { matrix.rows[$0] == row }
        rows = keep.map { matrix.rows[$0] }
        columns = keep.map { matrix.columns[$0] }
        values = keep.map { matrix.values[$0] }
    }
}

/// Open-addressing (linear probing) map from an id pair to a Float sum; far cheaper per update than
/// a `Dictionary`, whose keys are hashed with SipHash.
struct PairTable {
    private var keys: [UInt64]
    private var sums: [Float]
    private var used = 0
    private static let empty = UInt64.max

    init(capacity: Int) {
        keys = [UInt64](repeating: Self.empty, count: capacity)
        sums = [Float](repeating: 0, count: capacity)
    }

    mutating func add(_ i: Int32, _ j: Int32, _ weight: Float) {
        if 2 * (used + 1) > keys.count { grow() }
        let key = UInt64(UInt32(i)) << 32 | UInt64(UInt32(j))
        let mask = keys.count - 1
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
        while true {
            if keys[slot] == key { sums[slot] += weight; return }
            if keys[slot] == Self.empty { keys[slot] = key; sums[slot] = weight; used += 1; return }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        let old = entries()
        keys = [UInt64](repeating: Self.empty, count: keys.count * 2)
        sums = [Float](repeating: 0, count: keys.count)
        used = 0
        for (key, value) in old { add(Int32(truncatingIfNeeded: key >> 32), Int32(truncatingIfNeeded: key & 0xFFFF_FFFF), value) }
    }

    func entries() -> [(key: UInt64, value: Float)] {
        var out: [(key: UInt64, value: Float)] = []
        out.reserveCapacity(used)
        for s in keys.indices where keys[s] != Self.empty { out.append((keys[s], sums[s])) }
        return out
    }
}
