import COpenBLAS
import Numerics

/// SGEMM throughput of our matmul path (`Matmul.product` over tensors) beside a raw `cblas_sgemm`
/// call, on the cases and method of ../shared/peers/gemm_cblas.c (warm-up, reps calibrated to
/// ≥ 0.4 s, 3 runs, GFLOP/s = 2·m·n·k·reps / s).
public enum GemmBenchmark {
    public struct Case: Sendable {
        public let name: String, m: Int, k: Int, n: Int, transA: Bool
    }

    public static let cases: [Case] = [
        Case(name: "square256", m: 256, k: 256, n: 256, transA: false),
        Case(name: "square512", m: 512, k: 512, n: 512, transA: false),
        Case(name: "square1024", m: 1024, k: 1024, n: 1024, transA: false),
        Case(name: "square2048", m: 2048, k: 2048, n: 2048, transA: false),
        Case(name: "skinny_fwd_32x1600x400", m: 32, k: 1600, n: 400, transA: false),
        Case(name: "skinny_wgrad_1600x32x400_tA", m: 1600, k: 32, n: 400, transA: true),
        Case(name: "lstm_gates_32x768x2048", m: 32, k: 768, n: 2048, transA: false),
    ]

    public struct Result: Sendable {
        public let name: String
        public let ours: Measurement
        public let raw: Measurement
    }

    public static func run(_ c: Case, targetSeconds: Double = 0.4) -> Result {
        var rng = RandomGenerator(seed: 12345)
        let a = Tensor(zeros: c.transA ? [c.k, c.m] : [c.m, c.k]); rng.fillUniform(a, -0.5, 0.5)
        let b = Tensor(zeros: [c.k, c.n]); rng.fillUniform(b, -0.5, 0.5)
        let out = Tensor(zeros: [c.m, c.n])
        let ours = { Matmul.product(a, b, transA: c.transA, into: out) }
        let lda = Int32(c.transA ? c.m : c.k)
        let raw = {
            cblas_sgemm(CblasRowMajor, c.transA ? CblasTrans : CblasNoTrans, CblasNoTrans, Int32(c.m), Int32(c.n), Int32(c.k),
                        1, a.data, lda, b.data, Int32(c.n), 0, out.data, Int32(c.n))
        }
        let flops = 2.0 * Double(c.m) * Double(c.n) * Double(c.k)
        return Result(name: c.name, ours: measure(ours, flops: flops, target: targetSeconds),
                      raw: measure(raw, flops: flops, target: targetSeconds))
    }

    private static func measure(_ body: () -> Void, flops: Double, target: Double) -> Measurement {
        for _ in 0..<3 { body() }
        let start = Clock.now()
        var count = 0
        while Clock.now() - start < 0.1 { body(); count += 1 }
        let reps = Swift.max(Int(target / ((Clock.now() - start) / Double(count))), 3)
        let seconds = Clock.timedRuns(warmup: 0, runs: 3, steps: reps, body)
        return Measurement(seconds.map { flops * Double(reps) / $0 / 1e9 })
    }
}
