import Foundation
import Numerics

extension Tape {
    /// Mean cross-entropy of the logits x · Wᵀ + b against `targets`, fused: the [N, V] logits are
    /// turned into probabilities in place and, in backward, into their own gradient, so a large
    /// softmax output layer (a language model's decoder) holds one [N, V] buffer instead of three.
    /// Same value and gradients as `crossEntropy(linear(x, weight:, bias:), targets:)`.
    public func linearCrossEntropy(_ x: Variable, weight: Variable, bias: Variable?, targets: [Int32],
                                   ignoreIndex: Int32? = nil) -> Variable {
        let input = value(x), w = value(weight)
        let (rows, classes) = (input.rows, w.rows)
        precondition(targets.count == rows, "\(targets.count) targets for \(rows) rows")
        let buffer = Tensor(zeros: [rows, classes])
        if let bias { let b = value(bias); for r in 0..<rows { (buffer.data + r * classes).update(from: b.data, count: classes) } }
        Matmul.product(input, w, transB: true, into: buffer, accumulate: bias != nil)
        var total: Double = 0
        var counted = 0
        for r in 0..<rows {
            let row = buffer.data + r * classes
            let target = targets[r]
            let targetLogit = target == ignoreIndex ? 0 : row[Int(target)]
            let (peak, sum) = Softmax.row(row, row, columns: classes)
            guard target != ignoreIndex else { continue }
            precondition(target >= 0 && Int(target) < classes, "target \(target) outside 0..<\(classes)")
            total += Double(log(sum)) + Double(peak) - Double(targetLogit)
            counted += 1
        }
        let loss = counted > 0 ? Float(total / Double(counted)) : 0
        return record(Tensor(scalar: loss), inputs: [x, weight] + (bias.map { [$0] } ?? [])) { tape, g in
            guard counted > 0 else { return }
            // The buffer becomes dL/dlogits = (p − onehot) · upstream / count, in place.
            let scale = g.scalar / Float(counted)
            for r in 0..<rows {
                let row = buffer.data + r * classes
                if targets[r] == ignoreIndex { row.update(repeating: 0, count: classes); continue }
                FastMath.scale(row, count: classes, by: scale)
                row[Int(targets[r])] -= scale
            }
            if let dx = tape.gradientBuffer(x) { Matmul.product(buffer, w, into: dx, accumulate: true) }
            if let dw = tape.gradientBuffer(weight) { Matmul.product(buffer, input, transA: true, into: dw, accumulate: true) }
            if let bias, let db = tape.gradientBuffer(bias) {
                for r in 0..<rows { BLAS.axpy(count: classes, alpha: 1, x: buffer.data + r * classes, y: db.data) }
            }
        }
    }
}

