import Foundation

/// BERT's WordPiece tokenizer (Wu et al. 2016; Devlin et al. 2019), behaving as Hugging Face
/// `tokenizers`' `BertTokenizerFast`: added tokens matched in the raw text first (leftmost, longest),
/// the rest through `BertPreTokenizer`, then each word split greedily into the longest vocabulary pieces
/// (continuations prefixed `##`; a word with no split, or over 100 characters, is `[UNK]`); `[CLS] A [SEP]`
/// or `[CLS] A [SEP] B [SEP]` with token types 0/1; truncation and padding as asked.
public struct WordPieceTokenizer: Sendable {
    public private(set) var tokens: [String]
    private var index: [String: Int32]
    public var preTokenizer: BertPreTokenizer
    /// Tokens matched verbatim before normalisation (the specials, and words a user adds to the vocabulary).
    public private(set) var addedTokens: [String] = []
    /// The added tokens' scalars, by first scalar.
    private var addedByFirst: [Unicode.Scalar: [(token: String, scalars: [Unicode.Scalar])]] = [:]
    public var maxCharactersPerWord = 100
    public let unknown: Int32, classifier: Int32, separator: Int32, padding: Int32, mask: Int32

    public enum Truncation: String, Codable, Sendable { case longestFirst = "longest_first", onlyFirst = "only_first", onlySecond = "only_second" }

    /// One text (or pair) encoded: ids with their token types, attention mask, the scalar range of each
    /// token in its text (nil for special and padding tokens), the word each came from (nil likewise) and
    /// which sequence (0, 1; nil for specials).
    public struct Encoding: Equatable, Sendable {
        public var ids: [Int32] = []
        public var typeIds: [Int32] = []
        public var attentionMask: [Int32] = []
        public var offsets: [Range<Int>?] = []
        public var wordIds: [Int?] = []
        public var sequenceIds: [Int?] = []
    }

