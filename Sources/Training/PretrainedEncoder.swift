import Datasets
import Foundation
import Models
import Autodiff
import Numerics

/// An installed encoder checkpoint (`tlab data install minilm-l6`): its configuration, its weights loaded into a
/// `BertEncoder` by Hugging Face name with every shape checked, and its WordPiece tokenizer.
public struct PretrainedEncoder {
    public let id: String
    public let encoder: BertEncoder
    public let tokenizer: WordPieceTokenizer
    /// The sentence-transformers pooling the checkpoint was trained with (mean over tokens for the MiniLMs), if it says.
    public let meanPooling: Bool

    /// `pooler: false` leaves the checkpoint's pooler out (token classification and span heads do without it, as
    /// Hugging Face's `BertForTokenClassification` does).
    public init(_ id: String, store: DataStore, pooler: Bool = true, seed: UInt64 = 0) throws {
        let meta = try store.metadata(id)
        let folder = store.folder(id)
        guard meta.kind == .checkpoint else {
            throw DataError.malformed(file: folder.path, line: nil, reason: "dataset '\(id)' is \(meta.kind.rawValue) data, not an encoder checkpoint")
        }
        let configURL = folder.appendingPathComponent("config.json")
        let config: BertConfig
        do { config = try JSONDecoder().decode(BertConfig.self, from: Data(contentsOf: configURL)) } catch {
            throw DataError.malformed(file: configURL.path, line: nil, reason: "not a BERT configuration: \(error)")
        }
        let file = try SafeTensors(folder.appendingPathComponent("model.safetensors"))
        var tensors: [String: Tensor] = [:]
        for name in file.names where file.entries[name]?.dtype == "F32" {
            tensors[Self.huggingFaceName(name)] = try file.tensor(name)
        }
        var rng = RandomGenerator(seed: seed).derived("encoder \(id)")
        let encoder = BertEncoder(config, pooler: pooler && tensors["pooler.dense.weight"] != nil, rng: &rng)
        let (missing, _) = try encoder.load(tensors)
        guard missing.isEmpty else {
            throw DataError.malformed(file: file.url.path, line: nil, reason: "the checkpoint lacks \(missing.count) tensors: \(missing.prefix(5).joined(separator: ", "))")
        }
        self.id = id
        self.encoder = encoder
        tokenizer = try WordPieceTokenizer(vocabulary: folder.appendingPathComponent("vocab.txt"))
        let pooling = try? JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("pooling.json"))) as? [String: Any]
        meanPooling = (pooling?["pooling_mode_mean_tokens"] as? Bool) ?? true
    }

    /// Checkpoints of `BertFor…` models prefix the encoder with `bert.`; old ones name LayerNorm's γ and β `gamma`, `beta`.
    static func huggingFaceName(_ name: String) -> String {
        var n = name.hasPrefix("bert.") ? String(name.dropFirst(5)) : name
        if n.hasSuffix(".gamma") { n = String(n.dropLast(6)) + ".weight" }
        if n.hasSuffix(".beta") { n = String(n.dropLast(5)) + ".bias" }
        return n
    }

    /// `texts` encoded, right-padded to the longest, truncated to `maxLength` tokens.
    public func batch(_ texts: [String], maxLength: Int = 512) -> BertBatch {
        let encodings = texts.map { tokenizer.encode($0, maxLength: min(maxLength, encoder.config.maxPositions)) }
        let time = encodings.map(\.ids.count).max() ?? 0
        var ids: [Int32] = [], types: [Int32] = []
        for e in encodings {
            ids += e.ids + Array(repeating: tokenizer.padding, count: time - e.ids.count)
            types += e.typeIds + Array(repeating: 0, count: time - e.ids.count)
        }
        return BertBatch(ids: ids, typeIds: types, lengths: encodings.map(\.ids.count), time: time)
    }
}

extension PretrainedEncoder {
    /// Sentence embeddings as sentence-transformers computes them for these checkpoints: the last hidden
    /// states mean-pooled over each text's tokens ([CLS] and [SEP] included), then L2-normalised.
    public func sentenceEmbeddings(_ texts: [String], batchSize: Int = 32, maxLength: Int = 256) -> [[Float]] {
        var out: [[Float]] = []
        for start in stride(from: 0, to: texts.count, by: batchSize) {
            let batch = self.batch(Array(texts[start..<min(start + batchSize, texts.count)]), maxLength: maxLength)
            let tape = Tape(training: false)
            let pooled = tape.value(tape.meanOverTime(encoder(tape, batch).hidden, lengths: batch.lengths))
            let d = pooled.columns
            for b in 0..<batch.size {
                var v = Array(UnsafeBufferPointer(start: pooled.data + b * d, count: d))
                let norm = max(v.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
                for i in 0..<d { v[i] /= norm }
                out.append(v)
            }
        }
        return out
    }
}
