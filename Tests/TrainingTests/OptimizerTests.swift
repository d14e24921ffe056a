import Autodiff
import Numerics
import TestSupport
import Training
import XCTest

/// One step of every optimizer against its closed form; Adam/AdamW against the NumPy reference.
final class OptimizerTests: XCTestCase {
    /// A single parameter [w0, w1] = [1, -2] with gradient [0.5, 0.25], stepped by `kind`.
    func step(_ kind: OptimizerKind, lr: Float, weightDecay: Float = 0, steps: Int = 1) throws -> [Float] {
        let p = Parameter("w", Tensor(shape: [2], values: [1, -2]))
        let optimizer = try GroupedOptimizer(parameters: [p], groups: [
            GroupConfig(name: "all", patterns: ["*"], optimizer: kind, learningRate: lr, weightDecay: weightDecay)])
        for _ in 0..<steps {
            p.grad.assign(Tensor(shape: [2], values: [0.5, 0.25]))
            optimizer.update()
        }
        return p.value.array
    }

    func testSGDPlainMomentumNesterovAndWeightDecay() throws {
        assertClose(try step(.sgd(), lr: 0.1), [0.95, -2.025])
        assertClose(try step(.sgd(), lr: 0.1, weightDecay: 0.1), [1 - 0.1 * 0.6, -2 - 0.1 * (0.25 - 0.2)])
        // Momentum 0.9, two steps: buffer = g, then 0.9g + g = 1.9g; total 2.9g·lr.
        assertClose(try step(.sgd(momentum: 0.9), lr: 0.1, steps: 2), [1 - 0.29 * 0.5, -2 - 0.29 * 0.25])
        // Nesterov: update g + μ·buf: step1 1.9g, step2 g + 0.9·1.9g = 2.71g; total 4.61g·lr.
        assertClose(try step(.sgd(momentum: 0.9, nesterov: true), lr: 0.1, steps: 2), [1 - 0.461 * 0.5, -2 - 0.461 * 0.25])
    }

    func testAdagradAdadeltaASGDClosedForms() throws {
        // Adagrad step 1: w − lr·g/|g| = w − lr·sign(g).
        assertClose(try step(.adagrad(), lr: 0.1), [0.9, -2.1], absolute: 1e-6)
        // Adadelta step 1: E[g²] = (1−ρ)g²; Δ = √ε/√(E[g²]+ε)·g.
        let rho: Float = 0.9, eps: Float = 1e-6
        let expected = [Float(0.5), 0.25].enumerated().map { i, g in
            [Float(1), -2][i] - eps.squareRoot() / ((1 - rho) * g * g + eps).squareRoot() * g
        }
        assertClose(try step(.adadelta(rho: rho, epsilon: eps), lr: 1), expected, absolute: 1e-7)
        // ASGD step 1: w·(1 − λη) − ηg with η = lr.
        let lambda: Float = 1e-4, lr: Float = 0.1
        assertClose(try step(.asgd(lambda: lambda), lr: lr), [1 * (1 - lambda * lr) - lr * 0.5, -2 * (1 - lambda * lr) - lr * 0.25])
    }

    func testASGDAveragesIteratesAfterT0() throws {
        let p = Parameter("w", Tensor(shape: [1], values: [0]))
        let optimizer = try GroupedOptimizer(parameters: [p], groups: [
            GroupConfig(name: "all", patterns: ["*"], optimizer: .asgd(lambda: 0, alpha: 0.75, t0: 0), learningRate: 1)])
        var iterates: [Float] = []
        for _ in 0..<4 {
            p.grad.assign(Tensor(shape: [1], values: [-1]))  // w grows by η each step
            optimizer.update()
            iterates.append(p.value[0])
        }
        // torch.optim.ASGD uses μ_t = 1/max(1, t − 1 − t0) at step t: with t0 = 0 the average is reset
        // to the iterate at steps 1 and 2 and then averages iterates 2, 3, 4.
        let average = optimizer.groups[0].state(of: p)!.tensors["average"]!
        XCTAssertEqual(iterates, [1, 2, 3, 4])
        XCTAssertEqual(average[0], (iterates[1] + iterates[2] + iterates[3]) / 3, accuracy: 1e-6)
    }

