import ArgumentParser
import Benchmarks
import Foundation
import Models
import Numerics
import Training
import Datasets

extension Tlab {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Throughput benchmarks (figures printed, never asserted).",
            subcommands: [Gemm.self, LanguageModel.self, TextClassifierBench.self, BertBench.self, GloVeBench.self, Doc2VecBench.self, SchedulerBench.self]
        )
    }
}

/// Options every benchmark shares: which BLAS core settings and thread counts to run.
struct VariantOptions: ParsableArguments {
    @Option(name: .long, parsing: .upToNextOption, help: "OpenBLAS thread counts to run.")
    var threads: [Int] = [1, 2]

    @Option(name: .long, parsing: .upToNextOption,
            help: "BLAS core settings: 'inherited' (the shell's OPENBLAS_CORETYPE), 'auto' (unset: OpenBLAS's pick, or tlab's where OpenBLAS falls back to generic kernels), or a core name.")
    var core: [String] = ["inherited", "auto"]

    @Flag(name: .long, help: .hidden)
    var inProcess = false

    /// Runs `body` here (child) or launches one child per setting (parent).
    func dispatch(_ arguments: [String], _ body: () throws -> Void) throws {
        if inProcess {
            BLAS.threads = threads.first ?? 1
            try body()
        } else {
            let ok = try VariantLauncher.run(arguments: arguments, cores: VariantLauncher.coreSettings(core), threads: threads)
            if !ok { throw ExitCode.failure }
        }
    }
}

extension Tlab.Bench {
    struct Gemm: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "SGEMM GFLOP/s: our matmul path vs raw cblas_sgemm.")
        @OptionGroup var variants: VariantOptions

        func run() throws {
            try variants.dispatch(["bench", "gemm"]) {
                print("# \(BLAS.summary)")
                print("case                              ours GFLOP/s (median/min/max)        raw cblas GFLOP/s")
                for c in GemmBenchmark.cases {
                    let r = GemmBenchmark.run(c)
                    print(c.name.padding(toLength: 32, withPad: " ", startingAt: 0) + String(format: "  %7.1f / %6.1f / %6.1f          %7.1f / %6.1f / %6.1f",
                                 r.ours.median, r.ours.min, r.ours.max, r.raw.median, r.raw.min, r.raw.max))
                }
            }
        }
    }

    struct LanguageModel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lstm-lm",
            abstract: "Training tokens/s of the reference LSTM LM (V 20k, E 256, 2×LSTM 512, BPTT 70, batch 32, Adam).")
        @OptionGroup var variants: VariantOptions
        @Option(help: "Timed steps per run (PyTorch's script uses 20).") var steps = 20
        @Option(help: "Timed runs (median reported).") var runs = 3

        func run() throws {
            try variants.dispatch(["bench", "lstm-lm", "--steps", String(steps), "--runs", String(runs)]) {
                let result = try LanguageModelBenchmark.run(steps: steps, runs: runs)
                let threads = BLAS.threads
                let torch = PeerFigures.torchLanguageModel[threads]
                var line = "lstm-lm core=\(BLAS.coreName) (\(BLAS.coreSetting)) threads=\(threads) "
                line += "params=\(result.parameters) tokens/s \(result.tokensPerSecond)"
                if let torch { line += PeerFigures.quote("PyTorch 2.15 CPU", String(format: "%.0f tokens/s", torch)) }
                print(line)
            }
        }
    }
}

extension Tlab.Bench {
    struct GloVeBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "glove",
            abstract: "Seconds per GloVe stage on installed corpora (vector 50, window 15, 5 iterations, Stanford GloVe's settings; docs/benchmarks.md).")
        @Option(parsing: .upToNextOption, help: "Installed corpus ids.") var corpus: [String] = genericCorpus
        @Option(help: "A plain-text corpus file instead (one document per line), e.g. the peers' corpus (docs/benchmarks.md).") var corpusFile: String?
        @Option(parsing: .upToNextOption, help: "Thread counts.") var threads: [Int] = [1, 2]
        @Option(help: "Training iterations.") var iterations = 5
        @OptionGroup var location: DataLocation

        func run() throws {
            let documents = try corpusFile.map { try UserFiles.corpus(path: $0) } ?? corpus.flatMap { try location.store.documents($0) }
            print("# corpus \(corpusFile ?? corpus.joined(separator: " + ")); \(BLAS.summary)")
            for count in threads {
                var config = GloVeConfig()
                config.iterations = iterations
                config.threads = count
                let result = GloVePipeline(config: config, log: { _ in }).run(documents: documents)
                let t = result.timings
                print(String(format: "threads=%d  tokens %d  co-occurrences %d  tokenize %.2f s  vocabulary %.2f s  cooccur %.2f s  train %.2f s (%.2f s/iteration)",
                             count, result.tokens, result.cooccurrences, t.tokenize, t.vocabulary, t.cooccur, t.train, t.train / Double(iterations)))
                if let stanford = PeerFigures.stanfordGloVe.train[count] {
                    let s = PeerFigures.stanfordGloVe
                    print("          " + PeerFigures.quote("Stanford GloVe on the peers' 2.0M-token corpus", String(
                        format: "vocab %.2f s  cooccur %.2f s  shuffle %.2f s  train %.1f s", s.vocabCount, s.cooccur, s.shuffle, stanford)))
                }
            }
        }
    }
}

extension Tlab.Bench {
    struct TextClassifierBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "textclf",
            abstract: "Examples/s of a BiLSTM-max classifier, embedding frozen vs trained (the textclf workloads of docs/benchmarks.md).")
        @OptionGroup var variants: VariantOptions
        @Option(help: "Timed steps per run (PyTorch's script uses 50).") var steps = 50

        func run() throws {
            try variants.dispatch(["bench", "textclf", "--steps", String(steps)]) {
                for trainable in [false, true] {
                    let result = try TextClassifierBenchmark.run(trainableEmbedding: trainable, steps: steps)
                    var line = "textclf_\(trainable ? "trainable" : "frozen") core=\(BLAS.coreName) (\(BLAS.coreSetting)) threads=\(BLAS.threads) examples/s \(result)"
                    if let torch = PeerFigures.torchTextClassifier[trainable]?[BLAS.threads] {
                        line += PeerFigures.quote("PyTorch 2.15 CPU", String(format: "%.0f examples/s", torch))
                    }
                    print(line)
                }
            }
        }
    }
}
