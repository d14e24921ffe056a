import Foundation

/// Token ↔ id mapping built from counts: special tokens first (in the given order), then tokens by
/// descending count, ties broken alphabetically, so the ids are deterministic.
public struct Vocabulary: Equatable, Sendable {
    public private(set) var tokens: [String]
    public private(set) var counts: [Int]
    private var index: [String: Int32]
    public let specials: [String]
    /// The id unknown tokens map to (the `<unk>` special, if present).
    public let unknownID: Int32?

    public static let defaultSpecials = ["<pad>", "<unk>"]

    public init(counts tokenCounts: [String: Int], minCount: Int = 1, maxSize: Int? = nil,
                specials: [String] = Vocabulary.defaultSpecials) {
        let kept = tokenCounts.filter { $0.value >= minCount && !specials.contains($0.key) }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let limited = maxSize.map { Array(kept.prefix(Swift.max($0 - specials.count, 0))) } ?? kept
        tokens = specials + limited.map(\.key)
        counts = specials.map { _ in 0 } + limited.map(\.value)
        self.specials = specials
        index = Dictionary(uniqueKeysWithValues: tokens.enumerated().map { ($1, Int32($0)) })
        unknownID = specials.firstIndex(of: "<unk>").map(Int32.init)
    }

    /// Counts tokens over documents and builds the vocabulary.
    public init<S: Sequence>(documents: S, minCount: Int = 1, maxSize: Int? = nil,
                             specials: [String] = Vocabulary.defaultSpecials) where S.Element == [String] {
        var c: [String: Int] = [:]
        for doc in documents { for t in doc { c[t, default: 0] += 1 } }
        self.init(counts: c, minCount: minCount, maxSize: maxSize, specials: specials)
    }

    public var count: Int { tokens.count }
    public func id(_ token: String) -> Int32? { index[token] }
    public func contains(_ token: String) -> Bool { index[token] != nil }

    /// Ids of `tokens`; unknown ones become `unknownID`, or are dropped when there is none.
    public func encode(_ tokens: [String]) -> [Int32] {
        tokens.compactMap { index[$0] ?? unknownID }
    }

    /// Appends tokens not yet present (vocabulary extension); returns the ids of the new ones.
    @discardableResult
    public mutating func add(_ newTokens: [String]) -> [Int32] {
        var added: [Int32] = []
        for t in newTokens where index[t] == nil {
            index[t] = Int32(tokens.count)
            added.append(Int32(tokens.count))
            tokens.append(t)
            counts.append(0)
        }
        return added
    }

    /// One `token<TAB>count` line per id.
    public func save(to url: URL) throws {
        let text = zip(tokens, counts).map { "\($0)\t\($1)" }.joined(separator: "\n") + "\n"
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    public static func load(from url: URL, specials: [String] = Vocabulary.defaultSpecials) throws -> Vocabulary {
        let text = try String(contentsOf: url, encoding: .utf8)
        var v = Vocabulary(counts: [:], specials: specials)
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard parts.count == 2, let count = Int(parts[1]) else {
                throw DataError.malformed(file: url.path, line: n + 1, reason: "expected `token<TAB>count`")
            }
            if n < specials.count {
                guard String(parts[0]) == specials[n] else {
                    throw DataError.malformed(file: url.path, line: n + 1, reason: "expected special token \(specials[n])")
                }
                continue
            }
            v.add([String(parts[0])])
            v.counts[v.count - 1] = count
        }
        return v
    }
}
