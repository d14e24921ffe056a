import Datasets
@testable import Experiments
import Foundation
import Specs
import TestSupport
import XCTest

/// Fields a run or stage kind owns are checked by its typed configuration, with file, line, field path and
/// kind: wrong types, unknown kinds and fields (with a did-you-mean), fields of another kind.
final class TypedConfigTests: XCTestCase {
    let spec = """
    experiment: {id: demo}
    data:
      datasets: [mr-sentences]
      split: {seed: 1, valid: 0.1, test: 0.1}
    model: {kind: kim-cnn, windows: [3, 4, 5], maps: 100}
    train: {batch_size: 50, phases: [{epochs: 10}]}
    """

    func problems(_ text: String, overrides: [String] = []) throws -> String {
        let folder = try temporaryFolder("tlab-typed")
        let path = folder.appendingPathComponent("spec.yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let runs = try Expansion.runs(try SpecLoader.load(path, overrides: overrides))
        return SpecCheck.problems(in: runs, data: DataStore(root: folder)).joined(separator: "\n")
    }

    func assertProblem(_ text: String, overrides: [String] = [], contains parts: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let found = try problems(text, overrides: overrides)
        for part in parts { XCTAssertTrue(found.contains(part), "'\(found)' lacks '\(part)'", file: file, line: line) }
    }

    func testKindFieldsAreCheckedWithLocations() throws {
        try assertProblem(spec.replacingOccurrences(of: "maps: 100", with: "maps: many"), contains: ["spec.yaml:5:", "model.maps", "expected an integer, found 'many'"])
        try assertProblem(spec.replacingOccurrences(of: "kind: kim-cnn", with: "kind: kim-cn"), contains: ["spec.yaml:5:", "model.kind", "did you mean 'kim-cnn'"])
        try assertProblem(spec, overrides: ["model.maps=lots"], contains: ["command line 'model.maps=lots'", "model.maps", "expected an integer"])
        try assertProblem(spec.replacingOccurrences(of: "maps: 100", with: "mapz: 100"),
                          contains: ["spec.yaml:5:", "model.mapz", "of model kind 'kim-cnn'", "did you mean 'maps'?"])
        // A field of another kind is named as such.
        try assertProblem(spec.replacingOccurrences(of: "maps: 100", with: "maps: 100, hidden: 64"),
                          contains: ["model.hidden", "'hidden' is a field of bilstm-max"])
        try assertProblem(spec + "\nstages: {a: {kind: glove, corpuss: [austen]}}\nembeddings: {vectors: \"stage:a\"}\n",
                          contains: ["spec.yaml:7:", "stages.a.corpuss", "of stage kind 'glove'", "did you mean 'corpus'?"])
        // A quoted number is a string, as YAML reads it.
        let quoted = spec.replacingOccurrences(of: "maps: 100", with: "maps: \"100\"")
        try assertProblem(quoted, contains: ["spec.yaml:5:", "model.maps", "expected an integer, found the string '100'"])
        // A section another kind reads is not silently accepted by this one.
        try assertProblem(spec + "\nregime: {kind: combined}\n", contains: ["regime", "unknown key 'regime' of model kind 'kim-cnn'"])
    }

    /// `models:` gives each kind its own fields, so a sweep of `model.kind` leaves no field of one kind in another's runs.
    func testPerKindModelFieldsFollowTheSweptKind() throws {
        let folder = try temporaryFolder("tlab-models")
        let path = folder.appendingPathComponent("s.yaml").path
        try Data("""
        experiment: {id: demo}
        data: {datasets: [mr-sentences]}
        model: {kind: kim-cnn, dropout: 0.4}
        models: {kim-cnn: {windows: [2, 3], maps: 10}, bilstm-max: {hidden: 32, dropout: 0.3}}
        sweep: {model.kind: [kim-cnn, bilstm-max]}
        """.utf8).write(to: URL(fileURLWithPath: path))
        let runs = try Expansion.runs(try SpecLoader.load(path))
        let models = runs.map { String(decoding: $0.config["model"]!.canonicalJSON, as: UTF8.self) }
        XCTAssertEqual(models, [#"{"dropout":0.4,"kind":"kim-cnn","maps":10,"windows":[2,3]}"#, #"{"dropout":0.4,"hidden":32,"kind":"bilstm-max"}"#])
        XCTAssertNil(runs[0].config["models"])
        // A recorded run of the old shared section reads as planning makes it now: the other kind's fields dropped.
        var old: [String: Any] = ["model": ["kind": "bilstm-max", "hidden": 32, "windows": [2, 3], "maps": 10, "dropout": 0.4]]
        XCTAssertTrue(RunKinds.standard.rewrites[0].apply(&old))
        XCTAssertEqual(Set((old["model"] as! [String: Any]).keys), ["kind", "hidden", "dropout"])
        XCTAssertFalse(RunKinds.standard.rewrites[0].apply(&old))
    }
}
