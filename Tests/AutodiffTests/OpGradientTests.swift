import Autodiff
import Numerics
import TestSupport
import XCTest

/// Central-difference checks of every op's backward (loss = Σ out ⊙ dout, random dout).
final class OpGradientTests: XCTestCase {
    var rng = RandomGenerator(seed: 7)

    func testLinear() {
        gradientCheck(inputs: [randomTensor([2, 3, 4], &rng), randomTensor([5, 4], &rng), randomTensor([5], &rng)]) { t, v in
            t.linear(v[0], weight: v[1], bias: v[2])
        }
    }

    func testMatmul() {
        gradientCheck(inputs: [randomTensor([3, 4], &rng), randomTensor([4, 2], &rng)]) { t, v in t.matmul(v[0], v[1]) }
    }

    func testElementwiseAndShapeOps() {
        let a = randomTensor([2, 3], &rng), b = randomTensor([2, 3], &rng), c = randomTensor([2, 2], &rng)
        gradientCheck(inputs: [a, b]) { t, v in t.add(v[0], v[1]) }
        gradientCheck(inputs: [a, b]) { t, v in t.multiply(v[0], v[1]) }
        gradientCheck(inputs: [a]) { t, v in t.scale(v[0], by: -1.5) }
        gradientCheck(inputs: [a]) { t, v in t.reshape(v[0], [3, 2]) }
        gradientCheck(inputs: [a, c]) { t, v in t.concatenate([v[0], v[1]]) }
        gradientCheck(inputs: [randomTensor([3, 2, 4], &rng)]) { t, v in t.swapLeadingAxes(v[0]) }
        gradientCheck(inputs: [randomTensor([4, 3, 2], &rng)]) { t, v in t.reverseSequences(v[0], lengths: [4, 2, 0]) }
    }

    func testActivations() {
        // Values kept away from ReLU's kink so that ±ε never crosses it.
        let x = Tensor(shape: [2, 4], values: [-1.3, -0.6, -0.2, 0.15, 0.4, 0.9, 1.7, -2.2])
        for kind in Activation.allCases {
            gradientCheck(inputs: [x.copy()]) { t, v in t.activation(v[0], kind) }
        }
        gradientCheck(inputs: [randomTensor([3, 5], &rng)]) { t, v in t.softmax(v[0]) }
    }

    func testEmbeddingGradientIsScatterAddAndSkipsPadding() {
        let table = randomTensor([6, 3], &rng)
        let ids: [Int32] = [1, 4, 1, 0, 5, 0]
        gradientCheck(inputs: [table]) { t, v in t.embedding(ids, shape: [2, 3], table: v[0]) }
        // With a padding index, row 0 gets no gradient even though it is looked up.
        let tape = Tape(training: false)
        let tv = tape.input(table)
        let out = tape.embedding(ids, shape: [6], table: tv, paddingIndex: 0)
        tape.backward(tape.weightedSum(out, weights: Tensor(shape: [6, 3], repeating: 1)))
        let grad = tape.gradient(tv)!
        XCTAssertEqual(Array(grad.array[0..<3]), [0, 0, 0])
        XCTAssertEqual(Array(grad.array[3..<6]), [2, 2, 2], "id 1 appears twice")
    }

    func testEmbeddingDropoutGradient() {
        gradientCheck(inputs: [randomTensor([8, 3], &rng)], training: true) { t, v in
            t.embedding([1, 2, 3, 4, 5, 6, 7], shape: [7], table: v[0], dropout: 0.4)
        }
    }

    func testConvolution() {
        let x = randomTensor([2, 6, 3], &rng)
        for width in [1, 2, 3] {
            gradientCheck(inputs: [x, randomTensor([width, 4, 3], &rng), randomTensor([4], &rng)]) { t, v in
                t.conv1d(v[0], weight: v[1], bias: v[2])
            }
        }
    }

    func testPooling() {
        // Distinct, well-separated values so the max never switches under ±ε.
        var values = (0..<24).map { Float($0) * 0.37 }
        rng.shuffle(&values)
        let x = Tensor(shape: [2, 4, 3], values: values)
        gradientCheck(inputs: [x]) { t, v in t.maxOverTime(v[0], lengths: [4, 2]) }
        gradientCheck(inputs: [x]) { t, v in t.meanOverTime(v[0], lengths: [3, 1]) }
        gradientCheck(inputs: [x]) { t, v in t.lastStep(v[0], lengths: [4, 2]) }
    }

