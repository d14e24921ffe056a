import Foundation
import TestSupport
import Specs
import XCTest

final class SpecTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try temporaryFolder("tlab-specs")
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    let valid = """
    experiment: {id: demo, description: a test}
    data:
      datasets: [mr-sentences, bbc-news]
      split: {seed: 1, valid: 0.1, test: 0.1}
    model: {kind: kim-cnn, windows: [3, 4, 5], maps: 100}
    train:
      batch_size: 50
      learning_rate: 1.0
      groups:
        embedding: {patterns: ["embedding.*"]}
        rest: {patterns: ["*"]}
      phases: [{epochs: 10}]
    arms:
      static: {train: {phases: [{epochs: 10, frozen: [embedding]}]}}
      non-static: {}
    sweep:
      seed: [1, 2, 3]
      train.learning_rate: {log_space: {from: 0.01, to: 1, count: 3}}
    profiles:
      quick: {data: {datasets: [mr-sentences]}, sweep: {seed: [1]}}
    """

    func assertSpecError(_ path: String, profile: String? = nil, overrides: [String] = [], contains parts: [String],
                         file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SpecLoader.load(path, profile: profile, overrides: overrides), file: file, line: line) { error in
            let message = "\(error)"
            for part in parts { XCTAssertTrue(message.contains(part), "'\(message)' lacks '\(part)'", file: file, line: line) }
        }
    }

    func testExpansionCountsHashesAndResolvedValues() throws {
        let spec = try SpecLoader.load(try write("s.yaml", valid))
        let runs = try Expansion.runs(spec)
        XCTAssertEqual(runs.count, 2 * 2 * 3 * 3, "arms × datasets × learning rates × seeds")
        XCTAssertEqual(Set(runs.map(\.hash)).count, runs.count, "distinct configurations, distinct hashes")
        let again = try Expansion.runs(try SpecLoader.load(try write("s2.yaml", valid)))
        XCTAssertEqual(runs.map(\.hash), again.map(\.hash), "hashes are stable across loads and files")
        let run = runs.first { $0.arm == "static" && $0.dataset == "bbc-news" && $0.seed == 2 && $0.sweep["train.learning_rate"] == "0.1" }!
        XCTAssertEqual(run.config.node(at: ["train", "phases", "0", "frozen", "0"])?.scalar, "embedding")
        XCTAssertEqual(run.config.node(at: ["train", "learning_rate"])?.scalar, "0.1")
        XCTAssertEqual(run.config.node(at: ["data", "datasets"])?.sequence?.count, 1)
        XCTAssertNil(run.config["arms"], "experiment-level keys are not part of a run's config")
        XCTAssertEqual(run.config.node(at: ["run", "seed"])?.scalar, "2")
        XCTAssertEqual(runs.filter { $0.arm == "non-static" }.first?.config.node(at: ["train", "phases", "0", "frozen"]), nil)
    }

    func testProfilesOverridesAndExtends() throws {
        let path = try write("s.yaml", valid)
        let quick = try Expansion.runs(try SpecLoader.load(path, profile: "quick"))
        XCTAssertEqual(quick.count, 2 * 1 * 3 * 1)
        let overridden = try SpecLoader.load(path, profile: "quick", overrides: ["train.batch_size=25", "sweep.seed=[7, 8]"])
        XCTAssertEqual(overridden.tree.node(at: ["train", "batch_size"])?.scalar, "25")
        XCTAssertEqual(Set(try Expansion.runs(overridden).map(\.seed)), [7, 8])

        _ = try write("base.yaml", valid)
        let child = try write("child.yaml", "extends: base.yaml\nexperiment: {id: child}\ntrain: {batch_size: 10}\n")
        let extended = try SpecLoader.load(child)
        XCTAssertEqual(extended.id, "child")
        XCTAssertEqual(extended.tree.node(at: ["train", "batch_size"])?.scalar, "10")
        XCTAssertEqual(extended.tree.node(at: ["train", "learning_rate"])?.scalar, "1.0", "inherited from the base")
        XCTAssertEqual(extended.tree.node(at: ["experiment", "description"])?.scalar, "a test")
    }

    func testEveryErrorNamesFileLineAndField() throws {
        let unknown = try write("unknown.yaml", valid.replacingOccurrences(of: "  batch_size: 50", with: "  bach_size: 50"))
        assertSpecError(unknown, contains: ["unknown.yaml:7", "train.bach_size", "unknown key 'bach_size'", "did you mean 'batch_size'"])
        let empty = try write("empty.yaml", valid.replacingOccurrences(of: "seed: [1, 2, 3]", with: "seed: []"))
        assertSpecError(empty, contains: ["empty.yaml:17", "sweep.seed"])
        let missing = try write("missing.yaml", "experiment: {id: x}\ndata: {datasets: [mr-sentences]}\n")
        assertSpecError(missing, contains: ["missing.yaml:1", "missing required key 'model'"])
        let armError = try write("arm.yaml", valid.replacingOccurrences(of: "non-static: {}", with: "non-static: {train: {epochz: 3}}"))
        assertSpecError(armError, contains: ["arm.yaml:15", "arms.non-static.train.epochz", "did you mean 'epochs'"])
        let yaml = try write("syntax.yaml", "experiment: {id: [unclosed\n")
        assertSpecError(yaml, contains: ["syntax.yaml", "YAML syntax"])
        assertSpecError(try write("p.yaml", valid), profile: "full", contains: ["no profile 'full'", "quick"])
        assertSpecError(try write("o.yaml", valid), overrides: ["train.bath_size=3"], contains: ["command line", "no such field", "train.batch_size"])
        // Gradient clipping: a number, or `none` (no global clipping, as when each group clips its own).
        XCTAssertNoThrow(try SpecLoader.load(try write("clip.yaml", valid), overrides: ["train.clip_norm=none"]))
        assertSpecError(try write("clip2.yaml", valid), overrides: ["train.clip_norm=lots"], contains: ["train.clip_norm", "expected a number or one of none"])
        _ = try write("a.yaml", "extends: b.yaml\n")
        assertSpecError(try write("b.yaml", "extends: a.yaml\n"), contains: ["circular extends"])
        let sweepField = try write("sw.yaml", valid.replacingOccurrences(of: "train.learning_rate: {log_space", with: "train.learnin_rate: {log_space"))
        XCTAssertThrowsError(try Expansion.runs(try SpecLoader.load(sweepField))) {
            XCTAssertTrue("\($0)".contains("sweep.train.learnin_rate: sweeps a field that does not exist"), "\($0)")
        }
    }

    func testGeneratorsAndCanonicalJSON() throws {
        let spec = try SpecLoader.load(try write("g.yaml", valid.replacingOccurrences(
            of: "train.learning_rate: {log_space: {from: 0.01, to: 1, count: 3}}", with: "train.batch_size: {range: {from: 2, to: 4}}")))
        XCTAssertEqual(Set(try Expansion.runs(spec).compactMap { $0.sweep["train.batch_size"] }), ["2", "3", "4"])
        let a = try ConfigNode.parse(yaml: "b: 1\na: [x, 'y', 2.5, true]\n", file: "a")
        let b = try ConfigNode.parse(yaml: "a: [x, y, 2.5, true]\nb: 1\n", file: "b")
        XCTAssertEqual(a.canonicalJSON, b.canonicalJSON, "key order and quoting of strings do not change the canonical form")
        XCTAssertEqual(String(decoding: a.canonicalJSON, as: UTF8.self), #"{"a":["x","y",2.5,true],"b":1}"#)
    }

    /// Stages: one per distinct stage configuration, keyed by that configuration (not by the run or
    /// the stage's name); runs name the keys of the artifacts they use; chains and errors.
    func testStagesAreKeyedByTheirConfigurationAndResolvedPerRun() throws {
        let spec = try SpecLoader.load(try write("st.yaml", """
        experiment: {id: staged}
        data: {datasets: [mr-sentences, bbc-news]}
        stages:
          vectors: {kind: glove, corpus: [austen], iterations: 5}
          tuned: {kind: trivial, inputs: run-data, uses: "stage:vectors"}
        model: {kind: kim-cnn}
        embeddings: {vectors: "stage:tuned"}
        arms: {plain: {embeddings: {vectors: glove-6b-50d}}, staged: {}}
        sweep: {seed: [1, 2], stages.vectors.iterations: [5, 10]}
        """))
        let runs = try Expansion.runs(spec)
        XCTAssertEqual(runs.count, 2 * 2 * 2 * 2)
        XCTAssertTrue(runs.filter { $0.arm == "plain" }.allSatisfy { $0.stages.isEmpty && $0.config.node(at: ["run", "artifacts"]) == nil },
                      "a run that names no stage needs none")
        let staged = runs.filter { $0.arm == "staged" }
        XCTAssertTrue(staged.allSatisfy { $0.stages.map(\.name) == ["vectors", "tuned"] }, "dependencies first")
        // The GloVe stage depends only on its own configuration: one per iterations value.
        XCTAssertEqual(Set(staged.map { $0.stages[0].key }).count, 2)
        // The run-data stage depends on the dataset too (not on the seed): datasets × iterations.
        XCTAssertEqual(Set(staged.map { $0.stages[1].key }).count, 4)
        let run = staged[0]
        XCTAssertEqual(run.stages[1].needs, [run.stages[0].key])
        XCTAssertEqual(run.stages[1].config.node(at: ["run", "dataset"])?.scalar, run.dataset)
        XCTAssertEqual(run.config.node(at: ["run", "artifacts", "tuned"])?.scalar, run.stages[1].key)
        // Renaming a stage leaves its key alone: the artifact is the configuration's, not the name's.
        let renamed = try Expansion.runs(try SpecLoader.load(try write("st2.yaml", """
        experiment: {id: other}
        data: {datasets: [mr-sentences]}
        stages: {glove-on-austen: {kind: glove, corpus: [austen], iterations: 5}}
        model: {kind: kim-cnn}
        embeddings: {vectors: "stage:glove-on-austen"}
        """)))
        XCTAssertTrue(staged.contains { $0.stages[0].key == renamed[0].stages[0].key })

        let undefined = try write("bad1.yaml", """
        experiment: {id: x}
        data: {datasets: [mr-sentences]}
        stages: {vectors: {kind: glove, corpus: [austen]}}
        model: {kind: kim-cnn}
        embeddings: {vectors: "stage:vector"}
        """)
        XCTAssertThrowsError(try Expansion.runs(try SpecLoader.load(undefined))) { error in
            XCTAssertTrue("\(error)".contains("bad1.yaml:5:"), "\(error)")
            XCTAssertTrue("\(error)".contains("refers to stage 'vector', which is not defined; did you mean 'vectors'?"), "\(error)")
        }
        let circle = try write("bad2.yaml", """
        experiment: {id: x}
        data: {datasets: [mr-sentences]}
        stages: {a: {kind: trivial, uses: "stage:b"}, b: {kind: trivial, uses: "stage:a"}}
        model: {kind: kim-cnn}
        embeddings: {vectors: "stage:a"}
        """)
        XCTAssertThrowsError(try Expansion.runs(try SpecLoader.load(circle))) { error in
            XCTAssertTrue("\(error)".contains("in a circle: a → b → a"), "\(error)")
        }
    }

    /// An arm's own `sweep` adds axes for that arm only, and may replace a spec-wide axis's values.
    func testArmLevelSweeps() throws {
        let runs = try Expansion.runs(try SpecLoader.load(try write("arm-sweep.yaml", """
        experiment: {id: x}
        data: {datasets: [bbc-news]}
        model: {kind: kim-cnn}
        arms:
          plain: {}
          tuned: {sweep: {train.learning_rate: [0.1, 0.01], train.batch_size: [10, 20]}}
          fewer-seeds: {sweep: {seed: [1]}}
        sweep: {seed: [1, 2, 3]}
        """)))
        XCTAssertEqual(runs.filter { $0.arm == "plain" }.count, 3)
        XCTAssertEqual(runs.filter { $0.arm == "tuned" }.count, 3 * 2 * 2)
        XCTAssertEqual(runs.filter { $0.arm == "fewer-seeds" }.map(\.seed), [1])
        XCTAssertTrue(runs.allSatisfy { $0.config["sweep"] == nil }, "an arm's sweep is not part of a run's configuration")
        XCTAssertEqual(Set(runs.filter { $0.arm == "tuned" }.map { $0.sweep["train.batch_size"]! }), ["10", "20"])
    }

    /// A dataset entry's own `training_sizes` replace the arm's for that dataset (an arm too costly at some sizes of one
    /// dataset); they are no part of its runs' configurations, so those read as a plain entry's; baselines follow them.
    func testADatasetsOwnTrainingSizes() throws {
        let runs = try Expansion.runs(try SpecLoader.load(try write("dataset-sizes.yaml", """
        experiment: {id: x}
        data: {datasets: [mr-sentences, bbc-news], training_sizes: [100, 1000]}
        model: {kind: kim-cnn}
        arms:
          cheap: {}
          costly: {data: {datasets: [mr-sentences, {id: bbc-news, training_sizes: [100]}]}}
        baselines: {tfidf-lr: {}}
        sweep: {seed: [1]}
        """)))
        func sizes(_ arm: String, _ dataset: String) -> [String] { runs.filter { $0.arm == arm && $0.dataset == dataset }.compactMap(\.trainingSize) }
        XCTAssertEqual(sizes("cheap", "bbc-news"), ["100", "1000"])
        XCTAssertEqual(sizes("costly", "mr-sentences"), ["100", "1000"])
        XCTAssertEqual(sizes("costly", "bbc-news"), ["100"])
        XCTAssertEqual(sizes("tfidf-lr", "bbc-news"), ["100", "1000"], "baselines run at every size an arm has")
        let costly = try XCTUnwrap(runs.first { $0.arm == "costly" && $0.dataset == "bbc-news" })
        XCTAssertEqual(costly.config.node(at: ["data", "datasets"])?.sequence?.first?.scalar, "bbc-news")
        XCTAssertThrowsError(try SpecLoader.load(try write("bad-sizes.yaml", """
        experiment: {id: x}
        data: {datasets: [{id: bbc-news, training_sizes: [some]}]}
        model: {kind: kim-cnn}
        """))) { error in XCTAssertTrue("\(error)".contains("data.datasets.0"), "\(error)") }
    }

    /// An arm's `~` removes a default it does not want (an arm of another model kind); without it the default stays.
    func testArmNullRemovesADefault() throws {
        let runs = try Expansion.runs(try SpecLoader.load(try write("arm-null.yaml", """
        experiment: {id: x}
        data: {datasets: [bbc-news]}
        model: {kind: ulmfit, from: x, dropout: 0.1}
        train: {epochs: 3, batch_size: 32}
        arms:
          kept: {}
          probe: {model: {kind: lm-probe, dropout: ~, missing: ~}, train: {epochs: ~}}
        """)))
        let kept = try XCTUnwrap(runs.first { $0.arm == "kept" }?.config["model"])
        let probe = try XCTUnwrap(runs.first { $0.arm == "probe" }?.config["model"])
        XCTAssertEqual(kept["dropout"]?.scalar, "0.1")
        XCTAssertNil(probe["dropout"])
        XCTAssertNil(probe["missing"], "a null for an absent key adds nothing")
        XCTAssertEqual(probe["kind"]?.scalar, "lm-probe")
        XCTAssertEqual(probe["from"]?.scalar, "x")
        let run = try XCTUnwrap(runs.first { $0.arm == "probe" })
        XCTAssertNil(run.config["train"]?["epochs"], "a typed field may be removed too")
        XCTAssertEqual(run.config["train"]?["batch_size"]?.scalar, "32")
    }

    /// An arm may narrow the data (ablations on the full training set only); a run's configuration
    /// carries its own size, not the list, so equal runs of different arms' lists hash alike.
    func testArmLevelTrainingSizes() throws {
        let runs = try Expansion.runs(try SpecLoader.load(try write("arm-sizes.yaml", """
        experiment: {id: x}
        data: {datasets: [bbc-news, mr-sentences], training_sizes: [100, 300, all]}
        model: {kind: kim-cnn}
        arms:
          main: {}
          ablation: {data: {datasets: [bbc-news], training_sizes: [all]}}
        sweep: {seed: [1, 2]}
        """)))
        XCTAssertEqual(runs.filter { $0.arm == "main" }.count, 2 * 3 * 2)
        let ablation = runs.filter { $0.arm == "ablation" }
        XCTAssertEqual(ablation.map(\.trainingSize), ["all", "all"])
        XCTAssertEqual(Set(ablation.map(\.dataset)), ["bbc-news"])
        XCTAssertTrue(runs.allSatisfy { $0.config.node(at: ["data", "training_sizes"]) == nil })
        XCTAssertEqual(runs.first { $0.arm == "main" && $0.trainingSize == "300" }?.config.node(at: ["run", "training_size"])?.scalar, "300")
    }

    /// An arm's data narrows the experiment's and never widens it: a dataset or size the experiment lacks is refused at
    /// the arm's line, an inherited arm too, until the extending spec removes it (`arm: ~`) or narrows it again.
    func testAnArmCannotWidenTheData() throws {
        func refused(_ arm: String, _ path: String, _ line: Int, file: StaticString = #filePath, lineNumber: UInt = #line) throws {
            let url = try write("widen.yaml", """
            experiment: {id: x}
            data: {datasets: [bbc-news, mr-sentences], training_sizes: [100, all]}
            model: {kind: kim-cnn}
            arms:
              main: {}
              wide: \(arm)
            """)
            XCTAssertThrowsError(try Expansion.runs(try SpecLoader.load(url)), file: file, line: lineNumber) { error in
                XCTAssertTrue("\(error)".contains("widen.yaml:\(line):"), "\(error)", file: file, line: lineNumber)
                XCTAssertTrue("\(error)".contains("arms.wide.data.\(path): names"), "\(error)", file: file, line: lineNumber)
            }
        }
        try refused("{data: {datasets: [bbc-news, tweets-sentiment]}}", "datasets", 6)
        try refused("{data: {training_sizes: [100, 300]}}", "training_sizes", 6)
        try refused("{data: {datasets: [{id: bbc-news, training_sizes: [1000]}]}}", "datasets.bbc-news.training_sizes", 6)

        _ = try write("parent.yaml", """
        experiment: {id: parent}
        data: {datasets: [bbc-news, mr-sentences], training_sizes: [100, all]}
        model: {kind: kim-cnn}
        arms:
          main: {}
          ablation: {data: {datasets: [bbc-news], training_sizes: [all]}}
        """)
        let child = try write("child.yaml", """
        extends: parent.yaml
        experiment: {id: child}
        data: {datasets: [mr-sentences]}
        """)
        XCTAssertThrowsError(try Expansion.runs(try SpecLoader.load(child))) { error in
            XCTAssertTrue("\(error)".contains("parent.yaml:6:"), "the inherited arm's own line: \(error)")
            XCTAssertTrue("\(error)".contains("names bbc-news"), "\(error)")
        }
        let removed = try Expansion.runs(try SpecLoader.load(try write("child-removes.yaml", """
        extends: parent.yaml
        experiment: {id: child}
        data: {datasets: [mr-sentences]}
        arms: {ablation: ~}
        """)))
        XCTAssertEqual(Set(removed.map(\.arm)), ["main"])
        XCTAssertEqual(Set(removed.map(\.dataset)), ["mr-sentences"])
        let narrowed = try Expansion.runs(try SpecLoader.load(try write("child-narrows.yaml", """
        extends: parent.yaml
        experiment: {id: child}
        data: {datasets: [mr-sentences]}
        arms: {ablation: {data: {datasets: [mr-sentences]}}}
        """)))
        XCTAssertEqual(narrowed.filter { $0.arm == "ablation" }.map { "\($0.dataset) \($0.trainingSize ?? "-")" }, ["mr-sentences all"])
    }

    /// `at_training_size` gives the runs at one size fields of their own (more steps for small sets), the spec's under
    /// the arm's and both under the sweep's values; runs at other sizes are planned, and hash, as without it.
    func testFieldsAtOneTrainingSize() throws {
        func spec(main: String = "{}") -> String {
            """
            experiment: {id: x}
            data: {datasets: [mr-sentences], training_sizes: [100, 1000]}
            model: {kind: kim-cnn}
            train: {epochs: 10, batch_size: 32}
            arms:
              main: \(main)
              other: {train: {batch_size: 16}}
            sweep: {seed: [1], train.learning_rate: [0.1, 1.0]}
            """
        }
        let plain = spec()
        let before = try Expansion.runs(try SpecLoader.load(try write("plain.yaml", plain)))
        let runs = try Expansion.runs(try SpecLoader.load(try write("at-size.yaml", spec(main: "{at_training_size: {100: {train: {epochs: 20}}}}") + """

        at_training_size: {100: {train: {min_steps: 320, learning_rate: 5.0, batch_size: 8}}}
        """)))
        XCTAssertEqual(runs.count, before.count)
        func run(_ arm: String, _ size: String, _ lr: String, in list: [PlannedRun]) throws -> PlannedRun {
            try XCTUnwrap(list.first { $0.arm == arm && $0.trainingSize == size && $0.sweep["train.learning_rate"] == lr })
        }
        for arm in ["main", "other"] { for lr in ["0.1", "1.0"] {
            XCTAssertEqual(try run(arm, "1000", lr, in: runs).hash, try run(arm, "1000", lr, in: before).hash, "a run at another size is unchanged")
            XCTAssertNotEqual(try run(arm, "100", lr, in: runs).hash, try run(arm, "100", lr, in: before).hash)
        } }
        let main = try run("main", "100", "0.1", in: runs).config["train"]
        XCTAssertEqual(main?["min_steps"]?.scalar, "320")
        XCTAssertEqual(main?["epochs"]?.scalar, "20", "the arm's fields at the size over the spec's")
        XCTAssertEqual(main?["learning_rate"]?.scalar, "0.1", "the sweep's value over the size's")
        XCTAssertEqual(main?["batch_size"]?.scalar, "8")
        let other = try run("other", "100", "1.0", in: runs).config["train"]
        XCTAssertEqual(other?["epochs"]?.scalar, "10")
        XCTAssertEqual(other?["batch_size"]?.scalar, "8", "the size's fields over the arm's own")
        XCTAssertNil(runs.first { $0.config["at_training_size"] != nil }, "no run carries the table itself")

        for (yaml, path, message) in [
            ("at_training_size: {300: {train: {epochs: 2}}}", "at_training_size.300", "no run is at training size '300' (the spec's sizes: 100, 1000)"),
            ("at_training_size: {100: {train: {epoks: 2}}}", "at_training_size.100.train.epoks", "did you mean 'epochs'"),
            ("at_training_size: {100: {sweep: {seed: [2]}}}", "at_training_size.100.sweep", "plans runs"),
            ("at_training_size: {100: {data: {training_sizes: [50]}}}", "at_training_size.100.data.training_sizes", "cannot change the sizes"),
        ] {
            XCTAssertThrowsError(try SpecLoader.load(try write("bad-at-size.yaml", plain + "\n" + yaml)), yaml) { error in
                XCTAssertTrue("\(error)".contains(path) && "\(error)".contains(message), "\(error)")
                XCTAssertTrue("\(error)".contains("bad-at-size.yaml:"), "names the file and line: \(error)")
            }
        }
    }
}