    /// ASGD keeps its average only once averaging begins (before, torch's average is the iterate itself): a
    /// checkpoint before t0 carries no copy of the weights, and weights and average follow, bit for bit, the
    /// rule that keeps the average from the first step — through a checkpoint and restore on the way.
    func testASGDKeepsItsAverageOnlyOnceAveragingBeginsAndMatchesTheEagerRule() throws {
        let (lambda, alpha, lr, t0): (Float, Float, Float, Int) = (1e-2, 0.75, 0.1, 3)
        var rng = RandomGenerator(seed: 7)
        let steps = 8, n = 5
        let grads = (0..<steps).map { _ in (0..<n).map { _ in rng.uniform(-1, 1) } }
        let start = (0..<n).map { _ in rng.uniform(-1, 1) }
        // The eager rule, as torch.optim.ASGD (and this optimizer before): the average set at every step.
        var w = start, average = [Float](repeating: 0, count: n)
        var expected: [(w: [Float], average: [Float])] = []
        for t in 1...steps {
            let eta = lr / pow(1 + lambda * lr * Float(t - 1), alpha)
            let mu = 1 / max(1, Float(t) - 1 - Float(t0))
            for i in 0..<n {
                w[i] *= 1 - lambda * eta
                w[i] -= eta * grads[t - 1][i]
                average[i] = mu == 1 ? w[i] : average[i] + mu * (w[i] - average[i])
            }
            expected.append((w, average))
        }
        func optimizer(_ p: Parameter) throws -> GroupedOptimizer {
            try GroupedOptimizer(parameters: [p], groups: [
                GroupConfig(name: "all", patterns: ["*"], optimizer: .asgd(lambda: lambda, alpha: alpha, t0: t0), learningRate: lr)])
        }
        var p = Parameter("w", Tensor(shape: [n], values: start))
        var o = try optimizer(p)
        for t in 1...steps {
            p.grad.assign(Tensor(shape: [n], values: grads[t - 1]))
            o.update()
            XCTAssertEqual(p.value.array, expected[t - 1].w, "weights at step \(t)")
            let kept = o.groups[0].state(of: p)!.tensors["average"]
            // μ_t = 1/max(1, t − 1 − t0) falls below 1 at step t0 + 3 = 6: the average is kept from step 5 on.
            XCTAssertEqual(kept != nil, t >= t0 + 2, "average kept at step \(t)")
            if let kept { XCTAssertEqual(kept.array, expected[t - 1].average, "average at step \(t)") }
            if t == 2 || t == 5 {  // a checkpoint and a fresh optimizer restored from it carry on alike
                let saved = Dictionary(uniqueKeysWithValues: o.stateTensors.map { ($0.name, $0.value.copy()) })
                XCTAssertEqual(saved.keys.contains("w#average"), t == 5, "checkpoint at step \(t): \(saved.keys.sorted())")
                p = Parameter("w", p.value.copy())
                o = try optimizer(p)
                o.restore(saved)
            }
        }
    }

    func testAdamAndAdamWMatchReferenceTrajectories() throws {
        let f = try Fixture("adam")
        let grads = f.tensor("grads"), n = f.tensor("p0").count
        for (kind, key) in [(OptimizerKind.adam(beta1: Float(f.number("beta1")), beta2: Float(f.number("beta2")), epsilon: Float(f.number("eps"))), "adam"),
                            (.adamW(beta1: Float(f.number("beta1")), beta2: Float(f.number("beta2")), epsilon: Float(f.number("eps"))), "adamW")] {
            let p = Parameter("w", f.tensor("p0"))
            let optimizer = try GroupedOptimizer(parameters: [p], groups: [
                GroupConfig(name: "all", patterns: ["*"], optimizer: kind, learningRate: Float(f.number("lr")),
                            weightDecay: Float(f.number("weightDecay")))])
            let expected = f.tensor(key)
            for t in 0..<grads.dim(0) {
                p.grad.assign(Tensor(shape: [n], values: Array(grads.array[(t * n)..<((t + 1) * n)])))
                optimizer.update()
                assertClose(p.value.array, Array(expected.array[(t * n)..<((t + 1) * n)]), absolute: 1e-6, relative: 1e-5,
                            "\(key) step \(t + 1)")
            }
        }
    }

