import Foundation

/// Entity-level precision, recall and F1 over BIO tag sequences, computed as seqeval 1.2.2 computes them
/// (Ramshaw & Marcus 1995 chunks, scored as CoNLL's conlleval does): an entity counts only if its type and both
/// boundaries match.
public enum EntityScheme: String, Codable, Sendable {
    /// seqeval's default mode (conlleval): an I- after O or after another type starts an entity.
    case conlleval
    /// seqeval's `mode='strict', scheme=IOB2`: only B- starts an entity, continued by I- of its type.
    case strictIOB2 = "strict-iob2"
}

/// One entity: its type and where it lies (sentence, first and last token).
public struct TaggedEntity: Hashable, Sendable {
    public let type: String
    public let sentence: Int
    public let start: Int
    public let end: Int
}

public enum EntityExtraction {
    /// The entities of each sentence's tags under `scheme`. Strict IOB2 rejects a tag whose prefix is not B, I or O.
    public static func entities(_ sentences: [[String]], scheme: EntityScheme) throws -> [TaggedEntity] {
        try sentences.enumerated().flatMap { n, tags in
            switch scheme {
            case .conlleval: return conlleval(tags).map { TaggedEntity(type: $0.type, sentence: n, start: $0.start, end: $0.end) }
            case .strictIOB2: return try strict(tags).map { TaggedEntity(type: $0.type, sentence: n, start: $0.start, end: $0.end) }
            }
        }
    }

    /// conlleval's chunk boundaries (seqeval's `get_entities`): the tag is the first character, the type what
    /// follows the first `-` (`_` when nothing does).
    static func conlleval(_ tags: [String]) -> [(type: String, start: Int, end: Int)] {
        var chunks: [(type: String, start: Int, end: Int)] = []
        var (prevTag, prevType, begin): (Character, String, Int) = ("O", "", 0)
        for (i, chunk) in (tags + ["O"]).enumerated() {
            let tag = chunk.first ?? "O"
            let rest = chunk.dropFirst()
            let type = rest.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).last.map(String.init).flatMap { $0.isEmpty ? nil : $0 } ?? "_"
            if endsChunk(prevTag, tag, prevType, type) { chunks.append((prevType, begin, i - 1)) }
            if startsChunk(prevTag, tag, prevType, type) { begin = i }
            (prevTag, prevType) = (tag, type)
        }
        return chunks
    }

    static func endsChunk(_ prev: Character, _ tag: Character, _ prevType: String, _ type: String) -> Bool {
        if prev == "E" || prev == "S" { return true }
        if (prev == "B" || prev == "I") && (tag == "B" || tag == "S" || tag == "O") { return true }
        return prev != "O" && prev != "." && prevType != type
    }

    static func startsChunk(_ prev: Character, _ tag: Character, _ prevType: String, _ type: String) -> Bool {
        if tag == "B" || tag == "S" { return true }
        if (prev == "E" || prev == "S" || prev == "O") && (tag == "E" || tag == "I") { return true }
        return tag != "O" && tag != "." && prevType != type
    }

    /// Strict IOB2 (seqeval's `Tokens.entities` with `IOB2`): a B- and the I-s of its type that follow it.
    static func strict(_ tags: [String]) throws -> [(type: String, start: Int, end: Int)] {
        let parsed = try tags.map { tag -> (prefix: Character, type: String) in
            guard let prefix = tag.first, "BIO".contains(prefix) else {
                throw EntityTagError(tag: tag, reason: "strict IOB2 allows the prefixes B, I and O only")
            }
            let type = String(tag.dropFirst()).trimmingCharacters(in: ["-"])
            return (prefix, type.isEmpty ? "_" : type)
        }
        var entities: [(type: String, start: Int, end: Int)] = []
        var i = 0
        while i < parsed.count {
            guard parsed[i].prefix == "B" else { i += 1; continue }
            var end = i + 1
            while end < parsed.count, parsed[end].prefix == "I", parsed[end].type == parsed[i].type { end += 1 }
            entities.append((parsed[i].type, i, end - 1))
            i = end
        }
        return entities
    }
}

/// A tag no scheme reads.
public struct EntityTagError: Error, CustomStringConvertible {
    public let tag: String, reason: String
    public var description: String { "tag '\(tag)': \(reason)" }
}

/// Entity-level scores of predicted against gold tag sequences: per type and micro-averaged (seqeval's default
/// `average='micro'`), with the macro average over the types present in either; a zero division scores 0.
public struct EntityScores: Equatable, Sendable {
    public struct Counts: Equatable, Sendable {
        public var truePositives = 0, predicted = 0, gold = 0
        public var precision: Double { predicted == 0 ? 0 : Double(truePositives) / Double(predicted) }
        public var recall: Double { gold == 0 ? 0 : Double(truePositives) / Double(gold) }
        public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
    }

    public let perType: [String: Counts]
    public let micro: Counts
    /// Unweighted mean of the per-type F1 scores (NaN, as seqeval gives, when neither side has an entity).
    public var macroF1: Double { perType.isEmpty ? .nan : perType.values.reduce(0) { $0 + $1.f1 } / Double(perType.count) }

    public init(gold: [[String]], predicted: [[String]], scheme: EntityScheme = .conlleval) throws {
        precondition(gold.count == predicted.count, "\(gold.count) gold sentences for \(predicted.count) predicted")
        let truth = Set(try EntityExtraction.entities(gold, scheme: scheme))
        let guess = Set(try EntityExtraction.entities(predicted, scheme: scheme))
        var perType: [String: Counts] = [:]
        for e in truth { perType[e.type, default: Counts()].gold += 1 }
        for e in guess {
            perType[e.type, default: Counts()].predicted += 1
            if truth.contains(e) { perType[e.type, default: Counts()].truePositives += 1 }
        }
        self.perType = perType
        micro = perType.values.reduce(into: Counts()) { total, c in
            total.truePositives += c.truePositives; total.predicted += c.predicted; total.gold += c.gold
        }
    }
}