    /// Attention pooling: keys, values and the query all get gradients; padded steps get none.
    func testAttentionPooling() {
        let keys = randomTensor([2, 4, 3], &rng), values = randomTensor([2, 4, 5], &rng), query = randomTensor([3], &rng)
        gradientCheck(inputs: [keys, values, query]) { t, v in t.attentionPool(keys: v[0], values: v[1], query: v[2], lengths: [4, 2]) }
        // With a zero query every valid step weighs the same: the output is the mean of the values.
        let tape = Tape(training: false)
        let out = tape.value(tape.attentionPool(keys: tape.input(keys), values: tape.input(values), query: tape.input(Tensor(zeros: [3])), lengths: [4, 2]))
        let mean = tape.value(tape.meanOverTime(tape.input(values), lengths: [4, 2]))
        for i in 0..<10 { XCTAssertEqual(out.data[i], mean.data[i], accuracy: 1e-6) }
    }

    func testDropoutVariants() {
        gradientCheck(inputs: [randomTensor([4, 5], &rng)], training: true) { t, v in t.dropout(v[0], p: 0.3) }
        gradientCheck(inputs: [randomTensor([3, 2, 4], &rng)], training: true) { t, v in t.lockedDropout(v[0], p: 0.5) }
    }

    func testLayerNorm() {
        gradientCheck(inputs: [randomTensor([3, 5], &rng), randomTensor([5], &rng, 0.5, 1.5), randomTensor([5], &rng)]) { t, v in
            t.layerNorm(v[0], gamma: v[1], beta: v[2])
        }
    }

    /// Training mode (batch statistics: every row's gradient depends on the others) and evaluation (fixed
    /// running estimates); a training batch of one row is normalised by the estimates, which it leaves.
    func testBatchNorm() {
        let statistics = BatchNormKernel.Statistics(columns: 5)
        statistics.mean.assign(randomTensor([5], &rng))
        statistics.variance.assign(randomTensor([5], &rng, 0.5, 2))
        for training in [true, false] {
            gradientCheck(inputs: [randomTensor([4, 5], &rng, -2, 2), randomTensor([5], &rng, 0.5, 1.5), randomTensor([5], &rng)],
                          training: training) { t, v in
                t.batchNorm(v[0], gamma: v[1], beta: v[2], statistics: statistics)
            }
        }
        let before = statistics.mean.copy()
        let one = randomTensor([1, 5], &rng)
        let tape = Tape(training: true)
        let out = tape.value(tape.batchNorm(tape.input(one), gamma: tape.input(Tensor(shape: [5], values: [1, 1, 1, 1, 1])),
                                            beta: tape.input(Tensor(zeros: [5])), statistics: statistics))
        XCTAssertTrue(statistics.mean.isIdentical(to: before), "a one-row batch leaves the estimates")
        for j in 0..<5 {
            XCTAssertEqual(out[j], (one[j] - statistics.mean[j]) / (statistics.variance[j] + 1e-5).squareRoot(), accuracy: 1e-5)
        }
    }

    func testCrossEntropyWithClassWeightsAndIgnoreIndex() {
        let weights = Tensor(shape: [4], values: [1, 2, 0.5, 3])
        gradientCheck(inputs: [randomTensor([5, 4], &rng, -2, 2)]) { t, v in
            t.crossEntropy(v[0], targets: [0, 3, -100, 2, 1], classWeights: weights, ignoreIndex: -100)
        }
    }

    func testFocalLossWithClassWeightsAndIgnoreIndex() {
        let weights = Tensor(shape: [4], values: [1, 2, 0.5, 3])
        for gamma in [0.5, 2.0] {
            gradientCheck(inputs: [randomTensor([5, 4], &rng, -2, 2)]) { t, v in
                t.focalLoss(v[0], targets: [0, 3, -100, 2, 1], gamma: gamma, classWeights: weights, ignoreIndex: -100)
            }
        }
    }

