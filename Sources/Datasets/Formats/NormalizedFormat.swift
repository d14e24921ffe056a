import Foundation

/// TransferLab's own on-disk format for installed data, one folder per dataset:
///
/// | kind | files |
/// |---|---|
/// | classification | `examples.jsonl` — one `{"text": …, "label": …}` per line |
/// | corpus | `documents.txt` — one document per line, internal whitespace collapsed |
/// | ner | `sentences.conll` — `token<TAB>tag` per line, a blank line between sentences |
/// | vectors | `words.txt` (one word per line) + `vectors.f32` (row-major little-endian float32) |
/// | similarity | `pairs.tsv` — `word1<TAB>word2<TAB>score` |
/// | analogies | `questions.txt` — `: section` lines and `a b c d` lines |
///
/// plus `metadata.json` (written last; a folder without it is never trusted).
public enum NormalizedFormat {
    public static let examples = "examples.jsonl"
    public static let documents = "documents.txt"
    public static let sentences = "sentences.conll"
    public static let words = "words.txt"
    public static let vectors = "vectors.f32"
    public static let pairs = "pairs.tsv"
    public static let questions = "questions.txt"
    public static let metadata = "metadata.json"

    // MARK: Writers

    public static func writeExamples(_ examples: [LabeledText], to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = Data()
        for e in examples { out.append(try encoder.encode(e)); out.append(0x0A) }
        try out.write(to: url)
    }

    public static func writeDocuments(_ documents: [String], to url: URL) throws {
        let lines = documents.map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }.filter { !$0.isEmpty }
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: false, encoding: .utf8)
    }

    public static func writeSentences(_ sentences: [TaggedSentence], to url: URL) throws {
        let text = sentences.map { s in zip(s.tokens, s.tags).map { "\($0)\t\($1)" }.joined(separator: "\n") }.joined(separator: "\n\n")
        try (text + "\n").write(to: url, atomically: false, encoding: .utf8)
    }

    public static func writePairs(_ pairs: [WordPair], to url: URL) throws {
        try (pairs.map { "\($0.first)\t\($0.second)\t\($0.score)" }.joined(separator: "\n") + "\n")
            .write(to: url, atomically: false, encoding: .utf8)
    }

    public static func writeVectors(words: [String], values: UnsafeBufferPointer<Float>, to folder: URL) throws {
        try (words.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent(Self.words), atomically: false, encoding: .utf8)
        try Data(buffer: values).write(to: folder.appendingPathComponent(Self.vectors))
    }

    // MARK: Readers

    public static func readExamples(_ url: URL) throws -> [LabeledText] {
        let decoder = JSONDecoder()
        return try lines(url).enumerated().map { n, line in
            do { return try decoder.decode(LabeledText.self, from: Data(line.utf8)) } catch {
                throw DataError.malformed(file: url.path, line: n + 1, reason: "not a {text, label} JSON object")
            }
        }
    }

    public static func readDocuments(_ url: URL) throws -> [String] { try lines(url).filter { !$0.isEmpty } }

    public static func readSentences(_ url: URL) throws -> [TaggedSentence] {
        try ConllReader.read(url)
    }

    public static func readPairs(_ url: URL) throws -> [WordPair] {
        try lines(url).enumerated().compactMap { n, line in
            guard !line.isEmpty else { return nil }
            let p = line.split(separator: "\t")
            guard p.count == 3, let score = Double(p[2]) else {
                throw DataError.malformed(file: url.path, line: n + 1, reason: "expected word1<TAB>word2<TAB>score")
            }
            return WordPair(first: String(p[0]), second: String(p[1]), score: score)
        }
    }

    public static func readQuestions(_ url: URL) throws -> [AnalogyQuestion] {
        var section = ""
        return try lines(url).enumerated().compactMap { n, line in
            if line.hasPrefix(":") { section = line.dropFirst().trimmingCharacters(in: .whitespaces); return nil }
            if line.isEmpty { return nil }
            let w = line.split(separator: " ").map(String.init)
            guard w.count == 4 else { throw DataError.malformed(file: url.path, line: n + 1, reason: "expected four words a b c d") }
            return AnalogyQuestion(section: section, a: w[0], b: w[1], c: w[2], d: w[3])
        }
    }

    static func lines(_ url: URL) throws -> [String] {
        let data = try Data(contentsOf: url)
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataError.malformed(file: url.path, line: CSVReader.firstBadLine(data, encoding: .utf8), reason: "not valid UTF-8")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}

/// CoNLL / BIO files: `token<sep>…<sep>tag` per line (tag last, token first), blank lines between
/// sentences, `-DOCSTART-` lines skipped.
public enum ConllReader {
    public static func read(_ url: URL) throws -> [TaggedSentence] {
        var sentences: [TaggedSentence] = []
        var tokens: [String] = [], tags: [String] = []
        func flush() {
            if !tokens.isEmpty { sentences.append(TaggedSentence(tokens: tokens, tags: tags)) }
            tokens = []; tags = []
        }
        var columns: (count: Int, line: Int)? = nil  // every token line has as many columns as the first
        for (n, raw) in try NormalizedFormat.lines(url).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { flush(); continue }
            if line.hasPrefix("-DOCSTART-") { continue }
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard fields.count >= 2 else {
                throw DataError.malformed(file: url.path, line: n + 1, reason: "expected `token<TAB>tag`, found one field")
            }
            if let columns, columns.count != fields.count {
                throw DataError.malformed(file: url.path, line: n + 1, reason: "\(fields.count) columns, line \(columns.line) has \(columns.count)")
            }
            if columns == nil { columns = (fields.count, n + 1) }
            let tag = String(fields.last!)
            guard tag == "O" || tag.hasPrefix("B-") || tag.hasPrefix("I-") || tag.hasPrefix("E-") || tag.hasPrefix("S-") else {
                throw DataError.malformed(file: url.path, line: n + 1, reason: "tag '\(tag)' is not O or B-/I-/E-/S-TYPE")
            }
            tokens.append(String(fields.first!))
            tags.append(tag)
        }
        flush()
        return sentences
    }

    /// Tags `I-TYPE` that continue no entity of their type (after `O`, another type, or at a sentence's start): BIO
    /// files of the wild have them, and they are read as conlleval reads them, as the start of an entity; counted so
    /// that a report can say how many.
    public static func irregularContinuations(_ sentences: [TaggedSentence]) -> Int {
        sentences.reduce(0) { count, sentence in
            var previous = "O"
            return count + sentence.tags.reduce(0) { irregular, tag in
                defer { previous = tag }
                guard tag.hasPrefix("I-") else { return irregular }
                let type = tag.dropFirst(2)
                return irregular + (previous != "O" && previous.dropFirst(2) == type ? 0 : 1)
            }
        }
    }
}
