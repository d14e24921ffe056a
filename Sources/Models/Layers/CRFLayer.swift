import Autodiff
import Numerics

/// A linear-chain CRF output layer over per-position tag scores (Lample et al. 2016): transition, start and end scores,
/// initialised U(−0.1, 0.1) as pytorch-crf does. Parameters: `crf.transitions` [C, C], `crf.start` [C], `crf.end` [C].
public struct CRFLayer: ParameterContainer, Sendable {
    public let transitions: Parameter
    public let start: Parameter
    public let end: Parameter

    public init(tags: Int, rng: inout RandomGenerator) {
        let t = Tensor(zeros: [tags, tags]), s = Tensor(zeros: [tags]), e = Tensor(zeros: [tags])
        for tensor in [t, s, e] { rng.fillUniform(tensor, -0.1, 0.1) }
        transitions = Parameter("crf.transitions", t); start = Parameter("crf.start", s); end = Parameter("crf.end", e)
    }

    public var parameters: [Parameter] { [transitions, start, end] }

    /// The negative log-likelihood per position of `tags`, each sequence the rows of `emissions` [N, C] it names.
    public func loss(_ tape: Tape, _ emissions: Variable, sequences: [[Int]], tags: [[Int32]]) -> Variable {
        tape.crfNegativeLogLikelihood(emissions, transitions: tape.parameter(transitions), start: tape.parameter(start),
                                      end: tape.parameter(end), sequences: sequences, tags: tags)
    }

    /// The best tag sequence of each sequence (Viterbi).
    public func decode(_ emissions: Tensor, sequences: [[Int]]) -> [[Int32]] {
        LinearChainCRF.decode(emissions: emissions, transitions: transitions.value, start: start.value, end: end.value, sequences: sequences)
    }
}
