import Foundation

/// A user's own labelled text file, as a spec names it.
public struct TextFileSource: Codable, Equatable, Hashable, Sendable {
    /// `conll`: tagged sentences (`token<TAB>tag`, a blank line between sentences) for token classification.
    public enum Format: String, Codable, Sendable { case csv, tsv, jsonl, conll }
    public var path: String
    public var format: Format?
    public var text: String
    public var label: String
    public var encoding: String

    public init(path: String, format: Format? = nil, text: String = "text", label: String = "label", encoding: String = "utf-8") {
        self.path = path; self.format = format; self.text = text; self.label = label; self.encoding = encoding
    }

    /// The format from the extension when not given.
    public var resolvedFormat: Format {
        if let format { return format }
        if path.hasSuffix(".tsv") || path.hasSuffix(".tab") { return .tsv }
        if path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson") { return .jsonl }
        if path.hasSuffix(".conll") || path.hasSuffix(".bio") { return .conll }
        return .csv
    }
}

/// Readers for files users bring in place of installed datasets.
public enum UserFiles {
    /// Labelled examples from CSV/TSV (with a header row naming the columns) or JSONL.
    public static func examples(_ source: TextFileSource) throws -> [LabeledText] {
        let url = URL(fileURLWithPath: source.path)
        guard let encoding = String.Encoding(name: source.encoding) else {
            throw DataError.malformed(file: source.path, line: nil, reason: "unknown encoding '\(source.encoding)' (utf-8, latin-1, cp1252, ascii, utf-16)")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DataError.malformed(file: source.path, line: nil, reason: "file not found")
        }
        if let nul = data.firstIndex(of: 0) {
            let line = data[data.startIndex..<nul].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            throw DataError.malformed(file: source.path, line: line, reason: "a NUL byte (a binary file, or UTF-16 read as \(source.encoding)?)")
        }
        return try read(source, data: data, encoding: encoding)
    }

    static func read(_ source: TextFileSource, data: Data, encoding: String.Encoding) throws -> [LabeledText] {
        switch source.resolvedFormat {
        case .conll:
            throw DataError.malformed(file: source.path, line: nil,
                                      reason: "a CoNLL file holds tagged sentences, not labelled texts: it goes with a token-classification kind (bert-tagger, bilstm-tagger)")
        case .csv, .tsv:
            let records = try CSVReader.records(data, file: source.path, separator: source.resolvedFormat == .tsv ? "\t" : ",", encoding: encoding)
            guard let header = records.first else { throw DataError.malformed(file: source.path, line: nil, reason: "the file is empty") }
            guard let textColumn = header.fields.firstIndex(of: source.text) else {
                throw DataError.malformed(file: source.path, line: header.line, reason: "no text column '\(source.text)' in header \(header.fields)")
            }
            guard let labelColumn = header.fields.firstIndex(of: source.label) else {
                throw DataError.malformed(file: source.path, line: header.line, reason: "no label column '\(source.label)' in header \(header.fields)")
            }
            let rows = records.dropFirst()
            guard !rows.isEmpty else { throw DataError.malformed(file: source.path, line: nil, reason: "a header but no examples") }
            return try rows.map { r in
                guard r.fields.count == header.fields.count else {
                    throw DataError.malformed(file: source.path, line: r.line, reason: "\(r.fields.count) fields, the header has \(header.fields.count)")
                }
                return LabeledText(text: r.fields[textColumn], label: r.fields[labelColumn])
            }
        case .jsonl:
            guard let text = String(data: data, encoding: encoding) else {
                throw DataError.malformed(file: source.path, line: CSVReader.firstBadLine(data, encoding: encoding), reason: "bytes that are not valid \(source.encoding)")
            }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            var examples: [LabeledText] = []
            for (n, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw DataError.malformed(file: source.path, line: n + 1, reason: "not a JSON object")
                }
                guard let t = object[source.text] as? String else {
                    throw DataError.malformed(file: source.path, line: n + 1, reason: "no string field '\(source.text)'")
                }
                guard let l = object[source.label] else {
                    throw DataError.malformed(file: source.path, line: n + 1, reason: "no label field '\(source.label)'")
                }
                examples.append(LabeledText(text: t, label: "\(l)"))
            }
            guard !examples.isEmpty else { throw DataError.malformed(file: source.path, line: nil, reason: "the file is empty") }
            return examples
        }
    }

    /// A plain-text corpus: one document per line of a file, or one per file of a folder.
    public static func corpus(path: String) throws -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw DataError.malformed(file: path, line: nil, reason: "file not found")
        }
        if isFolder.boolValue {
            let files = try FileManager.default.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }.sorted()
            return try files.map { name in
                let url = URL(fileURLWithPath: path).appendingPathComponent(name)
                let data = try Data(contentsOf: url)
                guard let text = String(data: data, encoding: .utf8) else {
                    throw DataError.malformed(file: url.path, line: CSVReader.firstBadLine(data, encoding: .utf8), reason: "not valid UTF-8")
                }
                return text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            }
        }
        return try NormalizedFormat.readDocuments(URL(fileURLWithPath: path))
    }

    /// CoNLL/BIO token files.
    public static func conll(path: String) throws -> [TaggedSentence] { try ConllReader.read(URL(fileURLWithPath: path)) }

    /// GloVe text, word2vec text or word2vec binary vectors.
    public static func vectors(path: String, format: VectorFileReader.Format) throws -> WordVectors {
        guard FileManager.default.fileExists(atPath: path) else { throw DataError.malformed(file: path, line: nil, reason: "file not found") }
        return try VectorFileReader.read(URL(fileURLWithPath: path), format: format)
    }
}
