@testable import Experiments
import Foundation
@testable import Specs
import XCTest

/// The sections several run kinds share are checked twice: by the spec schema at load (every command) and by the
/// kinds' typed configurations (`validate`). Both must know the same fields, at every level.
final class SchemaAgreementTests: XCTestCase {
    /// A value of the shape `schema` describes.
    func sample(_ schema: Schema) -> ConfigNode {
        let at = SourceLocation(file: "sample", line: 1, column: 1)
        func scalar(_ s: String) -> ConfigNode { ConfigNode(.scalar(s, quoted: false), at: at) }
        switch schema {
        case .string, .any: return scalar("x")
        case .integer: return scalar("2")  // at least 1, and 2 folds
        case .number: return scalar("0.25")  // a valid fraction, rate and factor alike
        case .boolean: return scalar("true")
        case let .choice(words): return scalar(words[0])
        case let .list(item, _): return ConfigNode(.sequence([sample(item), sample(item)]), at: at)
        case let .dictionary(value): return ConfigNode(.mapping([("a", sample(value))]), at: at)
        case let .object(fields, _), let .open(fields, _):
            return ConfigNode(.mapping(fields.keys.sorted().map { ($0, sample(fields[$0]!)) }), at: at)
        case let .either(options): return sample(options[0])
        }
    }

    /// Every mapping below `path` of the spec schema, with its fields, keyed by its path below `path`.
    func objects(_ schema: Schema, _ path: [String] = []) -> [String: Set<String>] {
        switch schema {
        case let .object(fields, _):
            var found = [path.joined(separator: "."): Set(fields.keys)]
            for (key, field) in fields { found.merge(objects(field, path + [key])) { a, _ in a } }
            return found
        case let .list(item, _): return objects(item, path + ["0"])
        case let .dictionary(value): return objects(value, path + ["a"])
        case let .either(options): return objects(options[0], path)  // the option `sample` writes
        default: return [:]
        }
    }

    /// Fields the spec has that expansion reads and leaves out of a run's configuration.
    static let readByExpansion: [String: Set<String>] = ["data.": ["training_sizes"]]

    func assertAgreement<T: Decodable>(_ section: String, _ type: T.Type, file: StaticString = #filePath, line: UInt = #line) throws {
        let schema = try XCTUnwrap(SpecSchema.spec.field(at: [section]))
        let asked = ConfigDecoder().askedKeys(decoding: type, from: sample(schema))
        for (path, fields) in objects(schema) where !path.hasPrefix("schedule") && !path.contains(".schedule") {
            let read = (asked[path] ?? []).union(Self.readByExpansion[section + "." + path] ?? [])
            XCTAssertEqual(fields.subtracting(read), [], "\(section).\(path): in the spec schema, not read by \(type)", file: file, line: line)
            XCTAssertEqual(read.subtracting(fields), [], "\(section).\(path): read by \(type), not in the spec schema", file: file, line: line)
        }
    }

    func testSharedSectionsHaveTheSameFieldsInTheSchemaAndTheTypedConfigurations() throws {
        try assertAgreement("data", DataSection.self)
        try assertAgreement("embeddings", EmbeddingsSection.self)
        try assertAgreement("train", TrainSection.self)
        try assertAgreement("language_model", LanguageModelSection.self)
        try assertAgreement("generic", GenericCorpus.self)
        try assertAgreement("regime", Doc2VecRun.RegimeFields.self)
        try assertAgreement("evaluation", Doc2VecRun.Evaluation.self)
        // A dataset written as a mapping: installed with its folds, or a user file.
        for option in [SpecSchema.installedSource, SpecSchema.fileSource] {
            guard case let .object(fields, _) = option else { return XCTFail("a dataset option is a mapping") }
            let asked = ConfigDecoder().askedKeys(decoding: DataSection.Source.self, from: sample(option))[""] ?? []
            XCTAssertEqual(asked.subtracting(["id"]), Set(fields.keys).subtracting(["id"]), "(`id` tells the two apart)")
        }
    }
}
