import Foundation
import Numerics

/// How a word with no pretrained vector is initialised.
public enum OOVPolicy: String, Codable, Sendable {
    /// U[−a, a] with a = √(3·var) so the rows have the pretrained vectors' variance (Kim 2014).
    case uniform
    case zero
    /// The mean of all pretrained vectors.
    case mean
}

/// How much of a vocabulary pretrained vectors cover, by types and by tokens.
public struct Coverage: Codable, Equatable, Sendable {
    public var typesCovered: Int, types: Int, tokensCovered: Int, tokens: Int
    public init(typesCovered: Int, types: Int, tokensCovered: Int, tokens: Int) {
        self.typesCovered = typesCovered; self.types = types; self.tokensCovered = tokensCovered; self.tokens = tokens
    }
    public var typeRate: Double { types == 0 ? 0 : Double(typesCovered) / Double(types) }
    public var tokenRate: Double { tokens == 0 ? 0 : Double(tokensCovered) / Double(tokens) }
}

/// Builds embedding tables for a vocabulary from pretrained vectors, and resizes them when the
/// vocabulary grows.
public enum EmbeddingMatrix {
    /// [vocabulary.count, vectors.dimension]: pretrained rows where the word (or, failing that, its
    /// lower-case form) has a vector, `oov` rows elsewhere, zeros for `<pad>`.
    public static func build(vocabulary: Vocabulary, vectors: WordVectors, oov: OOVPolicy,
                             rng: inout RandomGenerator) -> (table: Tensor, coverage: Coverage) {
        let dim = vectors.dimension
        let table = Tensor(zeros: [vocabulary.count, dim])
        let (mean, variance) = vectors.moments()
        let bound = Float((3 * variance).squareRoot())
        var meanVector = [Float](repeating: 0, count: dim)
        if oov == .mean {
            for i in 0..<vectors.count { let r = vectors.row(i); for k in 0..<dim { meanVector[k] += r[k] } }
            for k in 0..<dim { meanVector[k] /= Float(vectors.count) }
        }
        _ = mean
        var coverage = Coverage(typesCovered: 0, types: 0, tokensCovered: 0, tokens: 0)
        for (id, token) in vocabulary.tokens.enumerated() {
            let row = table.data + id * dim
            if token == "<pad>" { continue }
            let isSpecial = vocabulary.specials.contains(token)
            if !isSpecial {
                coverage.types += 1
                coverage.tokens += vocabulary.counts[id]
            }
            if !isSpecial, let index = vectors.index[token] ?? vectors.index[token.lowercased()] {
                row.update(from: vectors.row(Int(index)).baseAddress!, count: dim)
                coverage.typesCovered += 1
                coverage.tokensCovered += vocabulary.counts[id]
                continue
            }
            switch oov {
            case .uniform: for k in 0..<dim { row[k] = rng.uniform(-bound, bound) }
            case .zero: break
            case .mean: row.update(from: meanVector, count: dim)
            }
        }
        return (table, coverage)
    }

    /// How rows added to a grown vocabulary are initialised.
    public enum NewRows {
        /// N(0, std²).
        case random(std: Float)
        /// Each new row is the mean of the listed existing rows (e.g. its sub-word pieces); rows with
        /// no parts fall back to N(0, std²).
        case meanOfParts([[Int32]], fallbackStd: Float)
    }

    /// A copy of `table` [V, D] with `added` more rows initialised by `rows`.
    public static func extend(_ table: Tensor, adding added: Int, rows: NewRows, rng: inout RandomGenerator) -> Tensor {
        let (vocabulary, dim) = (table.dim(0), table.dim(1))
        let out = Tensor(zeros: [vocabulary + added, dim])
        out.data.update(from: table.data, count: table.count)
        for r in 0..<added {
            let row = out.data + (vocabulary + r) * dim
            switch rows {
            case let .random(std):
                for k in 0..<dim { row[k] = std * rng.normal() }
            case let .meanOfParts(parts, fallbackStd):
                let pieces = r < parts.count ? parts[r].filter { $0 >= 0 && Int($0) < vocabulary } : []
                if pieces.isEmpty {
                    for k in 0..<dim { row[k] = fallbackStd * rng.normal() }
                } else {
                    for p in pieces { BLAS.axpy(count: dim, alpha: 1 / Float(pieces.count), x: table.data + Int(p) * dim, y: row) }
                }
            }
        }
        return out
    }
}
