import ArgumentParser
import Datasets
import Foundation
import Models
import Numerics
import Training

extension Tlab {
    struct GloVe: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "glove",
            abstract: "Train GloVe vectors on installed corpora and evaluate word vectors.",
            subcommands: [Train.self, Evaluate.self]
        )
    }
}

/// The generic corpus of ../shared/DATA.md.
let genericCorpus = ["wiki-excerpt", "austen", "moby-dick", "oanc", "lee-news"]

struct GloVeOptions: ParsableArguments {
    @Option(parsing: .upToNextOption, help: "Installed corpus ids.") var corpus: [String] = genericCorpus
    @Option(help: "Vector dimension.") var dimension = 50
    @Option(help: "Symmetric window.") var window = 15
    @Option(help: "Training passes.") var iterations = 15
    @Option(help: "Minimum word count.") var minCount = 5
    @Option(help: "AdaGrad initial learning rate.") var learningRate: Float = 0.05
    @Option(help: "Weighting cutoff x_max of f(x) = min(1, (x/x_max)^α) (paper: 100; Stanford's demo script: 10).") var xMax: Float = 100
    @Option(help: "Threads (1: bit-reproducible).") var threads = 1
    @Option(help: "Random seed.") var seed: UInt64 = 1

    var config: GloVeConfig {
        var c = GloVeConfig()
        c.dimension = dimension; c.window = window; c.iterations = iterations; c.minCount = minCount
        c.learningRate = learningRate; c.xMax = xMax; c.threads = threads; c.seed = seed
        return c
    }

    func documents(_ store: DataStore) throws -> [String] { try corpus.flatMap { try store.documents($0) } }
}

extension Tlab.GloVe {
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Train GloVe (Pennington et al. 2014) and evaluate it.")
        @OptionGroup var options: GloVeOptions
        @OptionGroup var location: DataLocation
        @Option(help: "Folder to write the vectors to (words.txt + vectors.f32).") var out: String?

        func run() throws {
            let store = location.store
            print("GloVe on \(options.corpus.joined(separator: " + "))")
            let result = GloVePipeline(config: options.config).run(documents: try options.documents(store))
            if let out {
                let folder = URL(fileURLWithPath: out)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try result.vectors.write(to: folder)
                print("wrote \(folder.path)")
            }
            try printEvaluation(result.vectors, store: store)
        }
    }

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "eval",
            abstract: "Word similarity (Spearman ρ) and analogy accuracy (3CosAdd) of installed or file vectors.")
        @Option(help: "Installed vectors id.") var vectors = "glove-6b-50d"
        @Option(help: "A vector file instead (GloVe or word2vec text/binary, or a folder with words.txt + vectors.f32).") var file: String?
        @Option(help: "Format of --file: glove, word2vec-text, word2vec-binary.") var format: VectorFileReader.Format = .glove
        @OptionGroup var location: DataLocation

        func run() throws {
            let store = location.store
            let start = Date()
            let loaded: WordVectors
            if let file {
                var isFolder: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: file, isDirectory: &isFolder)
                loaded = isFolder.boolValue ? try WordVectors(mappingFolder: URL(fileURLWithPath: file)) : try UserFiles.vectors(path: file, format: format)
            } else {
                loaded = try store.vectors(vectors)
            }
            print(String(format: "%@: %d vectors × %d, loaded in %.3f s", file ?? vectors, loaded.count, loaded.dimension, Date().timeIntervalSince(start)))
            try printEvaluation(loaded, store: store)
        }
    }
}

extension VectorFileReader.Format: ExpressibleByArgument {}

func printEvaluation(_ vectors: WordVectors, store: DataStore) throws {
    for id in ["wordsim353", "simlex999"] where store.isInstalled(id) {
        let r = VectorEvaluation.similarity(vectors, pairs: try store.pairs(id))
        print(String(format: "%-11@ Spearman ρ = %.4f over %d of %d pairs", id as NSString, r.spearman, r.pairsUsed, r.pairsTotal))
    }
    if store.isInstalled("analogies") {
        let r = VectorEvaluation.analogies(vectors, questions: try store.questions("analogies"))
        print(String(format: "analogies   3CosAdd accuracy = %.4f (%d of %d answered; %d questions)", r.accuracy, r.correct, r.answered, r.total))
    }
}
