import Foundation
import Numerics

extension Tape {
    /// Mean cross-entropy of the logits x · Wᵀ + b against `targets`, fused: the [N, V] logits are
    /// turned into probabilities in place and, in backward, into their own gradient, so a large
    /// softmax output layer (a language model's decoder) holds one [N, V] buffer instead of three.
    /// Same value and gradients as `crossEntropy(linear(x, weight:, bias:), targets:)`.
    ///
    /// Rows whose target is `ignoreIndex` (padding, a sequence's last word) take no part in the loss,
    /// so they are left out of every product: only the counted rows are gathered, scored and, in
    /// backward, given gradients (the others' stay zero).
    public func linearCrossEntropy(_ x: Variable, weight: Variable, bias: Variable?, targets: [Int32],
                                   ignoreIndex: Int32? = nil) -> Variable {
        let all = value(x), w = value(weight)
        precondition(targets.count == all.rows, "\(targets.count) targets for \(all.rows) rows")
        let counted = targets.indices.filter { targets[$0] != ignoreIndex }
        let input = counted.count == all.rows ? all : Self.rows(counted, of: all)
        let (rows, classes) = (counted.count, w.rows)
        guard rows > 0 else { return record(Tensor(scalar: 0), inputs: [x, weight] + (bias.map { [$0] } ?? [])) { _, _ in } }
        let buffer = Tensor(uninitialized: [rows, classes])
        if let bias { let b = value(bias); for r in 0..<rows { (buffer.data + r * classes).update(from: b.data, count: classes) } }
        Matmul.product(input, w, transB: true, into: buffer, accumulate: bias != nil)
        var total: Double = 0
        for r in 0..<rows {
            let row = buffer.data + r * classes
            let target = Int(targets[counted[r]])
            precondition(target >= 0 && target < classes, "target \(target) outside 0..<\(classes)")
            let targetLogit = row[target]
            let (peak, sum) = Softmax.row(row, row, columns: classes)
            total += Double(log(sum)) + Double(peak) - Double(targetLogit)
        }
        let loss = Float(total / Double(rows))
        return record(Tensor(scalar: loss), inputs: [x, weight] + (bias.map { [$0] } ?? [])) { tape, g in
            // The buffer becomes dL/dlogits = (p − onehot) · upstream / count, in place.
            let scale = g.scalar / Float(rows)
            for r in 0..<rows {
                let row = buffer.data + r * classes
                FastMath.scale(row, count: classes, by: scale)
                row[Int(targets[counted[r]])] -= scale
            }
            if let dx = tape.gradientBuffer(x) {
                if rows == all.rows {
                    Matmul.product(buffer, w, into: dx, accumulate: true)
                } else {
                    let packed = Matmul.product(buffer, w)
                    for (r, row) in counted.enumerated() {
                        BLAS.axpy(count: all.columns, alpha: 1, x: packed.data + r * all.columns, y: dx.data + row * all.columns)
                    }
                }
            }
            if let dw = tape.gradientBuffer(weight) { Matmul.product(buffer, input, transA: true, into: dw, accumulate: true) }
            if let bias, let db = tape.gradientBuffer(bias) {
                for r in 0..<rows { BLAS.axpy(count: classes, alpha: 1, x: buffer.data + r * classes, y: db.data) }
            }
        }
    }

    /// The given rows of a matrix, packed.
    static func rows(_ indices: [Int], of m: Tensor) -> Tensor {
        let packed = Tensor(uninitialized: [indices.count, m.columns])
        for (r, row) in indices.enumerated() { (packed.data + r * m.columns).update(from: m.data + row * m.columns, count: m.columns) }
        return packed
    }
}
