import Datasets
@testable import Experiments
import Foundation
import Specs
import TestSupport
import XCTest

/// Specs a careless or hostile user writes: each is refused with its file, line and field path, by the loader,
/// the expansion or the kinds' typed configurations, and nothing traps or hangs.
final class MalformedSpecTests: XCTestCase {
    let base = """
    experiment: {id: malformed}
    data:
      datasets: [mr-sentences]
      split: {seed: 1, valid: 0.1, test: 0.1}
    model: {kind: kim-cnn, windows: [3, 4, 5], maps: 100, dropout: 0.5}
    train:
      batch_size: 50
      epochs: 3
      learning_rate: 1.0
      groups: {embedding: {patterns: ["embedding.*"]}, rest: {patterns: ["*"]}}
    sweep: {seed: [1, 2]}
    """

    /// (what is changed, replacement of `from` by `to`, fragments the error must hold).
    let cases: [(String, String, String, [String])] = [
        ("epochs 0", "epochs: 3", "epochs: 0", ["s.yaml:8:", "train.epochs", "at least 1"]),
        ("epochs −1", "epochs: 3", "epochs: -1", ["s.yaml:8:", "train.epochs", "at least 1"]),
        ("batch size 0", "batch_size: 50", "batch_size: 0", ["s.yaml:7:", "train.batch_size", "at least 1"]),
        ("batch size −50", "batch_size: 50", "batch_size: -50", ["s.yaml:7:", "train.batch_size", "at least 1"]),
        ("learning rate −1", "learning_rate: 1.0", "learning_rate: -1", ["s.yaml:9:", "train.learning_rate", "above 0"]),
        ("learning rate as a string", "learning_rate: 1.0", "learning_rate: \"0.1\"", ["s.yaml:9:", "train.learning_rate", "the string '0.1'"]),
        ("dropout 1.5", "dropout: 0.5", "dropout: 1.5", ["s.yaml:5:", "model.dropout", "[0, 1)"]),
        ("maps 0", "maps: 100", "maps: 0", ["s.yaml:5:", "model.maps", "at least 1"]),
        ("window 0", "windows: [3, 4, 5]", "windows: [0]", ["s.yaml:5:", "model.windows"]),
        ("split leaving no training set", "valid: 0.1, test: 0.1", "valid: 0.7, test: 0.6", ["s.yaml:4:", "data.split", "leave no training set"]),
        ("one fold", "split: {seed: 1, valid: 0.1, test: 0.1}", "split: {seed: 1, valid: 0.1, test: 0.1, folds: 1}", ["data.split.folds", "at least 2"]),
        ("training size 0", "test: 0.1}", "test: 0.1}\n  training_sizes: [0]", ["training_size", "at least 1"]),
        ("negative training size", "test: 0.1}", "test: 0.1}\n  training_sizes: [-5]", ["training_size", "at least 1"]),
        ("unknown kind", "kind: kim-cnn", "kind: kim-cn", ["s.yaml:5:", "model.kind", "did you mean 'kim-cnn'"]),
        ("field of another kind", "maps: 100", "maps: 100, hidden: 3", ["model.hidden", "a field of bilstm-max"]),
        ("misspelt train field", "epochs: 3", "epoch: 3", ["s.yaml:8:", "train.epoch", "did you mean 'epochs'"]),
        ("unknown optimizer", "learning_rate: 1.0", "learning_rate: 1.0\n  optimizer: adamm", ["train.optimizer", "did you mean 'adam'"]),
        ("negative weight decay", "patterns: [\"*\"]}", "patterns: [\"*\"], weight_decay: -1}", ["train.groups.rest.weight_decay", "0 or more"]),
        ("group matching nothing", "patterns: [\"embedding.*\"]", "patterns: [\"embeddings.*\"]", ["s.yaml:10:", "train.groups.embedding", "matches no parameter"]),
        ("phase of 0 epochs", "epochs: 3", "phases: [{epochs: 0}]", ["train.phases.0.epochs", "at least 1"]),
        ("negative rate factor", "epochs: 3", "phases: [{epochs: 2, rate_factors: {embedding: -1}}]", ["rate factor of 'embedding'", "0 or more"]),
        ("clip norm as a word", "epochs: 3", "epochs: 3\n  clip_norm: lots", ["train.clip_norm"]),
        ("huge log_space", "sweep: {seed: [1, 2]}", "sweep: {seed: [1, 2], train.learning_rate: {log_space: {from: 0.1, to: 1, count: 100000000000}}}", ["sweep.train.learning_rate", "count"]),
        ("range of extreme integers", "sweep: {seed: [1, 2]}", "sweep: {seed: {range: {from: -9223372036854775807, to: 9223372036854775807}}}", ["sweep.seed", "10⁹"]),
        ("a seed range of 10⁷", "sweep: {seed: [1, 2]}", "sweep: {seed: {range: {from: 1, to: 10000000}}}", ["sweep.seed", "at most 10000"]),
        ("a product of 10⁸ runs", "sweep: {seed: [1, 2]}", "sweep: {seed: {range: {from: 1, to: 10000}}, train.batch_size: {range: {from: 1, to: 10000}}}", ["expands to 100000000 runs", "--max-runs"]),
        ("an empty sweep", "sweep: {seed: [1, 2]}", "sweep: {seed: []}", ["sweep.seed"]),
        ("sweep of a field that does not exist", "sweep: {seed: [1, 2]}", "sweep: {seed: [1], train.learnin_rate: [0.1]}", ["sweep.train.learnin_rate"]),
        ("a section of another kind", "sweep: {seed: [1, 2]}", "sweep: {seed: [1, 2]}\nregime: {kind: combined}", ["unknown key 'regime' of model kind 'kim-cnn'"]),
        ("a stage of an unknown kind", "sweep: {seed: [1, 2]}", "sweep: {seed: [1, 2]}\nstages: {g: {kind: glovee}}\nembeddings: {vectors: \"stage:g\"}", ["kind", "did you mean 'glove'"]),
        ("a stage field misspelt", "sweep: {seed: [1, 2]}", "sweep: {seed: [1, 2]}\nstages: {g: {kind: glove, corpuss: [austen]}}\nembeddings: {vectors: \"stage:g\"}", ["stages.g.corpuss", "did you mean 'corpus'"]),
        ("a duplicate key", "epochs: 3", "epochs: 3\n  epochs: 4", ["s.yaml:8:", "a key appears twice: epochs"]),
        ("an id with a path", "id: malformed", "id: ../../x", ["s.yaml:1:", "experiment.id", "cannot name files"]),
        ("an id with a slash", "id: malformed", "id: a/b", ["experiment.id", "cannot name files"]),
        ("an id with spaces", "id: malformed", "id: \"with spaces\"", ["experiment.id", "cannot name files"]),
        ("an empty id", "id: malformed", "id: \"\"", ["experiment.id", "cannot name files"]),
        ("a dataset name with a slash", "datasets: [mr-sentences]", "datasets: [{file: x.csv, name: a/b}]", ["data.datasets.0", "cannot name files"]),
        ("a stage referred to but not defined", "sweep: {seed: [1, 2]}", "sweep: {seed: [1, 2]}\nembeddings: {vectors: \"stage:nothere\"}", ["stage 'nothere'", "not defined"]),
    ]

