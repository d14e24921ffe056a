import Datasets
import Foundation

/// Installs a small labelled dataset under `root` in the harness's normalised format, as
/// `tlab data install` would leave it (metadata and examples), for tests that read through `DataStore`.
func installClassification(_ id: String, examples: [LabeledText], in root: URL) throws {
    let folder = root.appendingPathComponent(id)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try NormalizedFormat.writeExamples(examples, to: folder.appendingPathComponent(NormalizedFormat.examples))
    try Data("""
    {"id": "\(id)", "kind": "classification", "summary": "test", "licence": "test", "installedAt": "now", "formatVersion": 1,
     "items": \(examples.count), "files": {},
     "source": {"file": "x.whl", "name": "x", "registry": "pypi", "sha256": "0", "size": 0, "sourceDistribution": false, "version": "1"}}
    """.utf8).write(to: folder.appendingPathComponent(NormalizedFormat.metadata))
}
