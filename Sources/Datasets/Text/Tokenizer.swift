/// A word tokenizer: runs of letters and digits (with word-internal apostrophes, hyphens and
/// periods, as in "don't", "state-of-the-art", "U.S."), every other visible character a token.
public struct Tokenizer: Codable, Equatable, Sendable {
    public var lowercase: Bool
    /// Tweets: `@user` → `<user>`, URLs → `<url>`, `#tag` → `#tag` kept whole (or `<hashtag> tag`
    /// with `splitHashtags`), emoticons kept as single tokens.
    public var twitter: Bool
    public var splitHashtags: Bool
    /// Text that is already tokenised (Pang & Lee's MR, the OANC sample): split on whitespace only.
    public var pretokenized: Bool

    public init(lowercase: Bool = true, twitter: Bool = false, splitHashtags: Bool = false, pretokenized: Bool = false) {
        self.lowercase = lowercase; self.twitter = twitter; self.splitHashtags = splitHashtags; self.pretokenized = pretokenized
    }

    static let emoticons: [String] = [":-)", ":)", ":-(", ":(", ":-D", ":D", ";-)", ";)", ":-P", ":P", ":p", ":'(", ":/", ":-/",
                                      ":|", ":o", ":O", "<3", "xD", "XD", "^_^", "-_-", ":*", "=)", "=("]
                                      .sorted { $0.count > $1.count }

    public func tokenize(_ text: String) -> [String] {
        if pretokenized {
            return text.split(whereSeparator: \.isWhitespace).map { lowercase ? $0.lowercased() : String($0) }
        }
        var tokens: [String] = []
        let scalars = Array(text.unicodeScalars)
        var i = 0
        func isWordScalar(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic || s.properties.numericType != nil || s == "_" }
        func emit(_ s: String, fold: Bool = true) { tokens.append(lowercase && fold ? s.lowercased() : s) }
        while i < scalars.count {
            let s = scalars[i]
            if s.properties.isWhitespace || s.properties.generalCategory == .control || s.properties.generalCategory == .format {
                i += 1; continue
            }
            if twitter {
                if s == "@", i + 1 < scalars.count, isWordScalar(scalars[i + 1]) {
                    i += 1
                    while i < scalars.count, isWordScalar(scalars[i]) { i += 1 }
                    emit("<user>", fold: false); continue
                }
                if let end = urlEnd(scalars, i) { i = end; emit("<url>", fold: false); continue }
                if s == "#", i + 1 < scalars.count, isWordScalar(scalars[i + 1]) {
                    var j = i + 1
                    while j < scalars.count, isWordScalar(scalars[j]) { j += 1 }
                    let tag = String(String.UnicodeScalarView(scalars[(i + 1)..<j]))
                    if splitHashtags { emit("<hashtag>", fold: false); emit(tag) } else { emit("#" + tag) }
                    i = j; continue
                }
                if let emoticon = Tokenizer.emoticons.first(where: { matches(scalars, i, $0) }) {
                    i += emoticon.unicodeScalars.count
                    tokens.append(emoticon); continue
                }
            }
            if isWordScalar(s) {
                var j = i + 1
                while j < scalars.count {
                    if isWordScalar(scalars[j]) { j += 1; continue }
                    // Word-internal joiners: a letter/digit must follow.
                    if ["'", "’", "-", "."].contains(scalars[j]), j + 1 < scalars.count, isWordScalar(scalars[j + 1]) { j += 2; continue }
                    break
                }
                emit(String(String.UnicodeScalarView(scalars[i..<j])))
                i = j
            } else {
                emit(String(s))
                i += 1
            }
        }
        return tokens
    }

    private func hasPrefix(_ scalars: [Unicode.Scalar], _ i: Int, _ pattern: String) -> Bool {
        var k = i
        for p in pattern.unicodeScalars {
            guard k < scalars.count, scalars[k] == p else { return false }
            k += 1
        }
        return true
    }

    /// An emoticon must not run into a word (":/" inside "x:/y" is not one).
    private func matches(_ scalars: [Unicode.Scalar], _ i: Int, _ emoticon: String) -> Bool {
        guard hasPrefix(scalars, i, emoticon) else { return false }
        let k = i + emoticon.unicodeScalars.count
        return k == scalars.count || !scalars[k].properties.isAlphabetic
    }

    private func urlEnd(_ scalars: [Unicode.Scalar], _ i: Int) -> Int? {
        guard ["http://", "https://", "www.", "HTTP://", "HTTPS://", "WWW."].contains(where: { hasPrefix(scalars, i, $0) }) else { return nil }
        var j = i
        while j < scalars.count, !scalars[j].properties.isWhitespace { j += 1 }
        return j
    }
}