    func testEachMalformedSpecIsRefusedWithItsLocation() throws {
        let folder = try temporaryFolder("tlab-malformed")
        let data = DataStore(root: folder.appendingPathComponent("data"))
        for (what, from, to, fragments) in cases {
            XCTAssertTrue(base.contains(from), "\(what): the base spec lacks '\(from)'")
            let path = folder.appendingPathComponent("s.yaml").path
            try Data(base.replacingOccurrences(of: from, with: to).utf8).write(to: URL(fileURLWithPath: path))
            let start = Date()
            var message = ""
            do {
                let runs = try Expansion.runs(try SpecLoader.load(path))
                message = SpecCheck.problems(in: runs, data: data).filter { !$0.contains("is not installed") }.joined(separator: "\n")
            } catch {
                message = "\(error)"
            }
            XCTAssertFalse(message.isEmpty, "\(what): accepted")
            for fragment in fragments { XCTAssertTrue(message.contains(fragment), "\(what): '\(message)' lacks '\(fragment)'") }
            XCTAssertLessThan(Date().timeIntervalSince(start), 2, "\(what): took too long")
        }
    }

    /// Files that are not specs as YAML reads them: an alias bomb, bytes that are not UTF-8, broken `extends`.
    func testMalformedFilesAreRefusedWithTheirLocation() throws {
        let folder = try temporaryFolder("tlab-malformed-files")
        let levels = (1...9).map { level in
            let name = "l\(level)", inner = level == 1 ? "\"x\"" : "*l\(level - 1)"
            return "\(name): &\(name) [" + Array(repeating: inner, count: 9).joined(separator: ", ") + "]"
        }
        let files: [(String, Data, [String])] = [
            ("bomb.yaml", Data(levels.joined(separator: "\n").utf8), ["bomb.yaml:", "expands to more than"]),
            ("latin.yaml", Data("experiment: {id: x}\n# caf".utf8) + Data([0xE9, 0x0A]), ["latin.yaml", "not UTF-8", "offset 25"]),
            ("missing.yaml", Data("extends: nothere.yaml\nexperiment: {id: x}\n".utf8), ["missing.yaml:1:10", "extends", "no such file"]),
            ("folder.yaml", Data("extends: \(folder.path)\nexperiment: {id: x}\n".utf8), ["folder.yaml:1:10", "extends", "it is a folder"]),
            ("unclosed.yaml", Data("experiment: {id: [x\n".utf8), ["unclosed.yaml:", "YAML syntax"]),
        ]
        for (name, bytes, fragments) in files {
            let path = folder.appendingPathComponent(name).path
            try bytes.write(to: URL(fileURLWithPath: path))
            let start = Date()
            XCTAssertThrowsError(try SpecLoader.load(path), name) { error in
                for fragment in fragments { XCTAssertTrue("\(error)".contains(fragment), "\(name): '\(error)' lacks '\(fragment)'") }
            }
            XCTAssertLessThan(Date().timeIntervalSince(start), 2, "\(name): took too long")
        }
    }
}
