import Foundation

/// Scaled dot-product attention (Vaswani et al. 2017) over G independent groups (batch × heads).
///
/// q: [G, Tq, d], k: [G, Tk, d], v: [G, Tk, dv] → out [G, Tq, dv] = softmax(q·kᵀ/√d + mask)·v.
/// `mask` holds 1 where a query may attend to a key and 0 where not, shaped [G, Tq, Tk] or
/// [G, 1, Tk] (key padding, broadcast over queries); a row with no allowed key yields zeros.
/// `dropout` (inverted-dropout factors, 0 or 1/(1−p), shaped as the probabilities) drops attention
/// probabilities before they weight v, as BERT does in training (Devlin et al. 2019).
public enum AttentionKernel {
    public struct Saved {
        public let probabilities: Tensor  // [G, Tq, Tk]
        public let dropped: Tensor?       // probabilities ⊙ dropout
        public let dropout: Tensor?
    }

    public static func forward(q: Tensor, k: Tensor, v: Tensor, mask: Tensor?, dropout: Tensor? = nil) -> (Tensor, Saved) {
        let (groups, tq, d) = (q.dim(0), q.dim(1), q.dim(2))
        let (tk, dv) = (k.dim(1), v.dim(2))
        precondition(k.dim(0) == groups && v.dim(0) == groups && k.dim(2) == d && v.dim(1) == tk,
                     "attention shapes q \(q.shape) k \(k.shape) v \(v.shape)")
        let maskRows = mask.map { $0.dim(1) } ?? 0
        if let mask {
            precondition(mask.dim(0) == groups && (maskRows == tq || maskRows == 1) && mask.dim(2) == tk,
                         "attention mask \(mask.shape) for q \(q.shape) k \(k.shape)")
        }
        let scores = Tensor(zeros: [groups, tq, tk])
        let scale = 1 / Float(d).squareRoot()
        BLAS.gemmBatched(count: groups, transB: true, m: tq, n: tk, k: d, alpha: scale,
                         a: q.data, lda: d, strideA: tq * d, b: k.data, ldb: d, strideB: tk * d,
                         c: scores.data, ldc: tk, strideC: tq * tk)
        for gIndex in 0..<groups {
            for i in 0..<tq {
                let row = scores.data + (gIndex * tq + i) * tk
                let m = mask.map { $0.data + (gIndex * maskRows + (maskRows == 1 ? 0 : i)) * tk }
                var peak = -Float.infinity
                for j in 0..<tk where m.map({ $0[j] != 0 }) ?? true { peak = max(peak, row[j]) }
                guard peak > -Float.infinity else { row.update(repeating: 0, count: tk); continue }
                var sum: Float = 0
                for j in 0..<tk {
                    let allowed = m.map { $0[j] != 0 } ?? true
                    let e = allowed ? expf(row[j] - peak) : 0
                    row[j] = e
                    sum += e
                }
                let inv = 1 / sum
                for j in 0..<tk { row[j] *= inv }
            }
        }
        var dropped: Tensor?
        if let dropout {
            precondition(dropout.count == scores.count, "attention dropout \(dropout.shape) for probabilities \(scores.shape)")
            let d = Tensor(uninitialized: scores.shape)
            for i in 0..<scores.count { d.data[i] = scores.data[i] * dropout.data[i] }
            dropped = d
        }
        let weights = dropped ?? scores
        let out = Tensor(zeros: [groups, tq, dv])
        BLAS.gemmBatched(count: groups, m: tq, n: dv, k: tk, a: weights.data, lda: tk, strideA: tq * tk,
                         b: v.data, ldb: dv, strideB: tk * dv, c: out.data, ldc: dv, strideC: tq * dv)
        return (out, Saved(probabilities: scores, dropped: dropped, dropout: dropout))
    }

    /// Accumulates dq, dk, dv (each optional).
    public static func backward(q: Tensor, k: Tensor, v: Tensor, saved: Saved, dOut: Tensor,
                                dq: Tensor?, dk: Tensor?, dv: Tensor?) {
        let (groups, tq, d) = (q.dim(0), q.dim(1), q.dim(2))
        let (tk, dvSize) = (k.dim(1), v.dim(2))
        let p = saved.probabilities
        if let dv {  // dV = (P ⊙ dropout)ᵀ · dO
            let weights = saved.dropped ?? p
            BLAS.gemmBatched(count: groups, transA: true, m: tk, n: dvSize, k: tq, a: weights.data, lda: tk, strideA: tq * tk,
                             b: dOut.data, ldb: dvSize, strideB: tq * dvSize, beta: 1,
                             c: dv.data, ldc: dvSize, strideC: tk * dvSize)
        }
        guard dq != nil || dk != nil else { return }
        // dP = (dO · Vᵀ) ⊙ dropout, then dS = P ⊙ (dP − rowsum(dP ⊙ P)) · 1/√d.
        let dScores = Tensor(zeros: [groups, tq, tk])
        BLAS.gemmBatched(count: groups, transB: true, m: tq, n: tk, k: dvSize, a: dOut.data, lda: dvSize,
                         strideA: tq * dvSize, b: v.data, ldb: dvSize, strideB: tk * dvSize,
                         c: dScores.data, ldc: tk, strideC: tq * tk)
        if let dropout = saved.dropout { for i in 0..<dScores.count { dScores.data[i] *= dropout.data[i] } }
        let scale = 1 / Float(d).squareRoot()
        for r in 0..<(groups * tq) {
            let pr = p.data + r * tk, dr = dScores.data + r * tk
            var inner: Float = 0
            for j in 0..<tk { inner += pr[j] * dr[j] }
            for j in 0..<tk { dr[j] = pr[j] * (dr[j] - inner) * scale }
        }
        if let dq {  // dQ = dS · K
            BLAS.gemmBatched(count: groups, m: tq, n: d, k: tk, a: dScores.data, lda: tk, strideA: tq * tk,
                             b: k.data, ldb: d, strideB: tk * d, beta: 1, c: dq.data, ldc: d, strideC: tq * d)
        }
        if let dk {  // dK = dSᵀ · Q
            BLAS.gemmBatched(count: groups, transA: true, m: tk, n: d, k: tq, a: dScores.data, lda: tk, strideA: tq * tk,
                             b: q.data, ldb: d, strideB: tq * d, beta: 1, c: dk.data, ldc: d, strideC: tk * d)
        }
    }
}

