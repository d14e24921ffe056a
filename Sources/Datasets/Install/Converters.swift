import Foundation

/// Turns one extracted source package into one dataset folder in the normalised format.
/// Each converter returns the metadata counts; the installer adds checksums and provenance.
struct Converter {
    let entry: DatasetEntry
    let package: URL        // the extracted package folder
    let output: URL         // the (temporary) dataset folder
    let special: SpecialFormats
    /// Extracts another package (an entry's companion).
    var extract: (SourcePackage) throws -> URL = { _ in throw DataError.commandFailed(command: "extract", detail: "no package cache") }

    struct Counts {
        var items: Int
        var tokens: Int? = nil
        var vocabulary: Int? = nil
        var labels: [String: Int]? = nil
        var dimension: Int? = nil
        var firstWord: String? = nil
        var parameters: Int? = nil
    }

    func member(_ index: Int = 0) -> URL { package.appendingPathComponent(entry.members[index]) }

    func convert() throws -> Counts {
        switch entry.id {
        case "glove-6b-50d": return try gloveNpy()
        case "mr-sentences", "mr-reviews": return try patternCSV(labels: ["1": "pos", "-1": "neg"])
        case "wiki-uncertainty": return try patternCSV(labels: ["1": "certain", "-1": "uncertain"])
        case "oanc": return try taggedCorpus()
        case "bbc-news": return try bbc()
        case "tweets-sentiment": return try tweets()
        case "wnut16-ner": return try conll()
        case "wiki-excerpt": return try wiki()
        case "lee-news": return try documents(NormalizedFormat.readDocuments(member()))
        case "glove-tiny": return try textVectors()
        case "wordsim353", "simlex999": return try similarity()
        case "analogies": return try analogies()
        case "austen": return try austen()
        case "moby-dick": return try mobyDick()
        case "python-docs": return try pythonDocs()
        case "gcide": return try gcide()
        case "wordnet-glosses": return try wordnetGlosses()
        case "perl-doc": return try perlPod()
        case "linux-doc": return try linuxDocs()
        case "minilm-l6": return try safetensorsCheckpoint()
        case "minilm-l3": return try onnxCheckpoint()
        default: preconditionFailure("no converter for \(entry.id)")
        }
    }

    // MARK: Classification

    private func classification(_ examples: [LabeledText]) throws -> Counts {
        try NormalizedFormat.writeExamples(examples, to: output.appendingPathComponent(NormalizedFormat.examples))
        let stats = tokenStatistics(examples.map(\.text))
        return Counts(items: examples.count, tokens: stats.tokens, vocabulary: stats.vocabulary,
                      labels: Dictionary(grouping: examples, by: \.label).mapValues(\.count))
    }

    /// pattern's `label,text` CSVs (UTF-8 with a BOM): labels 1 / −1.
    private func patternCSV(labels: [String: String]) throws -> Counts {
        let url = member()
        let records = try CSVReader.records(Data(contentsOf: url), file: url.path)
        let examples = try records.map { r -> LabeledText in
            guard r.fields.count == 2, let label = labels[r.fields[0]] else {
                throw DataError.malformed(file: url.path, line: r.line, reason: "expected `label,text` with label in \(labels.keys.sorted())")
            }
            return LabeledText(text: r.fields[1].trimmingCharacters(in: .whitespacesAndNewlines), label: label)
        }
        return try classification(examples)
    }

