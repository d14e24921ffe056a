import Autodiff
import Numerics
import TestSupport
import XCTest

/// Forward values and gradients against `Tests/References/make_fixtures.py` (NumPy, float64; its
/// gradients are float64 central differences). Tolerances allow float32 rounding in our kernels.
final class GoldenTests: XCTestCase {
    func testLSTMMatchesReference() throws {
        let f = try Fixture("lstm")
        let names = ["weightIH", "weightHH", "biasIH", "biasHH"]
        let parameters = (0..<2).map { l in names.map { Parameter("layer\(l).\($0)", f.tensor("layer\(l).\($0)")) } }
        let tape = Tape(training: false)
        let x = tape.input(f.tensor("x"))
        let layers = parameters.map {
            LSTMLayerVariables(inputWeight: tape.parameter($0[0]), hiddenWeight: tape.parameter($0[1]),
                               inputBias: tape.parameter($0[2]), hiddenBias: tape.parameter($0[3]))
        }
        let (out, final) = tape.lstm(x, layers: layers, lengths: f.ints("lengths"),
                                     initial: LSTMState(hidden: f.tensor("h0"), cell: f.tensor("c0")))
        assertClose(tape.value(out), f.tensor("out"), absolute: 1e-6, relative: 1e-5)
        assertClose(final.hidden, f.tensor("hT"), absolute: 1e-6, relative: 1e-5)
        assertClose(final.cell, f.tensor("cT"), absolute: 1e-6, relative: 1e-5)
        tape.backward(tape.weightedSum(out, weights: f.tensor("dout")))
        assertClose(tape.gradient(x)!, f.tensor("dx"), absolute: 1e-5, relative: 1e-4, "dx")
        for layer in parameters { for p in layer {
            assertClose(p.grad, f.tensor("\(p.name).grad"), absolute: 1e-5, relative: 1e-4, p.name)
        } }
    }

    /// Against pytorch-crf (`make_crf_fixtures.py`): the loss averaged over positions, its four gradients, and Viterbi.
    func testLinearChainCRFMatchesPytorchCRF() throws {
        let f = try Fixture("crf")
        func rows(_ lengths: [Int], time: Int) -> [[Int]] { lengths.enumerated().map { b, n in (0..<n).map { b * time + $0 } } }
        func paths(_ flat: [Int], _ lengths: [Int], time: Int) -> [[Int32]] {
            lengths.enumerated().map { b, n in flat[(b * time)..<(b * time + n)].map(Int32.init) }
        }
        let lengths = f.ints("lengths"), sequences = rows(lengths, time: 4), tags = paths(f.ints("tags"), lengths, time: 4)
        let tape = Tape(training: false)
        let emissions = tape.input(f.tensor("emissions")), transitions = tape.input(f.tensor("transitions"))
        let start = tape.input(f.tensor("start")), end = tape.input(f.tensor("end"))
        let loss = tape.crfNegativeLogLikelihood(emissions, transitions: transitions, start: start, end: end, sequences: sequences, tags: tags)
        XCTAssertEqual(Double(tape.value(loss).scalar), f.number("loss"), accuracy: 1e-5)
        tape.backward(loss)
        assertClose(tape.gradient(emissions)!, f.tensor("grad_emissions"), absolute: 1e-6, relative: 1e-4, "emissions")
        assertClose(tape.gradient(transitions)!, f.tensor("grad_transitions"), absolute: 1e-6, relative: 1e-4, "transitions")
        assertClose(tape.gradient(start)!, f.tensor("grad_start"), absolute: 1e-6, relative: 1e-4, "start")
        assertClose(tape.gradient(end)!, f.tensor("grad_end"), absolute: 1e-6, relative: 1e-4, "end")
        let (t, s, e) = (f.tensor("transitions"), f.tensor("start"), f.tensor("end"))
        XCTAssertEqual(LinearChainCRF.decode(emissions: f.tensor("emissions"), transitions: t, start: s, end: e, sequences: sequences),
                       paths(f.ints("decoded"), lengths, time: 4))
        let long = f.ints("long_lengths")
        XCTAssertEqual(LinearChainCRF.decode(emissions: f.tensor("long_emissions"), transitions: t, start: s, end: e, sequences: rows(long, time: 9)),
                       paths(f.ints("long_decoded"), long, time: 9))
    }

