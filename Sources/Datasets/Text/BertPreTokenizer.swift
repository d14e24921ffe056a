import Foundation

/// BERT's basic tokenization (Devlin et al. 2019; Hugging Face `tokenizers`' `BertNormalizer` then
/// `BertPreTokenizer`): drop control characters, whitespace to spaces, spaces around CJK ideographs,
/// accents stripped (NFD, nonspacing marks removed) and lowercase as configured, then words split on
/// whitespace with each punctuation character a word of its own. Every output scalar keeps the index of
/// the input scalar it came from, so tokens map back to offsets in the text.
public struct BertPreTokenizer: Codable, Equatable, Sendable {
    public var lowercase: Bool
    /// nil: strip accents exactly when lowercasing (the reference's default).
    public var stripAccents: Bool?
    public var cleanText: Bool
    public var handleChineseCharacters: Bool

    public init(lowercase: Bool = true, stripAccents: Bool? = nil, cleanText: Bool = true, handleChineseCharacters: Bool = true) {
        self.lowercase = lowercase; self.stripAccents = stripAccents; self.cleanText = cleanText
        self.handleChineseCharacters = handleChineseCharacters
    }

    /// A word: its normalised text, the half-open range of input scalar indices it covers, and the input
    /// index each of its scalars came from.
    public struct Word: Equatable, Sendable {
        public var text: String
        public var start: Int
        public var end: Int
        public var origins: [Int]
    }

    /// The words of `scalars` (a slice of a text's scalars; `base` is the index of its first one in the text).
    public func words(_ scalars: ArraySlice<Unicode.Scalar>) -> [Word] {
        var normalized: [(scalar: Unicode.Scalar, origin: Int)] = []
        normalized.reserveCapacity(scalars.count)
        let accents = stripAccents ?? lowercase
        for (origin, scalar) in zip(scalars.indices, scalars) {
            var pieces: [Unicode.Scalar] = [scalar]
            if cleanText {
                if scalar.value == 0 || scalar.value == 0xFFFD || isOther(scalar) { continue }
                if isWhitespace(scalar) { pieces = [" "] }
            }
            if handleChineseCharacters, Self.isChinese(pieces[0]) {
                normalized.append((" ", origin)); normalized.append((pieces[0], origin)); normalized.append((" ", origin))
                continue
            }
            if accents {
                pieces = pieces.flatMap { Array(String($0).decomposedStringWithCanonicalMapping.unicodeScalars) }
                    .filter { $0.properties.generalCategory != .nonspacingMark }
            }
            if lowercase { pieces = pieces.flatMap { Array($0.properties.lowercaseMapping.unicodeScalars) } }
            for piece in pieces { normalized.append((piece, origin)) }
        }
        var words: [Word] = []
        var current = String.UnicodeScalarView(), origins: [Int] = [], start = 0, end = 0
        func flush() {
            if !current.isEmpty { words.append(Word(text: String(current), start: start, end: end, origins: origins)) }
            current = String.UnicodeScalarView(); origins = []
        }
        for (scalar, origin) in normalized {
            if scalar.properties.isWhitespace { flush(); continue }
            if Self.isPunctuation(scalar) {
                flush()
                words.append(Word(text: String(scalar), start: origin, end: origin + 1, origins: [origin]))
                continue
            }
            if current.isEmpty { start = origin }
            current.append(scalar); origins.append(origin)
            end = origin + 1
        }
        flush()
        return words
    }

    /// Tab, newline and carriage return, and Unicode White_Space.
    func isWhitespace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }

    /// General category control, format or private use, tab/newline/return excepted. (The reference's tables
    /// come from UnicodeData.txt, which lists no unassigned code point: those are kept, as emoji newer than the tables are.)
    func isOther(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        switch s.properties.generalCategory {
        case .control, .format, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// ASCII punctuation (symbols such as `$`, `+`, `^` included) or a Unicode punctuation category P*.
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII { return (0x21...0x2F).contains(s.value) || (0x3A...0x40).contains(s.value) || (0x5B...0x60).contains(s.value) || (0x7B...0x7E).contains(s.value) }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }

    /// The CJK Unified Ideographs blocks and their extensions and compatibility forms.
    static func isChinese(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F: return true
        default: return false
        }
    }
}
