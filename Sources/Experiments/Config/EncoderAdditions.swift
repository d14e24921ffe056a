import Autodiff
import Models
import Numerics
import Specs

/// The parameter-efficient additions a spec can attach to a BERT encoder (`model.adapters`, `model.lora`,
/// `model.prompt`); which parameters then train is the spec's groups, over the additions' names.
struct EncoderAdditions {
    /// `adapters: {size: 64}`: Houlsby et al. 2019 bottleneck adapters after both sub-layers of every layer.
    struct Adapters: Decodable {
        var size: Int
        enum CodingKeys: String, CodingKey { case size }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            size = try c.decode(.size, or: 64, Valid.positive, Valid.atLeast1)
        }
    }

    /// `lora: {rank: 8, alpha: 8, dropout: 0, targets: [query, value]}` (Hu et al. 2022; peft's defaults).
    struct LowRank: Decodable {
        var rank: Int
        var alpha: Double
        var dropout: Double
        var targets: [LowRankTarget]
        enum CodingKeys: String, CodingKey { case rank, alpha, dropout, targets }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            rank = try c.decode(.rank, or: 8, Valid.positive, Valid.atLeast1)
            alpha = try c.decode(.alpha, or: Double(rank), Valid.rate, Valid.isRate)
            dropout = try c.decode(.dropout, or: 0, Valid.fraction, Valid.isFraction)
            targets = try c.decode(.targets, or: [.query, .value], "a non-empty list of \(LowRankTarget.allCases.map(\.rawValue).joined(separator: ", "))") { !$0.isEmpty }
        }
    }

    /// `prompt: {length: 20, commonest: 5000}`: Lester et al. 2021 soft prompt, each vector initialised as the
    /// embedding of a token drawn from the `commonest` most frequent in the training split.
    struct Prompt: Decodable {
        var length: Int
        var commonest: Int
        enum CodingKeys: String, CodingKey { case length, commonest }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            length = try c.decode(.length, or: 20, Valid.positive, Valid.atLeast1)
            commonest = try c.decode(.commonest, or: 5000, Valid.positive, Valid.atLeast1)
        }
    }

    var adapters: Adapters?
    var lowRank: LowRank?
    var prompt: Prompt?

    var isEmpty: Bool { adapters == nil && lowRank == nil && prompt == nil }

    /// Attaches the additions to `encoder`; the prompt draws its tokens from the commonest of `trainingTokens`
    /// (sequences of ids, `special` ids left out).
    func attach(to encoder: BertEncoder, trainingTokens: [[Int32]], rng: inout RandomGenerator, special: Set<Int32>) {
        if let adapters { encoder.attachAdapters(size: adapters.size, rng: &rng) }
        if let lowRank {
            encoder.attachLowRank(lowRank.targets, rank: lowRank.rank, alpha: Float(lowRank.alpha), dropout: Float(lowRank.dropout), rng: &rng)
        }
        if let prompt {
            encoder.attachPrompt(copying: Self.promptTokens(prompt, from: trainingTokens, special: special, rng: &rng))
        }
    }

    /// `prompt.length` tokens drawn without replacement (with, if there are fewer) from the `commonest` most
    /// frequent non-special ids of `sequences`, ties broken by id.
    static func promptTokens(_ prompt: Prompt, from sequences: [[Int32]], special: Set<Int32>, rng: inout RandomGenerator) -> [Int32] {
        var counts: [Int32: Int] = [:]
        for sequence in sequences { for id in sequence where !special.contains(id) { counts[id, default: 0] += 1 } }
        let ranked = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(prompt.commonest).map(\.key)
        guard !ranked.isEmpty else { return Array(repeating: 0, count: prompt.length) }
        if ranked.count >= prompt.length { return rng.permutation(ranked.count).prefix(prompt.length).map { ranked[$0] } }
        return (0..<prompt.length).map { _ in ranked[rng.int(below: ranked.count)] }
    }
}
