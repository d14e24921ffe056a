import Autodiff
import Foundation
import Numerics

/// Named parameters on disk: `parameters.json` (name and shape of each, in order) and
/// `parameters.f32` (their values, little-endian Float32, concatenated). Loading matches by name and
/// checks every shape, so a checkpoint can initialise a different model that shares some parameters
/// (a classifier built around a pretrained language model's embedding and encoder).
public enum Checkpoint {
    public struct Entry: Codable, Equatable, Sendable {
        public let name: String
        public let shape: [Int]
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func save(_ parameters: [Parameter], to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // the same bytes every time: an artifact's digest is reproducible
        try encoder.encode(parameters.map { Entry(name: $0.name, shape: $0.shape) }).write(to: folder.appendingPathComponent("parameters.json"))
        var data = Data(capacity: parameters.reduce(0) { $0 + $1.count } * 4)
        for p in parameters { data.append(UnsafeBufferPointer(start: p.value.data, count: p.count)) }
        try data.write(to: folder.appendingPathComponent("parameters.f32"))
    }

    /// Every saved tensor by name.
    public static func read(from folder: URL) throws -> [String: Tensor] {
        let entries = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: folder.appendingPathComponent("parameters.json")))
        let holders = entries.map { Parameter($0.name, Tensor(zeros: $0.shape)) }
        try load(into: holders, from: folder)
        return Dictionary(uniqueKeysWithValues: holders.map { ($0.name, $0.value) })
    }

    /// Copies every saved parameter named in `parameters` into it; returns the names loaded. Throws
    /// when a name in `required` is missing or a shape differs.
    @discardableResult
    public static func load(into parameters: [Parameter], from folder: URL, required: Set<String>? = nil) throws -> [String] {
        let manifest = folder.appendingPathComponent("parameters.json"), values = folder.appendingPathComponent("parameters.f32")
        let entries = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: manifest))
        let data = try Data(contentsOf: values)
        let expected = entries.reduce(0) { $0 + $1.shape.reduce(1, *) } * 4
        guard data.count == expected else { throw Failure(description: "\(values.path): \(data.count) bytes, the manifest describes \(expected)") }
        let byName = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0) })
        var offset = 0, loaded: [String] = []
        for entry in entries {
            let count = entry.shape.reduce(1, *)
            defer { offset += count * 4 }
            guard let p = byName[entry.name] else { continue }
            guard p.shape == entry.shape else {
                throw Failure(description: "\(manifest.path): '\(entry.name)' has shape \(entry.shape), the model's is \(p.shape)")
            }
            data.withUnsafeBytes { raw in
                p.value.data.update(from: raw.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Float.self), count: count)
            }
            loaded.append(entry.name)
        }
        if let missing = required?.subtracting(loaded).sorted(), !missing.isEmpty {
            throw Failure(description: "\(manifest.path): no \(missing.joined(separator: ", "))")
        }
        return loaded
    }
}
