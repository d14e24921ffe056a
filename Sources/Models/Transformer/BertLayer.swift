import Autodiff
import Numerics

/// One post-LN transformer layer of BERT (Vaswani et al. 2017; Devlin et al. 2019): multi-head self-attention
/// with a key-padding mask, dropout, residual and LayerNorm; then a GELU (erf) feed-forward, dropout,
/// residual and LayerNorm. Parameter names are Hugging Face's (`encoder.layer.3.attention.self.query.weight`).
/// Parameter-efficient additions attach to it: bottleneck adapters after each sub-layer's dropout, before the
/// residual (Houlsby et al. 2019), and low-rank updates beside its dense layers (Hu et al. 2022).
public struct BertLayer: ParameterContainer {
    public let query: Linear, key: Linear, value: Linear
    public let attentionOutput: Linear
    public let attentionNorm: LayerNorm
    public let intermediate: Linear
    public let output: Linear
    public let outputNorm: LayerNorm
    public let config: BertConfig
    public var attentionAdapter: BottleneckAdapter?
    public var outputAdapter: BottleneckAdapter?
    public var lowRank: [LowRankTarget: LowRankUpdate] = [:]

    public init(_ name: String, _ config: BertConfig, rng: inout RandomGenerator) {
        let d = config.hidden
        func dense(_ n: String, _ inputs: Int, _ outputs: Int) -> Linear { .bert("\(name).\(n)", inputs: inputs, outputs: outputs, config, rng: &rng) }
        query = dense("attention.self.query", d, d)
        key = dense("attention.self.key", d, d)
        value = dense("attention.self.value", d, d)
        attentionOutput = dense("attention.output.dense", d, d)
        attentionNorm = LayerNorm("\(name).attention.output.LayerNorm", width: d, epsilon: config.layerNormEpsilon)
        intermediate = dense("intermediate.dense", d, config.intermediate)
        output = dense("output.dense", config.intermediate, d)
        outputNorm = LayerNorm("\(name).output.LayerNorm", width: d, epsilon: config.layerNormEpsilon)
        self.config = config
    }

    public var parameters: [Parameter] {
        query.parameters + key.parameters + value.parameters + attentionOutput.parameters + attentionNorm.parameters
            + intermediate.parameters + output.parameters + outputNorm.parameters
            + (attentionAdapter?.parameters ?? []) + (outputAdapter?.parameters ?? [])
            + LowRankTarget.allCases.flatMap { lowRank[$0]?.parameters ?? [] }
    }

    /// The dense layer a low-rank update can sit beside.
    public func dense(_ target: LowRankTarget) -> Linear {
        switch target {
        case .query: query
        case .key: key
        case .value: value
        case .attentionOutput: attentionOutput
        case .intermediate: intermediate
        case .output: output
        }
    }

    /// `target`'s dense layer applied to x, with its low-rank update added where it has one.
    func project(_ tape: Tape, _ target: LowRankTarget, _ x: Variable) -> Variable {
        let base = dense(target)(tape, x)
        guard let update = lowRank[target] else { return base }
        return tape.add(base, update(tape, x))
    }

    /// x [B, T, d] → [B, T, d]; `keyMask` [B·H, 1, T] holds 1 for tokens and 0 for padding.
    public func callAsFunction(_ tape: Tape, _ x: Variable, keyMask: Tensor) -> Variable {
        let heads = config.heads
        let q = tape.splitHeads(project(tape, .query, x), heads: heads)
        let k = tape.splitHeads(project(tape, .key, x), heads: heads)
        let v = tape.splitHeads(project(tape, .value, x), heads: heads)
        let context = tape.mergeHeads(tape.attention(q: q, k: k, v: v, mask: keyMask, dropout: config.attentionDropout), heads: heads)
        var h = tape.dropout(project(tape, .attentionOutput, context), p: config.hiddenDropout)
        if let attentionAdapter { h = attentionAdapter(tape, h) }
        let attended = attentionNorm(tape, tape.add(h, x))
        let expanded = tape.gelu(project(tape, .intermediate, attended))
        h = tape.dropout(project(tape, .output, expanded), p: config.hiddenDropout)
        if let outputAdapter { h = outputAdapter(tape, h) }
        return outputNorm(tape, tape.add(h, attended))
    }
}

/// The dense layers of a BERT layer, by the names peft's `target_modules` uses for them.
public enum LowRankTarget: String, CaseIterable, Codable, Sendable {
    case query, key, value, attentionOutput = "attention_output", intermediate, output
}

extension Linear {
    /// A fresh layer as BERT initialises one: weights N(0, initializer_range), biases zero.
    static func bert(_ name: String, inputs: Int, outputs: Int, _ config: BertConfig, rng: inout RandomGenerator) -> Linear {
        let w = Tensor(zeros: [outputs, inputs])
        rng.fillNormal(w, std: config.initializerRange)
        return Linear(weight: Parameter("\(name).weight", w), bias: Parameter("\(name).bias", Tensor(zeros: [outputs])))
    }
}
