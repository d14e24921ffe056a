import Datasets
import Foundation

/// Installs a small labelled dataset under `root` in the harness's normalised format, as
/// `tlab data install` would leave it (metadata and examples), for tests that read through `DataStore`.
func installClassification(_ id: String, examples: [LabeledText], in root: URL) throws {
    let folder = try installFolder(id, kind: .classification, items: examples.count, in: root)
    try NormalizedFormat.writeExamples(examples, to: folder.appendingPathComponent(NormalizedFormat.examples))
}

/// Installs a small corpus (one document per string) the same way.
func installCorpus(_ id: String, documents: [String], in root: URL) throws {
    let folder = try installFolder(id, kind: .corpus, items: documents.count, in: root)
    try NormalizedFormat.writeDocuments(documents, to: folder.appendingPathComponent(NormalizedFormat.documents))
}

/// A dataset's folder with its metadata written.
private func installFolder(_ id: String, kind: DatasetKind, items: Int, in root: URL) throws -> URL {
    let folder = root.appendingPathComponent(id)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try Data("""
    {"id": "\(id)", "kind": "\(kind.rawValue)", "summary": "test", "licence": "test", "installedAt": "now", "formatVersion": 1,
     "items": \(items), "files": {},
     "source": {"file": "x.whl", "name": "x", "registry": "pypi", "sha256": "0", "size": 0, "sourceDistribution": false, "version": "1"}}
    """.utf8).write(to: folder.appendingPathComponent(NormalizedFormat.metadata))
    return folder
}

/// Installs word vectors (one row per word) the same way.
func installVectors(_ id: String, words: [String], values: [Float], in root: URL) throws {
    let folder = try installFolder(id, kind: .vectors, items: words.count, in: root)
    try values.withUnsafeBufferPointer { try NormalizedFormat.writeVectors(words: words, values: $0, to: folder) }
}
