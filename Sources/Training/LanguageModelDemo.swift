import Models
import Numerics

/// The embedded default job: a small LSTM language model trained on a short text, reporting the training loss
/// per epoch and the held-out perplexity. It needs no installed data, so it shows on a fresh machine that the
/// build, BLAS, autodiff and the optimizer work together (the loss must fall).
public enum LanguageModelDemo {
    public static func run(text: String, epochs: Int, seed: UInt64, report: (String) -> Void) throws {
        let words = text.lowercased().split { !$0.isLetter && $0 != "'" }.map(String.init)
        var ids: [String: Int32] = [:]
        let stream = words.map { word in ids[word] ?? { ids[word] = Int32(ids.count); return Int32(ids.count - 1) }() }
        let split = stream.count * 9 / 10
        let train = BPTTBatches(stream: Array(stream[..<split]), batch: 4, bptt: 20)
        let held = BPTTBatches(stream: Array(stream[split...]), batch: 1, bptt: 20)
        var rng = RandomGenerator(seed: seed)
        let config = LanguageModelConfig(vocabulary: ids.count, embedding: 32, hidden: 64, layers: 2, tied: false,
                                         inputDropout: 0.1, interLayerDropout: 0.1)
        let model = LSTMLanguageModel(config, rng: &rng)
        let groups = GroupConfig.discriminative([("embedding", ["embedding.*"]), ("encoder", ["encoder.*"]), ("decoder", ["decoder.*"])],
                                                topRate: 3e-3, factor: 1.5, optimizer: .adam())
        let optimizer = try GroupedOptimizer(parameters: model.parameters, groups: groups)
        var trainer = LanguageModelTrainer(model: model, optimizer: optimizer, clipNorm: 1, seed: seed)
        report("corpus: \(words.count) words, vocabulary \(ids.count); model \(model.parameterCount) parameters")
        report(String(format: "training-text perplexity before training: %.1f (vocabulary %d)", trainer.perplexity(train), ids.count))
        for epoch in 1...max(epochs, 1) {
            let losses = trainer.trainEpoch(train)
            let mean = losses.reduce(0, +) / Float(losses.count)
            report(String(format: "epoch %2d  train loss %.3f  training-text perplexity %.1f", epoch, mean, trainer.perplexity(train)))
        }
        // The held-out tenth mostly holds words the other nine tenths never show: this job checks the
        // machinery (the loss must fall), not generalisation.
        let seen = Set(stream[..<split])
        let unseen = stream[split...].filter { !seen.contains($0) }.count
        report(String(format: "held-out perplexity %.1f (%d of %d held-out words never occur in training)",
                      trainer.perplexity(held), unseen, stream.count - split))
    }
}