    /// Against the formula written out in torch (`make_focal_fixtures.py`) at γ 0, 0.5 and 2, class-weighted, one row
    /// ignored and one nearly certain.
    func testFocalLossMatchesReference() throws {
        let f = try Fixture("focal")
        let targets = f.ints("targets").map(Int32.init)
        for gamma in f.doubles("gammas") {
            let tape = Tape(training: false)
            let logits = tape.input(f.tensor("logits"))
            let loss = tape.focalLoss(logits, targets: targets, gamma: gamma, classWeights: f.tensor("weights"), ignoreIndex: -100)
            XCTAssertEqual(Double(tape.value(loss).scalar), f.number("loss_\(gamma)"), accuracy: 1e-6, "γ \(gamma)")
            tape.backward(loss)
            assertClose(tape.gradient(logits)!, f.tensor("grad_\(gamma)"), absolute: 1e-6, relative: 1e-4, "γ \(gamma)")
        }
    }

    func testCrossEntropyMatchesReference() throws {
        let f = try Fixture("cross_entropy")
        let tape = Tape(training: false)
        let logits = tape.input(f.tensor("logits"))
        let targets = f.ints("targets").map(Int32.init)
        let loss = tape.crossEntropy(logits, targets: targets, classWeights: f.tensor("weights"), ignoreIndex: -100)
        XCTAssertEqual(Double(tape.value(loss).scalar), f.number("loss"), accuracy: 1e-5)
        tape.backward(loss)
        assertClose(tape.gradient(logits)!, f.tensor("grad"), absolute: 1e-6, relative: 1e-4)
        // Where p[target] underflows in float32 the loss must still be the exact log-sum-exp value.
        let extreme = CrossEntropy.forward(logits: f.tensor("extremeLogits"), targets: [1]).loss
        XCTAssertEqual(Double(extreme), f.number("extremeLoss"), accuracy: 1e-4)
    }

    func testAttentionMatchesReference() throws {
        let f = try Fixture("attention")
        let tape = Tape(training: false)
        let (q, k, v) = (tape.input(f.tensor("q")), tape.input(f.tensor("k")), tape.input(f.tensor("v")))
        let out = tape.attention(q: q, k: k, v: v, mask: f.tensor("mask"))
        assertClose(tape.value(out), f.tensor("out"), absolute: 1e-6, relative: 1e-5)
        tape.backward(tape.weightedSum(out, weights: f.tensor("dout")))
        assertClose(tape.gradient(q)!, f.tensor("dq"), absolute: 1e-5, relative: 1e-4, "dq")
        assertClose(tape.gradient(k)!, f.tensor("dk"), absolute: 1e-5, relative: 1e-4, "dk")
        assertClose(tape.gradient(v)!, f.tensor("dv"), absolute: 1e-5, relative: 1e-4, "dv")
    }

    /// A training step (batch statistics, running estimates moved) and then evaluation with the moved
    /// estimates, as torch's BatchNorm1d.
    func testBatchNormMatchesReference() throws {
        let f = try Fixture("batch_norm")
        let statistics = BatchNormKernel.Statistics(columns: f.tensor("gamma").count)
        statistics.mean.assign(f.tensor("runningMean"))
        statistics.variance.assign(f.tensor("runningVar"))
        for (mode, training) in [("train", true), ("eval", false)] {
            let tape = Tape(training: training)
            let (x, gamma, beta) = (tape.input(f.tensor("x")), tape.input(f.tensor("gamma")), tape.input(f.tensor("beta")))
            let out = tape.batchNorm(x, gamma: gamma, beta: beta, statistics: statistics, momentum: Float(f.number("momentum")),
                                     epsilon: Float(f.number("eps")))
            assertClose(tape.value(out), f.tensor("\(mode)Out"), absolute: 1e-5, relative: 1e-5, "\(mode) out")
            if training {  // the estimates moved once, and evaluation leaves them
                assertClose(statistics.mean, f.tensor("runningMeanAfter"), absolute: 1e-6, relative: 1e-6, "running mean")
                assertClose(statistics.variance, f.tensor("runningVarAfter"), absolute: 1e-6, relative: 1e-6, "running variance")
            }
            tape.backward(tape.weightedSum(out, weights: f.tensor("dout")))
            assertClose(tape.gradient(x)!, f.tensor("\(mode).dx"), absolute: 1e-5, relative: 1e-4, "\(mode) dx")
            assertClose(tape.gradient(gamma)!, f.tensor("\(mode).dgamma"), absolute: 1e-5, relative: 1e-4, "\(mode) dgamma")
            assertClose(tape.gradient(beta)!, f.tensor("\(mode).dbeta"), absolute: 1e-5, relative: 1e-4, "\(mode) dbeta")
        }
        assertClose(statistics.variance, f.tensor("runningVarAfter"), absolute: 1e-6, relative: 1e-6, "unchanged by evaluation")
    }
}
