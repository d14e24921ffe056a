import ArgumentParser
import Numerics
import Training

extension Tlab {
    /// The embedded default job (`Training.LanguageModelDemo`) on a public-domain passage bundled with the tool.
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Train a small LSTM LM on a bundled passage; print a falling loss.")

        @Option(help: "Training epochs.") var epochs = 20
        @Option(help: "Random seed.") var seed: UInt64 = 1
        @Option(help: "OpenBLAS threads (1 gives bit-reproducible runs).") var threads = 1

        func run() throws {
            BLAS.threads = threads
            print("# \(BLAS.summary)")
            try LanguageModelDemo.run(text: EmbeddedCorpus.austenOpening, epochs: epochs, seed: seed) { print($0) }
        }
    }
}
