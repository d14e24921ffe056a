import Foundation

/// How a word's BIO label reaches its WordPiece sub-tokens for training (Devlin et al. 2019 label the first).
public enum LabelAlignment: String, Codable, Sendable {
    /// The first sub-token carries the word's label; the others are ignored by the loss.
    case first
    /// Every sub-token carries it, a B- becoming I- after the first.
    case all
}

/// Labels over sub-tokens and predictions back over words: `wordIds` (one per token, nil for specials and
/// padding) come from `WordPieceTokenizer.encode(words:)`.
public struct TokenLabeler: Sendable {
    public let labels: [String]
    public static let ignored: Int32 = -100
    private let insideOf: [Int32]

    /// `labels` by id; each B-X is continued by I-X where the set has it.
    public init(labels: [String]) {
        self.labels = labels
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, Int32($0)) })
        insideOf = labels.enumerated().map { id, label in
            label.hasPrefix("B-") ? index["I-" + label.dropFirst(2)] ?? Int32(id) : Int32(id)
        }
    }

    /// The training target of each token: its word's label at the word's first token; at the others the ignore index
    /// (`first`) or the label with B- turned into I- (`all`); the ignore index at specials and padding.
    public func tokenTargets(wordLabels: [Int32], wordIds: [Int?], alignment: LabelAlignment) -> [Int32] {
        var previous: Int?
        return wordIds.map { word in
            defer { previous = word }
            guard let word, word < wordLabels.count else { return Self.ignored }
            if word != previous { return wordLabels[word] }
            return alignment == .first ? Self.ignored : insideOf[Int(wordLabels[word])]
        }
    }

    /// Each word's prediction: its first token's (evaluation is always at the first sub-token); a word with no token
    /// left (cut by truncation) gets `fallback` (the O label).
    public func wordPredictions(tokenPredictions: [Int32], wordIds: [Int?], words: Int, fallback: Int32) -> [Int32] {
        var out = [Int32](repeating: fallback, count: words)
        var seen = Set<Int>()
        for (prediction, word) in zip(tokenPredictions, wordIds) {
            guard let word, word < words, seen.insert(word).inserted else { continue }
            out[word] = prediction
        }
        return out
    }
}

/// Per-class weights for a token-classification loss, from the training split's label counts.
public enum ClassWeighting: Codable, Equatable, Sendable {
    case none
    /// w_c = N / (K · n_c): scikit-learn's "balanced".
    case inverseFrequency
    /// w_c = √(N / (K · n_c)).
    case sqrtInverseFrequency
    /// w_c ∝ (1 − β) / (1 − β^{n_c}), scaled to sum to K (Cui et al. 2019, "Class-balanced loss based on effective number of samples").
    case effectiveNumber(beta: Double)
    /// The O class at `weight`, every entity label at 1.
    case downweightOutside(weight: Double)

    /// The weights of classes with `counts` (K = counts.count, N = their sum). A class absent from the training split
    /// takes the largest weight a present class has (its own would be infinite).
    public func weights(counts: [Int], outside: Int? = nil) -> [Float] {
        let k = Double(counts.count), n = Double(counts.reduce(0, +))
        var raw: [Double?]
        switch self {
        case .none: return counts.map { _ in 1 }
        case .inverseFrequency: raw = counts.map { $0 > 0 ? n / (k * Double($0)) : nil }
        case .sqrtInverseFrequency: raw = counts.map { $0 > 0 ? (n / (k * Double($0))).squareRoot() : nil }
        case let .effectiveNumber(beta):
            raw = counts.map { $0 > 0 ? (1 - beta) / (1 - pow(beta, Double($0))) : nil }
            let present = raw.compactMap { $0 }
            let scale = Double(present.count) / max(present.reduce(0, +), .leastNonzeroMagnitude)
            raw = raw.map { $0.map { $0 * scale } }
        case let .downweightOutside(weight):
            return counts.indices.map { Float($0 == outside ? weight : 1) }
        }
        let largest = raw.compactMap { $0 }.max() ?? 1
        return raw.map { Float($0 ?? largest) }
    }
}

/// BIO sequences as a user's file may have them: an I-X after O or after another type is read as conlleval
/// reads it, the start of an X entity (rewritten to B-X), and counted so a report can say how many there were.
public enum BIOValidation {
    public static func repaired(_ tags: [String]) -> (tags: [String], repairs: Int) {
        var out = tags, repairs = 0
        for i in out.indices where out[i].hasPrefix("I-") {
            let type = out[i].dropFirst(2)
            let previous = i > 0 ? out[i - 1] : "O"
            if previous == "O" || previous.dropFirst(2) != type {
                out[i] = "B-" + type
                repairs += 1
            }
        }
        return (out, repairs)
    }
}
