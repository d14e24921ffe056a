import Foundation

/// Saving, loading and exporting a Doc2Vec model. A saved model is a folder: `config.json`,
/// `vocabulary.tsv` (word, count), and the raw little-endian Float32 arrays `syn0.f32`,
/// `syn1neg.f32`, `docs.f32`.
extension Doc2Vec {
    public struct StorageError: Error, CustomStringConvertible {
        public let description: String
    }

    public func save(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // the same bytes every time: an artifact's digest is reproducible
        try encoder.encode(config).write(to: folder.appendingPathComponent("config.json"))
        let vocabulary = zip(words, counts).map { "\($0)\t\($1)\n" }.joined()
        try vocabulary.write(to: folder.appendingPathComponent("vocabulary.tsv"), atomically: true, encoding: .utf8)
        try Data(buffer: UnsafeBufferPointer(syn0)).write(to: folder.appendingPathComponent("syn0.f32"))
        try Data(buffer: UnsafeBufferPointer(syn1neg)).write(to: folder.appendingPathComponent("syn1neg.f32"))
        try Data(buffer: UnsafeBufferPointer(rebasing: docs.prefix(documentCount * dimension))).write(to: folder.appendingPathComponent("docs.f32"))
    }

    public static func load(from folder: URL) throws -> Doc2Vec {
        let config = try JSONDecoder().decode(Doc2VecConfig.self, from: Data(contentsOf: folder.appendingPathComponent("config.json")))
        let vocabularyURL = folder.appendingPathComponent("vocabulary.tsv")
        var words: [String] = [], counts: [Int] = []
        for (n, line) in try String(contentsOf: vocabularyURL, encoding: .utf8).split(separator: "\n").enumerated() {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard parts.count == 2, let count = Int(parts[1]) else {
                throw StorageError(description: "\(vocabularyURL.path):\(n + 1): expected `word<TAB>count`")
            }
            words.append(String(parts[0])); counts.append(count)
        }
        let model = Doc2Vec(config: config, words: words, counts: counts)
        func read(_ name: String, into buffer: UnsafeMutableBufferPointer<Float>) throws {
            let url = folder.appendingPathComponent(name)
            let data = try Data(contentsOf: url)
            guard data.count == buffer.count * 4 else {
                throw StorageError(description: "\(url.path): \(data.count) bytes, expected \(buffer.count * 4) for this configuration and vocabulary")
            }
            _ = data.copyBytes(to: buffer)
        }
        try read("syn0.f32", into: model.syn0)
        try read("syn1neg.f32", into: model.syn1neg)
        let docBytes = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("docs.f32").path)[.size] as? Int ?? 0
        guard docBytes % (4 * config.dimension) == 0 else {
            throw StorageError(description: "\(folder.appendingPathComponent("docs.f32").path): size is not a whole number of \(config.dimension)-d vectors")
        }
        model.addDocuments(docBytes / (4 * config.dimension))
        try read("docs.f32", into: model.docs)
        return model
    }

    /// word2vec text format: a `count dimension` header, then `name v1 … vD` per line. `names`
    /// defaults to the vocabulary (words) or `doc_<tag>` (documents).
    public func exportWord2Vec(to url: URL, documents: Bool = false, names: [String]? = nil) throws {
        let rows = documents ? documentCount : words.count
        let labels = names ?? (documents ? (0..<rows).map { "doc_\($0)" } : words)
        precondition(labels.count == rows, "one name per vector")
        let source = documents ? docs : syn0
        var text = "\(rows) \(dimension)\n"
        for r in 0..<rows {
            text += labels[r]
            for k in 0..<dimension { text += " " + String(source[r * dimension + k]) }
            text += "\n"
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}
