import ArgumentParser
import Datasets
import Experiments
import Foundation
import Reports
import Specs
import Tracking

extension Tlab {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write notebooks-md/<experiment>.md (tables, tests, paper figures, SVG plots) and its CSV/JSON exports.")
        @OptionGroup var arguments: SpecArguments
        @OptionGroup var results: ResultsLocation
        @Option(help: "Notebook folder.") var out = "notebooks-md"
        @Flag(help: "Replace an existing notebook even when the database holds no run of the spec.") var allowEmpty = false

        func run() throws {
            // A spec `validate` refuses writes nothing.
            let (spec, expanded) = try arguments.plan()
            let store = try results.openReadingOnly()
            let staged = try Planning.staged(expanded, spec: spec, store: store)
            // Before this command rewrites its own (tracked) outputs.
            let revision = Provenance.revision(specDirectory: URL(fileURLWithPath: arguments.spec).deletingLastPathComponent().path)
            let data = arguments.location.store
            let dataLines = (spec.tree.node(at: ["data", "datasets"])?.sequence ?? []).compactMap { node -> String? in
                guard let id = node.scalar ?? node["id"]?.scalar else { return node["file"]?.scalar.map { "user file `\($0)`" } }
                return data.summaryLine(of: id)
            }
            let command = (["tlab", "report", arguments.spec] + arguments.overrides + (arguments.profile.map { ["--profile", $0] } ?? [])).joined(separator: " ")
            let written = try NotebookWriter.write(spec: spec, planned: staged.runs, waiting: staged.waiting, store: store,
                                                   folder: URL(fileURLWithPath: out), command: command, revision: revision, dataLines: dataLines,
                                                   replacingWithoutRuns: allowEmpty, comparedRecipe: try EarlierRecipe.named(by: spec))
            print("wrote \(written.notebook.path) (\(written.runs) runs, \(written.plots) plots, exports \(written.exports.joined(separator: ", ")))")
        }
    }

    struct ExportCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write an experiment's runs as CSV or JSON, or its ended runs as a run archive for `tlab import` (jsonl).",
            discussion: """
                jsonl: a header line, then one line per ended run with its resolved configuration, hash, environment, \
                result, per-epoch metrics and events — everything another database needs to hold the run as if it \
                had run there. Commit it as results/<experiment>.runs.jsonl; the database itself is not committed.
                """)
        @Argument(help: "Experiment id.") var experiment: String
        @OptionGroup var results: ResultsLocation
        @Option(help: "csv, json, or jsonl (the run archive).") var format: ExportFormat = .csv
        @Option(help: "Output file (default: standard output).") var output: String?
        @Option(parsing: .upToNextOption,
                help: "With --format jsonl --output FILE: also write these stages' artifacts (e.g. pretrain) as checked bundles in artifact-bundles/ beside FILE, which `tlab import FILE` uses instead of making the stages again.")
        var artifacts: [String] = []
        @Option(help: ArgumentHelp("With --format jsonl --output FILE: also write the per-epoch state of each run stopped mid-way with at least this many minutes of training as a checked bundle in resume-bundles/ beside FILE, from which the run resumes where `tlab import FILE` is run (and remove the bundles of runs that have ended); with --artifacts, only runs that need no other stages' artifacts than those.",
                                   valueName: "minutes"))
        var resume: Double?
        @Option(help: ArgumentHelp("With --resume: leave out a run's state larger than this many MB (a submission adds at most 50 MB of binary files; a fine-tuned encoder's weights, moments and best weights are hundreds), which then resumes only where its state folder is.", valueName: "MB"))
        var resumeMaxMb: Double = 45

        func validate() throws {
            if !artifacts.isEmpty && (format != .jsonl || output == nil) { throw ValidationError("--artifacts goes with --format jsonl and --output FILE") }
            if resume != nil && (format != .jsonl || output == nil) { throw ValidationError("--resume goes with --format jsonl and --output FILE") }
            if let resume, !(resume >= 0) { throw ValidationError("--resume is a number of minutes (0 or more), not \(resume)") }
            if !(resumeMaxMb > 0) { throw ValidationError("--resume-max-mb is a number of MB above 0, not \(resumeMaxMb)") }
        }

        func run() throws {
            let store = try results.openReadingOnly()
            let data: Data
            switch format {
            case .jsonl: data = try store.archive(experiment: experiment)
            case .json: data = try Export.json(store.runs(experiment: experiment))
            case .csv: data = Data(Export.csv(try store.runs(experiment: experiment)).utf8)
            }
            guard let output else { FileHandle.standardOutput.write(data); return }
            try data.write(to: URL(fileURLWithPath: output), options: .atomic)
            let beside = URL(fileURLWithPath: output).deletingLastPathComponent()  // the bundles' folders sit beside the archive
            if !artifacts.isEmpty {
                let folder = beside.appendingPathComponent(ArtifactBundle.folderName)
                let written = try store.writeArtifactBundles(experiment: experiment, stages: artifacts, to: folder)
                print("artifact bundles in \(folder.path): " + (written.isEmpty ? "none new" : written.map { String($0.prefix(12)) }.joined(separator: ", ") + " written"))
            }
            if let resume {
                let folder = beside.appendingPathComponent(ResumeBundle.folderName)
                let (written, removed, tooLarge) = try store.writeResumeBundles(experiment: experiment, to: folder, minimumSeconds: resume * 60,
                                                                             maximumBytes: Int(resumeMaxMb * 1_000_000),
                                                                             stages: artifacts.isEmpty ? nil : artifacts)
                let names = { (keys: [String]) in keys.map { String($0.prefix(12)) }.joined(separator: ", ") }
                print("resume bundles in \(folder.path): " + (written.isEmpty ? "none new" : names(written) + " written")
                      + (removed.isEmpty ? "" : "; " + names(removed) + " removed (their runs have ended)")
                      + (tooLarge.isEmpty ? "" : "; " + tooLarge.map { String(format: "%@ (%.0f MB)", String($0.key.prefix(12)), Double($0.bytes) / 1e6) }
                         .joined(separator: ", ") + " left out, larger than --resume-max-mb: they resume only from this machine's state"))
            }
        }
    }

    struct ImportCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Read run archives (`tlab export --format jsonl`) into the results database; their configurations are not run again.",
            discussion: """
                All of an archive or, on a malformed line (named with its file and line), none of it. Runs already \
                ended or running here are left as they are; a queued run of the same configuration is replaced. \
                Stage runs come as records. Where an artifact bundle of a stage run sits in artifact-bundles/<key>/ beside the \
                archive (`tlab export --artifacts STAGE`), its files are checked against their SHA-256 and it becomes \
                the stage's artifact here; other stages are made again by `tlab run` where a run that has not ended \
                still needs them. Where the state of a run stopped mid-way sits in resume-bundles/<hash>/ beside the \
                archive (`tlab export --resume MINUTES`), it is checked too and the run resumes from it here, if the stage \
                artifacts it needs here are the instances it trained from.
                """)
        @Argument(help: "Run archives (.jsonl).") var files: [String]
        @OptionGroup var results: ResultsLocation
        @Option(help: "Folder of artifact bundles (default: artifact-bundles/ beside each archive, if there).") var artifacts: String?

        func run() throws {
            let store = try results.open()
            for file in files {
                let data: Data
                do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                    throw ValidationError("cannot read run archive \(file): \(error.localizedDescription)")
                }
                let beside = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(ArtifactBundle.folderName)
                let bundles = artifacts.map { URL(fileURLWithPath: $0) } ?? (FileManager.default.fileExists(atPath: beside.path) ? beside : nil)
                let s = try store.importArchive(data, source: file, artifacts: bundles)
                print("\(file): imported \(s.imported) runs into \(results.path) (\(s.stages) of them stage runs; \(s.artifacts) of their artifacts "
                      + "from checked bundles, the others `tlab run` makes again where a run still needs them); "
                      + "\(s.alreadyRecorded) already recorded there, \(s.running) running there"
                      + (s.queuedAgain > 0 ? "; \(s.queuedAgain) ended there queued again, as in the archive (their results kept as earlier ones)" : ""))
                let resumes = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(ResumeBundle.folderName)
                if FileManager.default.fileExists(atPath: resumes.path) {
                    let r = try store.importResumeBundles(from: resumes)
                    if !r.placed.isEmpty || !r.skipped.isEmpty {
                        print("\(resumes.path): \(r.placed.count) runs resume from their carried state (\(r.placed.map { String($0.prefix(12)) }.joined(separator: ", ")))"
                              + r.skipped.map { "; \($0.key.prefix(12)) left alone: \($0.reason)" }.joined())
                    }
                }
            }
        }
    }
}