    /// One article per file, `data/<topic>/NNN.txt`; the topic folder is the label.
    private func bbc() throws -> Counts {
        let root = member()
        var examples: [LabeledText] = []
        for topic in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() {
            let folder = root.appendingPathComponent(topic)
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".txt") {
                let data = try Data(contentsOf: folder.appendingPathComponent(file))
                let text = String(data: data, encoding: .utf8) ?? String(decoding: data, as: UTF8.self)
                examples.append(LabeledText(text: text.split(whereSeparator: \.isNewline).joined(separator: " "), label: topic))
            }
        }
        return try classification(examples)
    }

    /// CrowdFlower tweets: `sentiment,confidence,text`, latin-1.
    private func tweets() throws -> Counts {
        let url = member()
        let records = try CSVReader.records(Data(contentsOf: url), file: url.path, encoding: .isoLatin1)
        guard let header = records.first, header.fields == ["sentiment", "confidence", "text"] else {
            throw DataError.malformed(file: url.path, line: 1, reason: "expected header sentiment,confidence,text")
        }
        let examples = try records.dropFirst().map { r -> LabeledText in
            guard r.fields.count == 3, ["negative", "neutral", "positive"].contains(r.fields[0]) else {
                throw DataError.malformed(file: url.path, line: r.line, reason: "expected sentiment,confidence,text")
            }
            return LabeledText(text: r.fields[2], label: r.fields[0])
        }
        return try classification(examples)
    }

    // MARK: Token labels

    private func conll() throws -> Counts {
        let sentences = try ConllReader.read(member())
        try NormalizedFormat.writeSentences(sentences, to: output.appendingPathComponent(NormalizedFormat.sentences))
        let tags = sentences.flatMap(\.tags)
        return Counts(items: sentences.count, tokens: tags.count, vocabulary: Set(sentences.flatMap(\.tokens)).count,
                      labels: Dictionary(grouping: tags) { $0 }.mapValues(\.count))
    }

    // MARK: Corpora

    func documents(_ docs: [String]) throws -> Counts {
        try NormalizedFormat.writeDocuments(docs, to: output.appendingPathComponent(NormalizedFormat.documents))
        let written = try NormalizedFormat.readDocuments(output.appendingPathComponent(NormalizedFormat.documents))
        let stats = tokenStatistics(written)
        return Counts(items: written.count, tokens: stats.tokens, vocabulary: stats.vocabulary)
    }

    /// `word/TAG` tokens, one sentence per line; the tags are dropped.
    private func taggedCorpus() throws -> Counts {
        let lines = try NormalizedFormat.lines(member())
        return try documents(lines.map { line in
            line.split(separator: " ").map { token in
                token.lastIndex(of: "/").map { String(token[..<$0]) } ?? String(token)
            }.joined(separator: " ")
        })
    }

    private func wiki() throws -> Counts {
        let xml = try Data(Shell.run(["bzip2", "-dc", member().path]).utf8)
        let articles = try WikiMarkup.articles(xml: xml)
        return try documents(articles.map { WikiMarkup.strip($0.text) })
    }

    /// Paragraphs (blank-line separated) of the six novels.
    private func austen() throws -> Counts {
        let vectors = try special.rLazyLoad(stem: member().deletingPathExtension(), scratch: output.appendingPathComponent(".r"))
        let novels = ["sensesensibility", "prideprejudice", "mansfieldpark", "emma", "northangerabbey", "persuasion"]
        var paragraphs: [String] = []
        for name in novels {
            guard let lines = vectors[name] else { throw DataError.malformed(file: member().path, line: nil, reason: "no object '\(name)'") }
            paragraphs += Converter.paragraphs(lines)
        }
        return try documents(paragraphs)
    }

    /// Paragraphs of the Project Gutenberg text, without the Gutenberg header and licence.
    private func mobyDick() throws -> Counts {
        let vectors = try special.rLazyLoad(stem: member().deletingPathExtension(), scratch: output.appendingPathComponent(".r"))
        guard let text = vectors["mobydick"]?.first?.replacingOccurrences(of: "\\n", with: "\n") else {
            throw DataError.malformed(file: member().path, line: nil, reason: "no object 'mobydick'")
        }
        var lines = text.components(separatedBy: "\n")
        if let start = lines.firstIndex(where: { $0.hasPrefix("*** START OF") }) { lines.removeSubrange(...start) }
        if let end = lines.firstIndex(where: { $0.hasPrefix("*** END OF") || $0.hasPrefix("End of Project Gutenberg") }) {
            lines.removeSubrange(end...)
        }
        return try documents(Converter.paragraphs(lines))
    }

    /// One document per reST source file.
    private func pythonDocs() throws -> Counts {
        let root = member()
        guard let walker = FileManager.default.enumerator(atPath: root.path) else {
            throw DataError.malformed(file: root.path, line: nil, reason: "missing documentation sources")
        }
        let files = walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".rst.txt") }.sorted()
        return try documents(files.map { String(decoding: (try? Data(contentsOf: root.appendingPathComponent($0))) ?? Data(), as: UTF8.self) })
    }

    static func paragraphs(_ lines: [String]) -> [String] {
        var result: [String] = [], current: [String] = []
        for line in lines {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty {
                if !current.isEmpty { result.append(current.joined(separator: " ")); current = [] }
            } else {
                current.append(trimmed)
            }
        }
        if !current.isEmpty { result.append(current.joined(separator: " ")) }
        return result
    }

    // MARK: Vectors and evaluation sets

    /// kumo's GloVe: a column-major 400000×50 float32 .npy and a parquet word index.
    private func gloveNpy() throws -> Counts {
        let npy = member(0)
        let (values, rows, columns) = try NumpyArray.readFloat32Matrix(npy)
        let wordsFile = output.appendingPathComponent(NormalizedFormat.words)
        try special.parquetColumn(member(1), column: "index", to: wordsFile)
        let words = try NormalizedFormat.lines(wordsFile)
        guard words.count == rows else {
            throw DataError.malformed(file: member(1).path, line: nil, reason: "\(words.count) words for \(rows) vectors")
        }
        try values.withUnsafeBufferPointer { try Data(buffer: $0).write(to: output.appendingPathComponent(NormalizedFormat.vectors)) }
        return Counts(items: rows, vocabulary: rows, dimension: columns, firstWord: words.first)
    }

    private func textVectors() throws -> Counts {
        let vectors = try VectorFileReader.read(member(), format: .glove)
        try vectors.write(to: output)
        return Counts(items: vectors.count, vocabulary: vectors.count, dimension: vectors.dimension, firstWord: vectors.words.first)
    }

    /// gensim's wordsim353.tsv / simlex999.txt: `#` comment lines, then `word1<TAB>word2<TAB>score`.
    private func similarity() throws -> Counts {
        let url = member()
        let pairs = try NormalizedFormat.lines(url).enumerated().compactMap { n, line -> WordPair? in
            if line.hasPrefix("#") || line.isEmpty { return nil }
            let f = line.split(separator: "\t")
            guard f.count >= 3, let score = Double(f[2]) else {
                throw DataError.malformed(file: url.path, line: n + 1, reason: "expected word1<TAB>word2<TAB>score")
            }
            return WordPair(first: String(f[0]), second: String(f[1]), score: score)
        }
        try NormalizedFormat.writePairs(pairs, to: output.appendingPathComponent(NormalizedFormat.pairs))
        return Counts(items: pairs.count, vocabulary: Set(pairs.flatMap { [$0.first, $0.second] }).count)
    }

    private func analogies() throws -> Counts {
        let questions = try NormalizedFormat.readQuestions(member())
        try FileManager.default.copyItem(at: member(), to: output.appendingPathComponent(NormalizedFormat.questions))
        return Counts(items: questions.count, labels: Dictionary(grouping: questions, by: \.section).mapValues(\.count))
    }
}
