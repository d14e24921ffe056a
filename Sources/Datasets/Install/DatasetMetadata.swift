import Foundation

/// What `metadata.json` records about an installed dataset.
public struct DatasetMetadata: Codable, Equatable, Sendable {
    public var id: String
    public var kind: DatasetKind
    public var summary: String
    public var licence: String
    public var source: SourcePackage
    public var installedAt: String
    public var formatVersion: Int
    /// Documents, examples, sentences, pairs, questions, vectors or (checkpoints) tensors, by kind.
    public var items: Int
    public var tokens: Int?
    public var vocabulary: Int?
    public var labels: [String: Int]?
    public var dimension: Int?
    public var firstWord: String?
    /// A checkpoint's parameter count (its F32 tensors' elements).
    public var parameters: Int?
    /// SHA-256 of every normalised file, by name.
    public var files: [String: String]

    public static let currentFormatVersion = 1
}

/// Token and type counts with the default tokenizer, for `tlab data show`.
func tokenStatistics(_ texts: [String], tokenizer: Tokenizer = Tokenizer()) -> (tokens: Int, vocabulary: Int) {
    var types = Set<String>(), tokens = 0
    for text in texts {
        let t = tokenizer.tokenize(text)
        tokens += t.count
        types.formUnion(t)
    }
    return (tokens, types.count)
}
