import Foundation

/// A labelled text (classification example).
public struct LabeledText: Codable, Equatable, Sendable {
    public let text: String
    public let label: String
    public init(text: String, label: String) { self.text = text; self.label = label }
}

/// One sentence of token-level labels (NER, BIO tags).
public struct TaggedSentence: Equatable, Sendable {
    public let tokens: [String]
    public let tags: [String]
    public init(tokens: [String], tags: [String]) { self.tokens = tokens; self.tags = tags }
}

/// A human-rated word pair (word similarity / relatedness).
public struct WordPair: Equatable, Sendable {
    public let first: String, second: String
    public let score: Double
    public init(first: String, second: String, score: Double) { self.first = first; self.second = second; self.score = score }
}

/// An analogy question a : b :: c : d within a named section.
public struct AnalogyQuestion: Equatable, Sendable {
    public let section: String
    public let a: String, b: String, c: String, d: String
    public init(section: String, a: String, b: String, c: String, d: String) {
        self.section = section; self.a = a; self.b = b; self.c = c; self.d = d
    }
}
