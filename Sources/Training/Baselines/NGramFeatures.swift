import Foundation

/// Word n-gram features of the training documents: the vocabulary (n-grams in at least `minCount` training
/// documents, in sorted order), TF-IDF weights as scikit-learn's `TfidfVectorizer` computes them
/// (smooth idf = ln((1 + n)/(1 + df)) + 1, sublinear tf = 1 + ln tf, rows L2-normalised), and binarised
/// presence (NB-SVM's x̂, Wang & Manning 2012).
public struct NGramFeatures: Sendable {
    /// N-gram (its words joined by a space) → column.
    public let columns: [String: Int32]
    public let idf: [Double]
    public let orders: ClosedRange<Int>
    public let sublinear: Bool

    public init(documents: [[String]], orders: ClosedRange<Int> = 1...2, minCount: Int = 1, sublinear: Bool = true) {
        precondition(orders.lowerBound >= 1, "n-grams of at least one word")
        self.orders = orders; self.sublinear = sublinear
        var df: [String: Int] = [:]
        for document in documents {
            for gram in Set(Self.grams(document, orders)) { df[gram, default: 0] += 1 }
        }
        let kept = df.filter { $0.value >= minCount }.keys.sorted()
        columns = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, Int32($0)) })
        let n = Double(documents.count)
        idf = kept.map { log((1 + n) / (1 + Double(df[$0]!))) + 1 }
    }

    public var count: Int { idf.count }

    /// The n-grams of a document, in order, repeats kept.
    static func grams(_ tokens: [String], _ orders: ClosedRange<Int>) -> [String] {
        var out: [String] = []
        for n in orders where n <= tokens.count {
            for start in 0...(tokens.count - n) { out.append(tokens[start..<(start + n)].joined(separator: " ")) }
        }
        return out
    }

    /// Counts of the known n-grams of a document, by ascending column.
    public func counts(_ tokens: [String]) -> [(Int32, Double)] {
        var counts: [Int32: Double] = [:]
        for gram in Self.grams(tokens, orders) { if let column = columns[gram] { counts[column, default: 0] += 1 } }
        return counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// TF-IDF rows, each L2-normalised (a document with no known n-gram stays empty).
    public func tfidf(_ documents: [[String]]) -> SparseRows {
        var rows = SparseRows(columns: count)
        for document in documents {
            var row = counts(document).map { ($0.0, (sublinear ? 1 + log($0.1) : $0.1) * idf[Int($0.0)]) }
            let norm = row.reduce(0) { $0 + $1.1 * $1.1 }.squareRoot()
            if norm > 0 { row = row.map { ($0.0, $0.1 / norm) } }
            rows.append(row)
        }
        return rows
    }

    /// Presence rows: 1 for each known n-gram a document has.
    public func binary(_ documents: [[String]]) -> SparseRows {
        var rows = SparseRows(columns: count)
        for document in documents { rows.append(counts(document).map { ($0.0, 1.0) }) }
        return rows
    }
}
