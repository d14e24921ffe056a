import ArgumentParser
import Foundation
import Training

extension Tlab {
    /// A first sight of a real checkpoint at work: sentence embeddings of the texts given and their cosine similarities.
    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Embed texts with an installed encoder checkpoint (mean-pooled, L2-normalised) and print their cosine similarities.")
        @Option(help: "An installed checkpoint (tlab data install minilm-l6).") var model = "minilm-l6"
        @Option(help: "Embedding values to print per text.") var show = 6
        @Argument(help: "Texts to embed.") var texts: [String]
        @OptionGroup var location: DataLocation

        func run() throws {
            guard !texts.isEmpty else { throw ValidationError("give at least one text") }
            let encoder = try PretrainedEncoder(model, store: location.store)
            let c = encoder.encoder.config
            print("\(model): \(c.layers) layers, hidden \(c.hidden), \(c.heads) heads, \(encoder.encoder.parameterCount) parameters")
            let embeddings = encoder.sentenceEmbeddings(texts)
            for (n, (text, e)) in zip(texts, embeddings).enumerated() {
                let ids = encoder.tokenizer.encode(text).ids
                print("[\(n + 1)] \(text)")
                print("    \(ids.count) tokens: \(ids.map { encoder.tokenizer.tokens[Int($0)] }.joined(separator: " "))")
                print("    [" + e.prefix(show).map { String(format: "%+.4f", $0) }.joined(separator: ", ") + ", …] (\(e.count) values)")
            }
            guard texts.count > 1 else { return }
            print("cosine similarity")
            print("      " + (1...texts.count).map { String(format: "%7d", $0) }.joined())
            for (i, a) in embeddings.enumerated() {
                let row = embeddings.map { b in zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
                print(String(format: "%5d ", i + 1) + row.map { String(format: "%7.3f", $0) }.joined())
            }
        }
    }
}
