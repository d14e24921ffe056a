import Digests
import Foundation

/// The data folder: installed datasets in the normalised format, plus the package cache.
///
/// Defaults: `./data` and `./cache` under the working directory, overridden by `TLAB_DATA` and
/// `TLAB_CACHE`. Neither is committed.
public struct DataStore {
    public let root: URL
    public let cache: URL
    public var log: (String) -> Void

    public init(root: URL? = nil, cache: URL? = nil, log: @escaping (String) -> Void = { print($0) }) {
        let env = ProcessInfo.processInfo.environment
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        self.root = root ?? env["TLAB_DATA"].map { URL(fileURLWithPath: $0) } ?? cwd.appendingPathComponent("data")
        self.cache = cache ?? env["TLAB_CACHE"].map { URL(fileURLWithPath: $0) } ?? cwd.appendingPathComponent("cache")
        self.log = log
    }

    public func folder(_ id: String) -> URL { root.appendingPathComponent(id) }

    public func isInstalled(_ id: String) -> Bool {
        FileManager.default.fileExists(atPath: folder(id).appendingPathComponent(NormalizedFormat.metadata).path)
    }

    public func metadata(_ id: String) throws -> DatasetMetadata {
        _ = try DatasetCatalog.entry(id)
        guard isInstalled(id) else { throw DataError.notInstalled(id) }
        let url = folder(id).appendingPathComponent(NormalizedFormat.metadata)
        return try JSONDecoder().decode(DatasetMetadata.self, from: Data(contentsOf: url))
    }

    /// Installs `ids` (all catalogue entries if empty). Already-installed datasets are skipped unless
    /// `force`. Each dataset is converted into a temporary folder that is renamed into place only
    /// after its metadata is written. Returns the ids installed by this call.
    @discardableResult
    public func install(_ ids: [String], force: Bool = false) throws -> [String] {
        let entries = try (ids.isEmpty ? DatasetCatalog.entries.map(\.id) : ids).map(DatasetCatalog.entry)
        let packages = PackageCache(root: cache, log: log)
        let special = SpecialFormats(cache: cache, log: log)
        let fm = FileManager.default
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        var installed: [String] = []
        for (n, entry) in entries.enumerated() {
            if isInstalled(entry.id) && !force {
                log("[\(n + 1)/\(entries.count)] \(entry.id): installed")
                continue
            }
            log("[\(n + 1)/\(entries.count)] \(entry.id): \(entry.summary)")
            let extracted = try packages.extractedFolder(for: entry.source)
            let staging = root.appendingPathComponent(".tmp-\(ProcessInfo.processInfo.processIdentifier)-\(entry.id)")
            try? fm.removeItem(at: staging)
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            do {
                var converter = Converter(entry: entry, package: extracted, output: staging, special: special)
                converter.extract = packages.extractedFolder(for:)
                let counts = try converter.convert()
                var files: [String: String] = [:]
                for name in try fm.contentsOfDirectory(atPath: staging.path) where !name.hasPrefix(".") {
                    files[name] = try SHA256Hex.of(fileAt: staging.appendingPathComponent(name))
                }
                let metadata = DatasetMetadata(
                    id: entry.id, kind: entry.kind, summary: entry.summary, licence: entry.licence, source: entry.source,
                    installedAt: ISO8601DateFormatter().string(from: Date()), formatVersion: DatasetMetadata.currentFormatVersion,
                    items: counts.items, tokens: counts.tokens, vocabulary: counts.vocabulary, labels: counts.labels,
                    dimension: counts.dimension, firstWord: counts.firstWord, parameters: counts.parameters, files: files)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try encoder.encode(metadata).write(to: staging.appendingPathComponent(NormalizedFormat.metadata))
                try? fm.removeItem(at: folder(entry.id))
                try fm.moveItem(at: staging, to: folder(entry.id))
            } catch {
                try? fm.removeItem(at: staging)
                throw error
            }
            log("  → \(folder(entry.id).path)")
            installed.append(entry.id)
        }
        return installed
    }

    /// Re-hashes an installed dataset's files against its metadata.
    public func verify(_ id: String) throws {
        let meta = try metadata(id)
        for (name, expected) in meta.files {
            let url = folder(id).appendingPathComponent(name)
            let actual = try SHA256Hex.of(fileAt: url)
            guard actual == expected else { throw DataError.checksumMismatch(file: url.path, expected: expected, actual: actual) }
        }
    }

    // MARK: Readers of installed data

    private func installedFolder(_ id: String, kind: DatasetKind) throws -> URL {
        let meta = try metadata(id)
        guard meta.kind == kind else {
            throw DataError.malformed(file: folder(id).path, line: nil, reason: "dataset '\(id)' is \(meta.kind.rawValue) data, not \(kind.rawValue)")
        }
        return folder(id)
    }

    public func examples(_ id: String) throws -> [LabeledText] {
        try NormalizedFormat.readExamples(installedFolder(id, kind: .classification).appendingPathComponent(NormalizedFormat.examples))
    }
    public func documents(_ id: String) throws -> [String] {
        try NormalizedFormat.readDocuments(installedFolder(id, kind: .corpus).appendingPathComponent(NormalizedFormat.documents))
    }
    public func sentences(_ id: String) throws -> [TaggedSentence] {
        try NormalizedFormat.readSentences(installedFolder(id, kind: .ner).appendingPathComponent(NormalizedFormat.sentences))
    }
    public func vectors(_ id: String) throws -> WordVectors { try WordVectors(mappingFolder: installedFolder(id, kind: .vectors)) }
    public func pairs(_ id: String) throws -> [WordPair] {
        try NormalizedFormat.readPairs(installedFolder(id, kind: .similarity).appendingPathComponent(NormalizedFormat.pairs))
    }
    public func questions(_ id: String) throws -> [AnalogyQuestion] {
        try NormalizedFormat.readQuestions(installedFolder(id, kind: .analogies).appendingPathComponent(NormalizedFormat.questions))
    }
}

extension DataStore {
    /// One line on an installed dataset for a notebook: what it is, its size and labels, and the package it came from.
    public func summaryLine(of id: String) -> String? {
        guard let meta = try? metadata(id) else { return nil }
        let labels = meta.labels.map { $0.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") } ?? ""
        return "`\(id)`: \(meta.summary); \(meta.items) examples, \(meta.tokens ?? 0) tokens, vocabulary \(meta.vocabulary ?? 0); \(labels) (\(meta.source.name) \(meta.source.version))"
    }
}
