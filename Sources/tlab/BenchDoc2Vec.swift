import ArgumentParser
import Benchmarks
import Datasets
import Foundation
import Models
import Numerics
import Training

extension Tlab.Bench {
    struct Doc2VecBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "doc2vec",
            abstract: "Effective words/s of PV-DBOW and PV-DM (vector 100, window 5, negative 5, min_count 2, 5 epochs), gensim's settings (docs/benchmarks.md).")
        @Option(help: "Plain-text corpus, one document per line, split on whitespace (docs/benchmarks.md says how to make the peers' corpus).")
        var corpusFile = "/tmp/peers/corpus.txt"
        @Option(parsing: .upToNextOption, help: "Thread counts.") var threads: [Int] = [1, 2]
        @Option(parsing: .upToNextOption, help: "Modes.") var modes: [Doc2VecConfig.Mode] = [.dbow, .dmMean]
        @Option(help: "Timed runs per setting (median reported).") var runs = 3
        @Option(help: "Documents inferred for the infer_vector timing and the self-similarity check.") var inferDocuments = 1000

        func run() throws {
            let documents = try UserFiles.corpus(path: corpusFile).map { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
            let tokens = documents.reduce(0) { $0 + $1.count }
            let vocabulary = Doc2VecData.vocabulary(documents, minCount: 2)
            print("# corpus \(corpusFile): \(documents.count) documents, \(tokens) tokens, vocabulary \(vocabulary.count) (min count 2); \(BLAS.summary)")
            for mode in modes {
                let name = mode.rawValue
                for count in threads {
                    var config = Doc2VecConfig()
                    config.mode = mode
                    config.threads = count
                    var rates: [Double] = []
                    var model: Doc2Vec!
                    var corpus = Doc2VecCorpus()
                    for _ in 0..<runs {
                        model = Doc2VecData.model(config, vocabulary: vocabulary)
                        corpus = Doc2VecData.corpus(documents, model: model)
                        rates.append(model.train(corpus).effectiveWordsPerSecond)
                    }
                    rates.sort()
                    var line = String(format: "doc2vec %@ threads=%d effective words/s median %.0f (min %.0f, max %.0f)", name, count, rates[rates.count / 2], rates[0], rates[rates.count - 1])
                    if let gensim = PeerFigures.gensimDoc2Vec[name]?[count] {
                        line += PeerFigures.quote("gensim 4.4", String(format: "%.0f effective words/s", gensim))
                    }
                    print(line)
                    guard count == threads.first else { continue }
                    // infer_vector speed, and a quality check: is a training document's inferred vector
                    // closest to its own trained vector (gensim's tutorial sanity check)?
                    let n = min(inferDocuments, corpus.count)
                    let start = Date()
                    let inferred = (0..<n).map { model.inferVector(Array(corpus.document($0)), seed: UInt64($0)) }
                    let seconds = Date().timeIntervalSince(start)
                    let checked = min(n, 200)
                    let trained = (0..<corpus.count).map { model.documentVector($0) }
                    var top1 = 0
                    for i in 0..<checked {
                        let scores = trained.map { Doc2VecData.cosine(inferred[i], $0) }
                        if scores.indices.max(by: { scores[$0] < scores[$1] }) == i { top1 += 1 }
                    }
                    var inferLine = String(format: "doc2vec %@ infer_vector %d docs %.2f s; inferred vector nearest its own trained vector for %d/%d documents",
                                           name, n, seconds, top1, checked)
                    if let gensim = PeerFigures.gensimInfer[name] { inferLine += PeerFigures.quote("gensim 4.4", String(format: "%.2f s", gensim)) }
                    print(inferLine)
                }
            }
        }
    }
}
