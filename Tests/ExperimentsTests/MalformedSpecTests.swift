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
        ("a CRF tagger with class weights", "model: {kind: kim-cnn, windows: [3, 4, 5], maps: 100, dropout: 0.5}",
         "model: {kind: bilstm-tagger, output: crf, class_weights: inverse}", ["s.yaml:5:", "model.class_weights", "`output: crf` scores whole sentences"]),
        ("a CRF tagger with a focal loss", "model: {kind: kim-cnn, windows: [3, 4, 5], maps: 100, dropout: 0.5}",
         "model: {kind: bilstm-tagger, output: crf, focal_gamma: 2}", ["s.yaml:5:", "model.focal_gamma", "`output: crf` scores whole sentences"]),
        ("a negative focusing parameter", "model: {kind: kim-cnn, windows: [3, 4, 5], maps: 100, dropout: 0.5}",
         "model: {kind: bilstm-tagger, focal_gamma: -1}", ["s.yaml:5:", "model.focal_gamma", "0 or more"]),
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
        ("an unknown OOV policy", "sweep: {seed: [1, 2]}", "sweep: {seed: [1, 2]}\nembeddings: {oov: randm}", ["embeddings.oov", "not one of uniform, zero, mean"]),
        ("an unknown initialisation", "sweep: {seed: [1, 2]}", "sweep: {seed: [1, 2]}\nembeddings: {init: pretrain}", ["embeddings.init", "did you mean 'pretrained'"]),
        ("an unknown channel setting", "sweep: {seed: [1, 2]}", "sweep: {seed: [1, 2]}\nembeddings: {channels: multi}", ["embeddings.channels"]),
        ("an unknown unfreezing", "epochs: 3", "epochs: 3\n  unfreezing: {kind: gradul, order: [embedding, rest]}", ["train.unfreezing.kind", "did you mean 'gradual'"]),
        ("an unfreezing order naming no group", "epochs: 3", "epochs: 3\n  unfreezing: {kind: gradual, order: [embedding, encoder]}", ["train.unfreezing", "no parameter group 'encoder'"]),
        ("an unknown auxiliary loss", "epochs: 3", "epochs: 3\n  auxiliary: siatll", ["train.auxiliary", "did you mean 'siatl'"]),
        ("an unknown batching", "epochs: 3", "epochs: 3\n  batching: sorted", ["train.batching", "not one of random, length-grouped"]),
        ("an unknown selection criterion", "epochs: 3", "epochs: 3\n  select_by: los", ["train.select_by", "did you mean 'loss'"]),
        ("an unknown schedule", "epochs: 3", "epochs: 3\n  schedule: {cosine: {}}", ["train.schedule"]),
        ("a schedule word", "epochs: 3", "epochs: 3\n  schedule: linear", ["train.schedule", "constant"]),
        ("a discriminative order naming no group", "epochs: 3", "epochs: 3\n  discriminative: {factor: 2.6, order: [embedding, head]}", ["train.discriminative.order", "no parameter group 'head'"]),
        ("a phase freezing no group", "epochs: 3", "phases: [{epochs: 2, frozen: [embeding]}]", ["train.phases.0.frozen", "no parameter group 'embeding'"]),
        ("betas of one number", "epochs: 3", "epochs: 3\n  betas: [0.9]", ["train.betas", "two numbers"]),
        ("betas of one and more", "epochs: 3", "epochs: 3\n  betas: [0.9, 1.5]", ["train.betas", "two numbers"]),
        ("patience 0", "epochs: 3", "epochs: 3\n  patience: 0", ["train.patience", "at least 1"]),
        ("max length 0", "test: 0.1}", "test: 0.1}\n  max_length: 0", ["data.max_length", "at least 1"]),
        ("min count 0", "test: 0.1}", "test: 0.1}\n  min_count: 0", ["data.min_count", "at least 1"]),
        ("a negative validation share", "valid: 0.1", "valid: -0.1", ["data.split.valid", "[0, 1)"]),
        ("datasets not a list", "datasets: [mr-sentences]", "datasets: mr-sentences", ["data.datasets", "list"]),
        ("no datasets", "datasets: [mr-sentences]", "datasets: []", ["data.datasets", "must not be empty"]),
        ("an unknown dataset", "datasets: [mr-sentences]", "datasets: [mr-sentence]", ["data.datasets", "mr-sentences"]),
        ("a file dataset of an unknown format", "datasets: [mr-sentences]", "datasets: [{file: x.csv, format: xls}]", ["data.datasets.0.format", "csv"]),
        ("no model", "model: {kind: kim-cnn, windows: [3, 4, 5], maps: 100, dropout: 0.5}", "", ["missing required key 'model'"]),
        ("a model without a kind", "kind: kim-cnn, ", "", ["model", "missing required key 'kind'"]),
        ("no experiment id", "experiment: {id: malformed}", "experiment: {description: x}", ["experiment", "missing required key 'id'"]),
        ("a sweep value that is no list", "sweep: {seed: [1, 2]}", "sweep: {seed: 3}", ["sweep.seed"]),
        ("arms as a list", "sweep: {seed: [1, 2]}", "sweep: {seed: [1, 2]}\narms: [a, b]", ["arms", "mapping"]),
        ("a report baseline that is no arm", "sweep: {seed: [1, 2]}", "sweep: {seed: [1, 2]}\narms: {a: {}, b: {}}\nreport: {baseline: c}", ["report.baseline", "no arm 'c'"]),
        ("a claim about no arm", "sweep: {seed: [1, 2]}", "sweep: {seed: [1, 2]}\narms: {a: {}, b: {}}\nreport: {claims: [{claim: x, arm: z, baseline: a, expect: higher}]}", ["report.claims.0.arm", "no arm 'z'"]),
        ("a claim on a metric not reported", "sweep: {seed: [1, 2]}", "sweep: {seed: [1, 2]}\narms: {a: {}, b: {}}\nreport: {claims: [{claim: x, arm: b, baseline: a, expect: higher, metric: recall}]}", ["report.claims.0.metric"]),
        ("a claim expecting neither", "sweep: {seed: [1, 2]}", "sweep: {seed: [1, 2]}\narms: {a: {}, b: {}}\nreport: {claims: [{claim: x, arm: b, baseline: a, expect: better}]}", ["report.claims.0.expect"]),
        ("a linear_space of no values", "sweep: {seed: [1, 2]}", "sweep: {seed: [1, 2], train.learning_rate: {linear_space: {from: 0.1, to: 1, count: 0}}}", ["sweep.train.learning_rate", "count"]),
        ("a log_space through zero", "sweep: {seed: [1, 2]}", "sweep: {seed: [1, 2], train.learning_rate: {log_space: {from: 0, to: 1, count: 3}}}", ["sweep.train.learning_rate", "positive bounds"]),
        ("a range going down", "sweep: {seed: [1, 2]}", "sweep: {seed: {range: {from: 5, to: 1}}}", ["sweep.seed", "empty range"]),
        ("stages in a circle", "sweep: {seed: [1, 2]}", "sweep: {seed: [1, 2]}\nstages: {a: {kind: glove, corpus: [austen], from: \"stage:b\"}, b: {kind: glove, corpus: [austen], from: \"stage:a\"}}\nembeddings: {vectors: \"stage:a\"}", ["in a circle"]),
        ("a stage of no kind", "sweep: {seed: [1, 2]}", "sweep: {seed: [1, 2]}\nstages: {g: {corpus: [austen]}}\nembeddings: {vectors: \"stage:g\"}", ["stages.g", "missing required key 'kind'"]),
        ("a stage corpus not installed", "sweep: {seed: [1, 2]}", "sweep: {seed: [1, 2]}\nstages: {g: {kind: glove, corpus: [austn]}}\nembeddings: {vectors: \"stage:g\"}", ["corpus", "austen"]),
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

    /// Through the command line: `validate`, `run` and `report` of each malformed spec exit non-zero within 2 s, name
    /// the location, print no backtrace, stay under 200 MB, and write nothing (no results database, no notebook).
    func testTheCommandLineRefusesEachMalformedSpecWritingNothing() throws {
        guard TlabProcess.isBuilt else { throw XCTSkip("no tlab binary: run `swift build` (or setup.sh) first") }
        let folder = try temporaryFolder("tlab-malformed-cli")
        let tlab = TlabProcess(folder: folder)
        let db = folder.appendingPathComponent("results.sqlite").path, out = folder.appendingPathComponent("notebooks").path
        for (what, from, to, fragments) in cases {
            let spec = folder.appendingPathComponent("s.yaml").path
            try Data(base.replacingOccurrences(of: from, with: to).utf8).write(to: URL(fileURLWithPath: spec))
            let data = ["--data-dir", folder.appendingPathComponent("data").path]  // nothing installed: every problem is listed all the same
            for command in [["validate", spec] + data, ["run", spec, "--db", db] + data, ["report", spec, "--db", db, "--out", out] + data] {
                let start = Date()
                let (status, output, memory) = try tlab.measured(command)
                let seconds = Date().timeIntervalSince(start)
                XCTAssertNotEqual(status, 0, "\(what), tlab \(command[0]): exit status 0\n\(output)")
                XCTAssertTrue(output.contains(fragments[0]), "\(what), tlab \(command[0]): \(output)")
                XCTAssertFalse(output.contains("Fatal error") || output.contains("Backtrace") || output.contains("Stack dump"), "\(what): \(output)")
                XCTAssertLessThan(seconds, 2, "\(what), tlab \(command[0])")
                XCTAssertLessThan(memory, 200 * 1024, "\(what), tlab \(command[0]): \(memory) KiB")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: db), "\(what): a results database was written")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(what): a notebook folder was written")
        }
    }
}