    /// The vectorised Adadelta kernel against the scalar rule it replaced (Zeiler 2012; the order of
    /// operations of PyTorch's loop): every weight and state value equal to the last bit, so runs
    /// recorded before the kernel are reproduced exactly by runs after it.
    func testAdadeltaKernelIsTheScalarRuleBitForBit() throws {
        let rho: Float = 0.95, epsilon: Float = 1e-6
        try assertKernelIsScalarRule(.adadelta(rho: rho, epsilon: epsilon), states: ["squareAverage", "deltaAverage"]) { w, d, s, lr, _ in
            s[0] = rho * s[0] + (1 - rho) * d * d
            let delta = (s[1] + epsilon).squareRoot() / (s[0] + epsilon).squareRoot() * d
            s[1] = rho * s[1] + (1 - rho) * delta * delta
            w -= lr * delta
        }
    }

    /// The same for Adam (Kingma & Ba 2015, bias-corrected as torch.optim.Adam).
    func testAdamKernelIsTheScalarRuleBitForBit() throws {
        let beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
        try assertKernelIsScalarRule(.adam(beta1: beta1, beta2: beta2, epsilon: epsilon), states: ["m", "v"]) { w, d, s, lr, t in
            let stepSize = lr / (1 - pow(beta1, Float(t))), rootCorrection2 = (1 - pow(beta2, Float(t))).squareRoot()
            s[0] = beta1 * s[0] + (1 - beta1) * d
            s[1] = beta2 * s[1] + (1 - beta2) * d * d
            w -= stepSize * s[0] / (s[1].squareRoot() / rootCorrection2 + epsilon)
        }
    }

    /// Steps `kind` over 1,037 parameters (vector lanes and a remainder) six times, with and without L2
    /// weight decay, beside `rule` (weight, gradient with decay, state values, lr, step) applied per element.
    func assertKernelIsScalarRule(_ kind: OptimizerKind, states: [String],
                                  rule: (inout Float, Float, inout [Float], Float, Int) -> Void) throws {
        let n = 1_037
        var rng = RandomGenerator(seed: 7)
        for (lr, weightDecay) in [(Float(1), Float(0)), (0.3, 0.01)] {
            var w = (0..<n).map { _ in rng.normal() * 0.3 }
            var state = [[Float]](repeating: [Float](repeating: 0, count: states.count), count: n)
            let p = Parameter("w", Tensor(shape: [n], values: w))
            let optimizer = try GroupedOptimizer(parameters: [p], groups: [
                GroupConfig(name: "all", patterns: ["*"], optimizer: kind, learningRate: lr, weightDecay: weightDecay)])
            for step in 1...6 {
                // Rows an embedding's batch does not touch have zero gradient; the rest span magnitudes.
                let g = (0..<n).map { i in i % 5 == 0 ? 0 : rng.normal() * Float(i % 7 + 1) * 0.01 }
                p.grad.assign(Tensor(shape: [n], values: g))
                optimizer.update()
                for i in 0..<n { rule(&w[i], weightDecay == 0 ? g[i] : g[i] + weightDecay * w[i], &state[i], lr, step) }
                let kept = optimizer.groups[0].state(of: p)!
                var compared = [("weights", p.value.array, w)]
                for (k, name) in states.enumerated() { compared.append((name, kept.tensors[name]!.array, state.map { $0[k] })) }
                for (name, got, want) in compared {
                    let differing = (0..<n).filter { got[$0].bitPattern != want[$0].bitPattern }
                    XCTAssertEqual(differing.count, 0, "\(kind), lr \(lr), weight decay \(weightDecay), step \(step): \(name) differ at \(differing.prefix(5))")
                }
            }
        }
    }
}