    /// The CRF's loss reaches emissions, transitions, start and end scores; sequences name their rows in any order, and
    /// an empty one adds nothing.
    func testLinearChainCRF() {
        let sequences = [[0, 2, 3], [5], [], [6, 4, 1]], tags: [[Int32]] = [[1, 0, 3], [2], [], [3, 3, 0]]
        gradientCheck(inputs: [randomTensor([7, 4], &rng, -2, 2), randomTensor([4, 4], &rng), randomTensor([4], &rng), randomTensor([4], &rng)]) { t, v in
            t.crfNegativeLogLikelihood(v[0], transitions: v[1], start: v[2], end: v[3], sequences: sequences, tags: tags)
        }
    }

    func testAttentionWithMasks() {
        let q = randomTensor([2, 3, 4], &rng), k = randomTensor([2, 5, 4], &rng), v = randomTensor([2, 5, 3], &rng)
        gradientCheck(inputs: [q, k, v]) { t, x in t.attention(q: x[0], k: x[1], v: x[2]) }
        let keyPadding = Tensor(shape: [2, 1, 5], values: [1, 1, 1, 0, 0, 1, 1, 1, 1, 1])
        gradientCheck(inputs: [q, k, v]) { t, x in t.attention(q: x[0], k: x[1], v: x[2], mask: keyPadding) }
        let full = Tensor(zeros: [2, 3, 5])
        for g in 0..<2 { for i in 0..<3 { for j in 0..<5 where j <= i + 1 { full[(g * 3 + i) * 5 + j] = 1 } } }
        gradientCheck(inputs: [q, k, v]) { t, x in t.attention(q: x[0], k: x[1], v: x[2], mask: full) }
    }

    /// Attention dropout (training): the same probability mask in every probe of the check.
    func testAttentionWithDropoutOnProbabilities() {
        let q = randomTensor([2, 3, 4], &rng), k = randomTensor([2, 5, 4], &rng), v = randomTensor([2, 5, 3], &rng)
        let keyPadding = Tensor(shape: [2, 1, 5], values: [1, 1, 1, 0, 0, 1, 1, 1, 1, 1])
        gradientCheck(inputs: [q, k, v], training: true) { t, x in t.attention(q: x[0], k: x[1], v: x[2], mask: keyPadding, dropout: 0.3) }
        // Dropout changes the output in training and is off in evaluation.
        let (train, eval) = (Tape(training: true, rng: RandomGenerator(seed: 3)), Tape(training: false))
        let a = train.value(train.attention(q: train.input(q), k: train.input(k), v: train.input(v), dropout: 0.5))
        let b = eval.value(eval.attention(q: eval.input(q), k: eval.input(k), v: eval.input(v), dropout: 0.5))
        let plain = eval.value(eval.attention(q: eval.input(q), k: eval.input(k), v: eval.input(v)))
        XCTAssertNotEqual(Array(UnsafeBufferPointer(start: a.data, count: a.count)), Array(UnsafeBufferPointer(start: b.data, count: b.count)))
        XCTAssertEqual(Array(UnsafeBufferPointer(start: b.data, count: b.count)), Array(UnsafeBufferPointer(start: plain.data, count: plain.count)))
    }

    /// Splitting [B, T, H·dh] into heads and merging them back: exact inverses, with gradients.
    func testHeadSplitAndMerge() {
        let x = randomTensor([2, 3, 6], &rng)
        gradientCheck(inputs: [x]) { t, v in t.splitHeads(v[0], heads: 3) }
        gradientCheck(inputs: [randomTensor([6, 3, 2], &rng)]) { t, v in t.mergeHeads(v[0], heads: 3) }
        let tape = Tape(training: false)
        let split = tape.splitHeads(tape.input(x), heads: 3)
        XCTAssertEqual(tape.value(split).shape, [6, 3, 2])
        XCTAssertEqual(tape.value(split).data[(1 * 3 + 2) * 3 * 2 + 1 * 2 + 0], x.data[(1 * 3 + 1) * 6 + 2 * 2 + 0], "group (b 1, head 2), step 1")
        let back = tape.value(tape.mergeHeads(split, heads: 3))
        XCTAssertEqual(Array(UnsafeBufferPointer(start: back.data, count: back.count)), Array(UnsafeBufferPointer(start: x.data, count: x.count)))
    }

