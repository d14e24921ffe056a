import Autodiff
import Numerics
import XCTest

/// Central-difference gradient check of everything a tape computation differentiates.
///
/// The probe loss is L = Σ out ⊙ dout with a random upstream gradient `dout`, so every output element
/// contributes with a distinct weight. Each entry of each checked tensor is perturbed by ±ε and
/// (L(x+ε) − L(x−ε)) / 2ε is compared with the analytic gradient. Float32 forward passes limit
/// precision: with ε = 1e-2 the truncation error O(ε²) and the rounding error O(ulp(L)/ε) are both
/// around 1e-4 relative, hence the default tolerance. `maxEntries` samples large tensors; `excluding`
/// skips entries whose gradient is zero by definition (an embedding's padding row).
public func gradientCheck(
    inputs: [Tensor], parameters: [Parameter] = [], epsilon: Float = 1e-2, absolute: Float = 2e-3,
    relative: Float = 2e-2, maxEntries: Int = 60, seed: UInt64 = 99, training: Bool = false,
    excluding excluded: (String, Int) -> Bool = { _, _ in false },
    file: StaticString = #filePath, line: UInt = #line,
    _ build: (Tape, [Variable]) -> Variable
) {
    var rng = RandomGenerator(seed: seed)
    // Analytic gradients.
    parameters.forEach { $0.zeroGrad() }
    // Every pass uses a tape with the same dropout stream, so random masks are identical across probes.
    let tape = Tape(training: training, rng: RandomGenerator(seed: seed &+ 1))
    let variables = inputs.map { tape.input($0) }
    let output = build(tape, variables)
    let dout = randomTensor(tape.value(output).shape, &rng)
    let loss = tape.weightedSum(output, weights: dout)
    tape.backward(loss)
    var analytic: [(String, Tensor, Tensor)] = inputs.indices.map { i in
        ("input \(i)", inputs[i], tape.gradient(variables[i]) ?? Tensor(zeros: inputs[i].shape))
    }
    analytic += parameters.map { ($0.name, $0.value, $0.grad.copy()) }

    func probe() -> Double {
        let t = Tape(training: training, rng: RandomGenerator(seed: seed &+ 1))
        let out = build(t, inputs.map { t.input($0) })
        let values = t.value(out)
        var total: Double = 0
        for i in 0..<values.count { total += Double(values.data[i]) * Double(dout.data[i]) }
        return total
    }
    for (name, tensor, gradient) in analytic {
        let indices = (tensor.count <= maxEntries ? Array(0..<tensor.count)
            : (0..<maxEntries).map { _ in rng.int(below: tensor.count) }).filter { !excluded(name, $0) }
        var numeric: [Float] = [], exact: [Float] = []
        for index in indices {
            let saved = tensor.data[index]
            tensor.data[index] = saved + epsilon
            let plus = probe()
            tensor.data[index] = saved - epsilon
            let minus = probe()
            tensor.data[index] = saved
            numeric.append(Float((plus - minus) / (2 * Double(epsilon))))
            exact.append(gradient.data[index])
        }
        assertClose(exact, numeric, absolute: absolute, relative: relative, "gradient of \(name)", file: file, line: line)
    }
}
