import Foundation

/// Row-wise softmax over the last dimension.
public enum Softmax {
    /// y[r] = softmax(x[r]) for `rows` rows of `columns`; `y` may alias `x`.
    public static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for r in 0..<rows { _ = row(x + r * columns, y + r * columns, columns: columns) }
    }

    /// One row: y = softmax(x) (y may alias x). Returns the row's max and Σ exp(x − max), from which
    /// log-softmax values follow exactly: log p_j = x_j − max − log Σ.
    @inline(__always)
    public static func row(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, columns: Int) -> (peak: Float, sum: Float) {
        let peak = FastMath.maximum(x, count: columns)
        if UnsafePointer(y) != x { y.update(from: x, count: columns) }
        let sum = FastMath.expShifted(y, count: columns, shift: peak)
        FastMath.scale(y, count: columns, by: 1 / sum)
        return (peak, sum)
    }

    /// dx += y ⊙ (dy − Σ dy·y) row by row.
    public static func backward(y: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                rows: Int, columns: Int) {
        for r in 0..<rows {
            let yr = y + r * columns, dyr = dy + r * columns, dxr = dx + r * columns
            var inner: Float = 0
            for j in 0..<columns { inner += dyr[j] * yr[j] }
            for j in 0..<columns { dxr[j] += yr[j] * (dyr[j] - inner) }
        }
    }
}

/// Log-softmax + negative log-likelihood, fused: the loss of a classifier or language model.
///
/// Matches PyTorch's `cross_entropy(weight:, ignore_index:, reduction: "mean")`: the loss is
/// Σ w[yᵢ]·(−log pᵢ[yᵢ]) / Σ w[yᵢ] over the rows whose target is not `ignoreIndex`.
public enum CrossEntropy {
    public struct Saved {
        /// Softmax probabilities [rows, classes].
        public let probabilities: Tensor
        /// Σ w[yᵢ] over the counted rows (the mean's denominator).
        public let totalWeight: Float
    }

    /// Returns the mean loss and what the backward pass needs.
    public static func forward(logits: Tensor, targets: [Int32], classWeights: Tensor? = nil,
                               ignoreIndex: Int32? = nil) -> (loss: Float, saved: Saved) {
        let probabilities = Tensor(zeros: logits.shape)
        var total: Double = 0, totalWeight: Double = 0
        for row in counted(logits: logits, targets: targets, classWeights: classWeights, ignoreIndex: ignoreIndex, probabilities: probabilities) {
            total += row.weight * row.nll
            totalWeight += row.weight
        }
        let loss = totalWeight > 0 ? Float(total / totalWeight) : 0
        return (loss, Saved(probabilities: probabilities, totalWeight: Float(totalWeight)))
    }

    /// dlogits += dloss · w[yᵢ] · (pᵢ − onehot(yᵢ)) / Σw.
    public static func backward(saved: Saved, targets: [Int32], classWeights: Tensor? = nil, ignoreIndex: Int32? = nil,
                                upstream: Float, dLogits: Tensor) {
        guard saved.totalWeight > 0 else { return }
        addGradient(probabilities: saved.probabilities, targets: targets, ignoreIndex: ignoreIndex, dLogits: dLogits) { row in
            upstream * (classWeights?.data[Int(targets[row])] ?? 1) / saved.totalWeight
        }
    }

    /// Writes each row's softmax into `probabilities` and returns, for every row whose target is not `ignoreIndex`, its
    /// index, its target's weight and −log p[target] — exact even where p[target] underflows in float32.
    static func counted(logits: Tensor, targets: [Int32], classWeights: Tensor?, ignoreIndex: Int32?,
                        probabilities: Tensor) -> [(row: Int, weight: Double, nll: Double)] {
        let rows = logits.rows, classes = logits.columns
        precondition(targets.count == rows, "\(targets.count) targets for logits \(logits.shape)")
        precondition(classWeights.map { $0.count == classes } ?? true, "class weights must have \(classes) entries")
        var out: [(row: Int, weight: Double, nll: Double)] = []
        out.reserveCapacity(rows)
        for r in 0..<rows {
            let x = logits.data + r * classes
            let (peak, sum) = Softmax.row(x, probabilities.data + r * classes, columns: classes)
            let target = targets[r]
            if target == ignoreIndex { continue }
            precondition(target >= 0 && Int(target) < classes, "target \(target) outside 0..<\(classes) at row \(r)")
            // −log p[y] = log Σ exp(x − peak) + peak − x[y].
            out.append((r, Double(classWeights?.data[Int(target)] ?? 1), Double(log(sum)) + Double(peak) - Double(x[Int(target)])))
        }
        return out
    }

    /// dlogits[r] += scale(r) · (p[r] − onehot(y[r])) for every row whose target is not `ignoreIndex`.
    static func addGradient(probabilities: Tensor, targets: [Int32], ignoreIndex: Int32?, dLogits: Tensor, scale: (Int) -> Float) {
        let classes = probabilities.columns
        let p = probabilities.data, d = dLogits.data
        for r in 0..<targets.count where targets[r] != ignoreIndex {
            let factor = scale(r)
            let pr = p + r * classes, dr = d + r * classes
            for j in 0..<classes { dr[j] += factor * pr[j] }
            dr[Int(targets[r])] -= factor
        }
    }
}