    func testConcatenateRows() {
        gradientCheck(inputs: [randomTensor([2, 3, 2], &rng), randomTensor([4, 2], &rng)]) { t, v in t.concatenateRows(v) }
        let tape = Tape(training: false)
        let out = tape.value(tape.concatenateRows([tape.input(Tensor(shape: [2, 2], values: [1, 2, 3, 4])), tape.input(Tensor(shape: [1, 2], values: [5, 6]))]))
        XCTAssertEqual(out.shape, [3, 2])
        XCTAssertEqual(Array(UnsafeBufferPointer(start: out.data, count: 6)), [1, 2, 3, 4, 5, 6])
    }

    func testFirstStep() {
        gradientCheck(inputs: [randomTensor([3, 4, 2], &rng)]) { t, v in t.firstStep(v[0]) }
    }

    func testLSTMMultiLayerWithLengthsStateAndDropout() {
        let (time, batch, inSize, hidden) = (4, 3, 3, 2)
        var inputs = [randomTensor([time, batch, inSize], &rng)]
        for l in 0..<2 {
            let inDim = l == 0 ? inSize : hidden
            inputs += [randomTensor([4 * hidden, inDim], &rng, -0.6, 0.6), randomTensor([4 * hidden, hidden], &rng, -0.6, 0.6),
                       randomTensor([4 * hidden], &rng, -0.3, 0.3), randomTensor([4 * hidden], &rng, -0.3, 0.3)]
        }
        var stateRng = RandomGenerator(seed: 3)
        let initial = LSTMState(hidden: randomTensor([2, batch, hidden], &stateRng), cell: randomTensor([2, batch, hidden], &stateRng))
        func layers(_ v: [Variable]) -> [LSTMLayerVariables] {
            (0..<2).map { LSTMLayerVariables(inputWeight: v[1 + 4 * $0], hiddenWeight: v[2 + 4 * $0],
                                              inputBias: v[3 + 4 * $0], hiddenBias: v[4 + 4 * $0]) }
        }
        gradientCheck(inputs: inputs) { t, v in t.lstm(v[0], layers: layers(v), initial: initial).output }
        gradientCheck(inputs: inputs) { t, v in t.lstm(v[0], layers: layers(v), lengths: [4, 1, 2]).output }
        gradientCheck(inputs: inputs, training: true) { t, v in
            t.lstm(v[0], layers: layers(v), lengths: [3, 4, 2], interLayerDropout: 0.3).output
        }
    }

    /// A whole small classifier: embedding → BiLSTM → max-pool ⊕ mean-pool → linear → cross-entropy.
    func testComposedClassifier() {
        let (vocabulary, dim, hidden, classes) = (7, 3, 2, 3)
        var init_ = RandomGenerator(seed: 11)
        func param(_ name: String, _ shape: [Int]) -> Parameter { Parameter(name, randomTensor(shape, &init_, -0.5, 0.5)) }
        let table = param("embedding.weight", [vocabulary, dim])
        let directions = (0..<2).map { d in
            [param("lstm.\(d).weightIH", [4 * hidden, dim]), param("lstm.\(d).weightHH", [4 * hidden, hidden]),
             param("lstm.\(d).biasIH", [4 * hidden]), param("lstm.\(d).biasHH", [4 * hidden])]
        }
        let head = param("head.weight", [classes, 4 * hidden]), headBias = param("head.bias", [classes])
        let ids: [Int32] = [1, 2, 3, 4, 5, 6, 1, 3, 0, 3, 0, 0]  // [T 4, B 3] time-major, 0 = padding
        let lengths = [4, 3, 2]
        // ε = 1e-3: with ε = 1e-2 a bias perturbation moves two near-tied max-pool candidates past
        // each other, and the difference quotient straddles the kink.
        gradientCheck(inputs: [], parameters: [table] + directions.flatMap { $0 } + [head, headBias], epsilon: 1e-3) { t, _ in
            let x = t.embedding(ids, shape: [4, 3], table: t.parameter(table), paddingIndex: 0)
            func run(_ p: [Parameter], _ input: Variable) -> Variable {
                t.lstm(input, layers: [LSTMLayerVariables(inputWeight: t.parameter(p[0]), hiddenWeight: t.parameter(p[1]),
                                                           inputBias: t.parameter(p[2]), hiddenBias: t.parameter(p[3]))],
                       lengths: lengths).output
            }
            let forward = run(directions[0], x)
            let backward = t.reverseSequences(run(directions[1], t.reverseSequences(x, lengths: lengths)), lengths: lengths)
            let states = t.swapLeadingAxes(t.concatenate([forward, backward]))
            let pooled = t.concatenate([t.maxOverTime(states, lengths: lengths), t.meanOverTime(states, lengths: lengths)])
            return t.crossEntropy(t.linear(pooled, weight: t.parameter(head), bias: t.parameter(headBias)), targets: [0, 2, 1])
        }
    }

