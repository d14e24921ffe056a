import Foundation
import Numerics

/// Intrinsic evaluations of word vectors: word similarity (Spearman ρ) and analogies (3CosAdd).
public enum VectorEvaluation {
    public struct SimilarityResult: Codable, Equatable, Sendable {
        public let spearman: Double
        public let pairsUsed: Int
        public let pairsTotal: Int
    }

    /// Spearman's ρ between human scores and cosine similarities over the pairs whose two words
    /// (lower-cased if needed) have vectors.
    public static func similarity(_ vectors: WordVectors, pairs: [WordPair]) -> SimilarityResult {
        var human: [Double] = [], model: [Double] = []
        for p in pairs {
            guard let a = lookup(vectors, p.first), let b = lookup(vectors, p.second) else { continue }
            human.append(p.score)
            model.append(cosine(vectors.row(a), vectors.row(b)))
        }
        return SimilarityResult(spearman: spearman(human, model), pairsUsed: human.count, pairsTotal: pairs.count)
    }

    public struct AnalogyResult: Codable, Equatable, Sendable {
        public let accuracy: Double
        public let correct: Int
        public let answered: Int
        public let total: Int
        public let bySection: [String: Double]
    }

    /// 3CosAdd (Mikolov et al. 2013): d̂ = argmax over the `restrict` most frequent words (gensim's
    /// default 300,000) of cos(x, b − a + c) on unit vectors, excluding a, b, c. Questions with a word
    /// outside the restricted vocabulary are skipped and counted in `total` only; lookups are lower-cased.
    public static func analogies(_ vectors: WordVectors, questions: [AnalogyQuestion], restrict: Int = 300_000) -> AnalogyResult {
        let n = Swift.min(restrict, vectors.count), d = vectors.dimension
        let unit = vectors.matrix(rows: n)
        for r in 0..<n {
            let row = unit.data + r * d
            let norm = BLAS.dot(count: d, x: row, y: row).squareRoot()
            if norm > 0 { for k in 0..<d { row[k] /= norm } }
        }
        func id(_ w: String) -> Int? { lookup(vectors, w).flatMap { $0 < n ? $0 : nil } }
        let usable = questions.compactMap { q -> (AnalogyQuestion, [Int])? in
            guard let a = id(q.a), let b = id(q.b), let c = id(q.c), let dd = id(q.d) else { return nil }
            return (q, [a, b, c, dd])
        }
        var correctBySection: [String: (Int, Int)] = [:]
        var correct = 0
        let batch = 256
        let queries = Tensor(zeros: [batch, d]), scores = Tensor(zeros: [batch, n])
        for start in stride(from: 0, to: usable.count, by: batch) {
            let chunk = usable[start..<Swift.min(start + batch, usable.count)]
            for (r, (_, ids)) in chunk.enumerated() {
                let q = queries.data + r * d
                for k in 0..<d { q[k] = unit.data[ids[1] * d + k] - unit.data[ids[0] * d + k] + unit.data[ids[2] * d + k] }
            }
            BLAS.gemm(transB: true, m: chunk.count, n: n, k: d, a: queries.data, lda: d, b: unit.data, ldb: d, c: scores.data, ldc: n)
            for (r, (question, ids)) in chunk.enumerated() {
                let row = scores.data + r * n
                for excluded in ids[0..<3] { row[excluded] = -.infinity }
                var best = 0
                for j in 1..<n where row[j] > row[best] { best = j }
                let hit = best == ids[3]
                if hit { correct += 1 }
                let s = correctBySection[question.section] ?? (0, 0)
                correctBySection[question.section] = (s.0 + (hit ? 1 : 0), s.1 + 1)
            }
        }
        return AnalogyResult(accuracy: usable.isEmpty ? 0 : Double(correct) / Double(usable.count), correct: correct,
                             answered: usable.count, total: questions.count,
                             bySection: correctBySection.mapValues { Double($0.0) / Double($0.1) })
    }

    static func lookup(_ vectors: WordVectors, _ word: String) -> Int? {
        (vectors.index[word] ?? vectors.index[word.lowercased()]).map(Int.init)
    }

    static func cosine(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for k in 0..<a.count { dot += Double(a[k] * b[k]); na += Double(a[k] * a[k]); nb += Double(b[k] * b[k]) }
        return na > 0 && nb > 0 ? dot / (na.squareRoot() * nb.squareRoot()) : 0
    }

    /// Spearman's rank correlation with average ranks for ties.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double {
        pearson(ranks(x), ranks(y))
    }

    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
            let average = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = average }
            i = j + 1
        }
        return ranks
    }

    static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        guard x.count > 1 else { return .nan }
        let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my) }
        return sxy / (sxx * syy).squareRoot()
    }
}
