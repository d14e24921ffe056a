import Autodiff
import Numerics

/// One post-LN transformer layer of BERT (Vaswani et al. 2017; Devlin et al. 2019): multi-head self-attention
/// with a key-padding mask, dropout, residual and LayerNorm; then a GELU (erf) feed-forward, dropout,
/// residual and LayerNorm. Parameter names are Hugging Face's (`encoder.layer.3.attention.self.query.weight`).
public struct BertLayer: ParameterContainer {
    public let query: Linear, key: Linear, value: Linear
    public let attentionOutput: Linear
    public let attentionNorm: LayerNorm
    public let intermediate: Linear
    public let output: Linear
    public let outputNorm: LayerNorm
    public let config: BertConfig

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
    }

    /// x [B, T, d] → [B, T, d]; `keyMask` [B·H, 1, T] holds 1 for tokens and 0 for padding.
    public func callAsFunction(_ tape: Tape, _ x: Variable, keyMask: Tensor) -> Variable {
        let heads = config.heads
        let q = tape.splitHeads(query(tape, x), heads: heads)
        let k = tape.splitHeads(key(tape, x), heads: heads)
        let v = tape.splitHeads(value(tape, x), heads: heads)
        let context = tape.mergeHeads(tape.attention(q: q, k: k, v: v, mask: keyMask, dropout: config.attentionDropout), heads: heads)
        let attended = attentionNorm(tape, tape.add(tape.dropout(attentionOutput(tape, context), p: config.hiddenDropout), x))
        let expanded = tape.gelu(intermediate(tape, attended))
        return outputNorm(tape, tape.add(tape.dropout(output(tape, expanded), p: config.hiddenDropout), attended))
    }
}

extension Linear {
    /// A fresh layer as BERT initialises one: weights N(0, initializer_range), biases zero.
    static func bert(_ name: String, inputs: Int, outputs: Int, _ config: BertConfig, rng: inout RandomGenerator) -> Linear {
        let w = Tensor(zeros: [outputs, inputs])
        rng.fillNormal(w, std: config.initializerRange)
        return Linear(weight: Parameter("\(name).weight", w), bias: Parameter("\(name).bias", Tensor(zeros: [outputs])))
    }
}