    func testFrozenParameterGetsNoGradientWork() {
        let frozen = Parameter("embedding.weight", Tensor(shape: [4, 2], repeating: 0.5))
        frozen.requiresGrad = false
        let trained = Parameter("head.weight", Tensor(shape: [3, 2], repeating: 0.1))
        let tape = Tape(training: false)
        let x = tape.embedding([0, 1, 2], shape: [3], table: tape.parameter(frozen))
        XCTAssertFalse(tape.needsGradient(x), "an op over frozen inputs records no backward")
        let loss = tape.crossEntropy(tape.linear(x, weight: tape.parameter(trained)), targets: [0, 1, 2])
        tape.backward(loss)
        XCTAssertTrue(frozen.grad.array.allSatisfy { $0 == 0 })
        XCTAssertTrue(trained.grad.array.contains { $0 != 0 })
    }
}

final class FusedOutputLayerTests: XCTestCase {
    func testLinearCrossEntropyEqualsUnfusedAndChecksGradients() {
        var rng = RandomGenerator(seed: 21)
        let x = randomTensor([6, 4], &rng), w = randomTensor([9, 4], &rng), b = randomTensor([9], &rng)
        let targets: [Int32] = [0, 8, 3, -1, 3, 5]
        gradientCheck(inputs: [x, w, b]) { t, v in t.linearCrossEntropy(v[0], weight: v[1], bias: v[2], targets: targets, ignoreIndex: -1) }
        let fused = Tape(training: false), plain = Tape(training: false)
        let fv = [x, w, b].map { fused.input($0) }, pv = [x, w, b].map { plain.input($0) }
        let lf = fused.linearCrossEntropy(fv[0], weight: fv[1], bias: fv[2], targets: targets, ignoreIndex: -1)
        let lp = plain.crossEntropy(plain.linear(pv[0], weight: pv[1], bias: pv[2]), targets: targets, ignoreIndex: -1)
        XCTAssertEqual(fused.value(lf).scalar, plain.value(lp).scalar, accuracy: 1e-5)
        fused.backward(lf); plain.backward(lp)
        for i in 0..<3 { assertClose(fused.gradient(fv[i])!, plain.gradient(pv[i])!, absolute: 1e-6, relative: 1e-4) }
        XCTAssertTrue(fused.gradient(fv[0])!.array[12..<16].allSatisfy { $0 == 0 }, "the ignored row gets no gradient")
        // Every row counted (no rows left out: the products run on x itself).
        gradientCheck(inputs: [x, w, b]) { t, v in t.linearCrossEntropy(v[0], weight: v[1], bias: v[2], targets: [0, 8, 3, 1, 3, 5]) }
        // Every row ignored: no loss and no gradient.
        let none = Tape(training: false)
        let nv = [x, w, b].map { none.input($0) }
        let ln = none.linearCrossEntropy(nv[0], weight: nv[1], bias: nv[2], targets: [-1, -1, -1, -1, -1, -1], ignoreIndex: -1)
        XCTAssertEqual(none.value(ln).scalar, 0)
        none.backward(ln)
        XCTAssertTrue(none.gradient(nv[0]).map { $0.array.allSatisfy { $0 == 0 } } ?? true, "none, or zeros")
    }
}
