import Autodiff
import Numerics

/// A lookup table [vocabulary, dimension] of word vectors.
public struct Embedding: ParameterContainer {
    public let table: Parameter
    /// A row that stays fixed and receives no gradient (PyTorch's `padding_idx`).
    public let paddingIndex: Int32?

    /// Normal N(0, 1) rows as PyTorch's `nn.Embedding`, or U(−scale, scale) when `uniformScale` is given;
    /// the padding row is zero.
    public init(_ name: String, vocabulary: Int, dimension: Int, paddingIndex: Int32? = nil,
                uniformScale: Float? = nil, rng: inout RandomGenerator) {
        let t = Tensor(zeros: [vocabulary, dimension])
        if let uniformScale { rng.fillUniform(t, -uniformScale, uniformScale) } else { rng.fillNormal(t, std: 1) }
        if let paddingIndex { (t.data + Int(paddingIndex) * dimension).update(repeating: 0, count: dimension) }
        table = Parameter("\(name).weight", t)
        self.paddingIndex = paddingIndex
    }

    /// From an explicit table (pretrained vectors).
    public init(table: Parameter, paddingIndex: Int32? = nil) { self.table = table; self.paddingIndex = paddingIndex }

    public var parameters: [Parameter] { [table] }
    public var dimension: Int { table.shape[1] }
    public var vocabulary: Int { table.shape[0] }

    /// Vectors of `ids` laid out as `shape` → [shape..., dimension]; `dropout` drops whole word types.
    public func callAsFunction(_ tape: Tape, _ ids: [Int32], shape: [Int], dropout: Float = 0) -> Variable {
        tape.embedding(ids, shape: shape, table: tape.parameter(table), paddingIndex: paddingIndex, dropout: dropout)
    }
}