    /// From `vocab.txt` (one token per line, the line number its id).
    public init(vocabulary url: URL, preTokenizer: BertPreTokenizer = BertPreTokenizer()) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        try self.init(tokens: lines.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }, preTokenizer: preTokenizer, file: url.path)
    }

    public init(tokens: [String], preTokenizer: BertPreTokenizer = BertPreTokenizer(), file: String = "vocabulary") throws {
        var index: [String: Int32] = [:]
        for (i, token) in tokens.enumerated() where index[token] == nil { index[token] = Int32(i) }
        func id(_ token: String) throws -> Int32 {
            guard let id = index[token] else { throw DataError.malformed(file: file, line: nil, reason: "no \(token) token in the vocabulary") }
            return id
        }
        self.tokens = tokens; self.index = index; self.preTokenizer = preTokenizer
        unknown = try id("[UNK]"); classifier = try id("[CLS]"); separator = try id("[SEP]"); padding = try id("[PAD]"); mask = try id("[MASK]")
        for special in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] { matchVerbatim(special) }
    }

    private mutating func matchVerbatim(_ token: String) {
        let scalars = Array(token.unicodeScalars)
        addedTokens.append(token)
        addedByFirst[scalars[0], default: []].append((token, scalars))
    }

    public var count: Int { tokens.count }
    public func id(of token: String) -> Int32? { index[token] }

    /// Adds whole tokens (e.g. domain words) to the vocabulary, matched verbatim before WordPiece; returns the ids of the new ones.
    @discardableResult
    public mutating func add(_ newTokens: [String]) -> [Int32] {
        var ids: [Int32] = []
        for token in newTokens where index[token] == nil && !token.isEmpty {
            index[token] = Int32(tokens.count); ids.append(Int32(tokens.count))
            tokens.append(token); matchVerbatim(token)
        }
        return ids
    }

    // MARK: Pieces

    /// A sequence's tokens before specials: id, scalar range, word index.
    struct Piece { var id: Int32; var range: Range<Int>; var word: Int }

    /// The pieces of one text; `words` counts the words so far (a pre-split word list continues it).
    func pieces(_ scalars: [Unicode.Scalar], wordIndex: inout Int, fixedWord: Int? = nil) -> [Piece] {
        var out: [Piece] = []
        var start = 0
        func plain(_ end: Int) {
            guard start < end else { return }
            for word in preTokenizer.words(scalars[start..<end]) {
                let w = fixedWord ?? wordIndex
                for (id, range) in wordPieces(word) { out.append(Piece(id: id, range: range, word: w)) }
                if fixedWord == nil { wordIndex += 1 }
            }
        }
        var i = 0
        while i < scalars.count {
            if let (token, length) = addedMatch(scalars, at: i) {
                plain(i)
                out.append(Piece(id: index[token]!, range: i..<(i + length), word: fixedWord ?? wordIndex))
                if fixedWord == nil { wordIndex += 1 }
                i += length; start = i
            } else {
                i += 1
            }
        }
        plain(scalars.count)
        return out
    }

    /// The longest added token starting at `i`.
    private func addedMatch(_ scalars: [Unicode.Scalar], at i: Int) -> (String, Int)? {
        var best: (String, Int)?
        for (token, t) in addedByFirst[scalars[i]] ?? [] where t.count > (best?.1 ?? 0) && i + t.count <= scalars.count {
            if scalars[i..<(i + t.count)].elementsEqual(t) { best = (token, t.count) }
        }
        return best
    }

    /// Greedy longest-match-first WordPiece of one word, each piece with its scalar range in the text.
    func wordPieces(_ word: BertPreTokenizer.Word) -> [(Int32, Range<Int>)] {
        let chars = Array(word.text.unicodeScalars)
        let whole = [(unknown, word.start..<word.end)]
        guard chars.count <= maxCharactersPerWord else { return whole }
        var out: [(Int32, Range<Int>)] = []
        var start = 0
        while start < chars.count {
            var end = chars.count
            var found: Int32?
            while start < end {
                var candidate = String(String.UnicodeScalarView(chars[start..<end]))
                if start > 0 { candidate = "##" + candidate }
                if let id = index[candidate] { found = id; break }
                end -= 1
            }
            guard let found else { return whole }
            out.append((found, word.origins[start]..<(word.origins[end - 1] + 1)))
            start = end
        }
        return out
    }

    // MARK: Encoding

    /// `text` (and `pair`) with specials, truncated to `maxLength` tokens in all and padded to `padTo`.
    public func encode(_ text: String, pair: String? = nil, maxLength: Int? = nil, truncation: Truncation = .longestFirst,
                       padTo: Int? = nil) -> Encoding {
        var words = 0
        let first = pieces(Array(text.unicodeScalars), wordIndex: &words)
        var second: [Piece]?
        if let pair { var w = 0; second = pieces(Array(pair.unicodeScalars), wordIndex: &w) }
        return assemble(first, second, maxLength: maxLength, truncation: truncation, padTo: padTo)
    }

    /// Pre-split words (NER): each word tokenized alone, its pieces' word id its index in `words`.
    public func encode(words: [String], maxLength: Int? = nil, padTo: Int? = nil) -> Encoding {
        var pieces: [Piece] = []
        var offset = 0, unused = 0
        for (w, word) in words.enumerated() {
            let scalars = Array(word.unicodeScalars)
            pieces += self.pieces(scalars, wordIndex: &unused, fixedWord: w).map {
                Piece(id: $0.id, range: ($0.range.lowerBound + offset)..<($0.range.upperBound + offset), word: $0.word)
            }
            offset += scalars.count + 1
        }
        return assemble(pieces, nil, maxLength: maxLength, truncation: .longestFirst, padTo: padTo)
    }

    private func assemble(_ a: [Piece], _ b: [Piece]?, maxLength: Int?, truncation: Truncation, padTo: Int?) -> Encoding {
        var a = a, b = b
        if let maxLength {
            let budget = max(maxLength - (b == nil ? 2 : 3), 0)
            let total = a.count + (b?.count ?? 0)
            if total > budget {
                switch (truncation, b) {
                case (.longestFirst, .some(let pair)):
                    var (n1, n2) = (a.count, pair.count)
                    let swap = n1 > n2
                    if swap { (n1, n2) = (n2, n1) }
                    n2 = n1 > budget ? n1 : max(n1, budget - n1)
                    if n1 + n2 > budget { n1 = budget / 2; n2 = n1 + budget % 2 }
                    if swap { (n1, n2) = (n2, n1) }
                    a = Array(a.prefix(n1)); b = Array(pair.prefix(n2))
                case (.onlySecond, .some(let pair)):
                    b = Array(pair.prefix(max(pair.count - (total - budget), 0)))
                default:
                    a = Array(a.prefix(max(a.count - (total - budget), 0)))
                }
            }
        }
        var e = Encoding()
        func special(_ id: Int32, type: Int32) {
            e.ids.append(id); e.typeIds.append(type); e.attentionMask.append(1); e.offsets.append(nil); e.wordIds.append(nil); e.sequenceIds.append(nil)
        }
        func sequence(_ pieces: [Piece], _ s: Int) {
            for p in pieces {
                e.ids.append(p.id); e.typeIds.append(Int32(s)); e.attentionMask.append(1)
                e.offsets.append(p.range); e.wordIds.append(p.word); e.sequenceIds.append(s)
            }
        }
        special(classifier, type: 0); sequence(a, 0); special(separator, type: 0)
        if let b { sequence(b, 1); special(separator, type: 1) }
        if let padTo, e.ids.count < padTo {
            let n = padTo - e.ids.count
            e.ids += Array(repeating: padding, count: n); e.typeIds += Array(repeating: 0, count: n)
            e.attentionMask += Array(repeating: 0, count: n); e.offsets += Array(repeating: nil, count: n)
            e.wordIds += Array(repeating: nil, count: n); e.sequenceIds += Array(repeating: nil, count: n)
        }
        return e
    }
}
