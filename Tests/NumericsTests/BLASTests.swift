import Numerics
import TestSupport
import XCTest

/// Every transpose case of the GEMM path against a naive triple loop in Double.
final class BLASTests: XCTestCase {
    func testGemmAllTransposeCasesWithStridesAndBeta() {
        var rng = RandomGenerator(seed: 1)
        let (m, n, k) = (5, 4, 3)
        for transA in [false, true] { for transB in [false, true] {
            let (aRows, aCols) = transA ? (k, m) : (m, k)
            let (bRows, bCols) = transB ? (n, k) : (k, n)
            let lda = aCols + 2, ldb = bCols + 1, ldc = n + 3  // padded strides
            let a = randomTensor([aRows, lda], &rng), b = randomTensor([bRows, ldb], &rng), c = randomTensor([m, ldc], &rng)
            let c0 = c.copy()
            BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a.data, lda: lda,
                      b: b.data, ldb: ldb, beta: 2, c: c.data, ldc: ldc)
            for i in 0..<m { for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let av = transA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(av) * Double(bv)
                }
                XCTAssertEqual(Double(c[i * ldc + j]), 0.5 * sum + 2 * Double(c0[i * ldc + j]), accuracy: 1e-5)
            } }
            XCTAssertEqual(c[ldc - 1], c0[ldc - 1], "padding columns are untouched")
        } }
    }

    func testBatchedGemmAndGemv() {
        var rng = RandomGenerator(seed: 2)
        let a = randomTensor([3, 2, 4], &rng), b = randomTensor([3, 4, 5], &rng)
        let c = Tensor(zeros: [3, 2, 5])
        BLAS.gemmBatched(count: 3, m: 2, n: 5, k: 4, a: a.data, lda: 4, strideA: 8, b: b.data, ldb: 5, strideB: 20,
                         c: c.data, ldc: 5, strideC: 10)
        for g in 0..<3 {
            let single = Matmul.product(Tensor(shape: [2, 4], values: Array(a.array[(g * 8)..<(g * 8 + 8)])),
                                        Tensor(shape: [4, 5], values: Array(b.array[(g * 20)..<(g * 20 + 20)])))
            assertClose(Array(c.array[(g * 10)..<(g * 10 + 10)]), single.array)
        }
        let x = randomTensor([4], &rng), y = Tensor(zeros: [2])
        BLAS.gemv(m: 2, n: 4, a: a.data, lda: 4, x: x.data, y: y.data)
        assertClose(y.array, Matmul.product(Tensor(shape: [2, 4], values: Array(a.array[0..<8])), x.reshaped([4, 1])).array)
    }

    func testIntrospectionNamesACore() {
        XCTAssertFalse(BLAS.coreName.isEmpty)
        XCTAssertTrue(BLAS.summary.contains(BLAS.coreName))
    }

    /// Only OpenBLAS's generic fallback is replaced, by the kernels the CPU's features support.
    func testTheFallbackIsReplacedByTheKernelsTheFeaturesSupport() {
        // The first flags line of an Emerald Rapids guest's /proc/cpuinfo (family 6, model 207), shortened.
        let cpuinfo = "processor\t: 0\nmodel\t\t: 207\nflags\t\t: fpu sse sse2 ssse3 fma sse4_1 avx f16c avx2 avx512f avx512dq avx512cd avx512bw avx512vl avx512_bf16 avx512_vnni\nbugs\t\t: spectre_v1\n\nprocessor\t: 1\nflags\t\t: fpu\n"
        let emerald = BLASCoreChoice.cpuFlags(cpuinfo: cpuinfo)
        XCTAssertTrue(emerald.isSuperset(of: ["fpu", "avx2", "avx512_bf16"]))
        XCTAssertFalse(emerald.contains("bugs") || emerald.contains(":"))
        XCTAssertEqual(BLASCoreChoice.replacement(for: "Prescott", flags: emerald), "Cooperlake")
        XCTAssertEqual(BLASCoreChoice.replacement(for: "Prescott", flags: emerald.subtracting(["avx512_bf16"])), "SkylakeX")
        XCTAssertEqual(BLASCoreChoice.replacement(for: "Prescott", flags: emerald.subtracting(["avx512bw"])), "Haswell", "AVX-512 without BW: OpenBLAS's SkylakeX kernels need it")
        XCTAssertEqual(BLASCoreChoice.replacement(for: "Prescott", flags: ["sse3", "avx"]), "Sandybridge")
        XCTAssertNil(BLASCoreChoice.replacement(for: "Prescott", flags: ["sse3"]), "a CPU the generic kernels suit")
        for own in ["Cooperlake", "SkylakeX", "Haswell", "Zen", "Sandybridge"] {
            XCTAssertNil(BLASCoreChoice.replacement(for: own, flags: emerald), "OpenBLAS's own pick \(own) stands")
        }
        XCTAssertEqual(BLASCoreChoice.cpuFlags(cpuinfo: "processor\t: 0\n"), [])
        XCTAssertEqual(BLASCoreChoice.cpuFlags(cpuinfo: nil), [])
    }
}

final class ProcrustesTests: XCTestCase {
    /// B = A·Q for a random rotation Q (from a Gram–Schmidt of random columns): the alignment finds Q.
    func testRecoversARotation() throws {
        var rng = RandomGenerator(seed: 9)
        let rows = 40, d = 5
        let a = (0..<(rows * d)).map { _ in rng.uniform(-1, 1) }
        var q = (0..<(d * d)).map { _ in rng.uniform(-1, 1) }
        for j in 0..<d {  // orthonormalise the columns of q (row-major)
            for p in 0..<j {
                let proj = (0..<d).map { q[$0 * d + j] * q[$0 * d + p] }.reduce(0, +)
                for i in 0..<d { q[i * d + j] -= proj * q[i * d + p] }
            }
            let norm = (0..<d).map { q[$0 * d + j] * q[$0 * d + j] }.reduce(0, +).squareRoot()
            for i in 0..<d { q[i * d + j] /= norm }
        }
        var b = [Float](repeating: 0, count: rows * d)
        for i in 0..<rows { for j in 0..<d { for k in 0..<d { b[i * d + j] += a[i * d + k] * q[k * d + j] } } }
        let r = try Procrustes.rotation(a, b, rows: rows, dimension: d)
        for i in 0..<(d * d) { XCTAssertEqual(r[i], q[i], accuracy: 1e-4) }
        let aligned = try Procrustes.align(a, onto: b, rows: rows, dimension: d)
        for i in 0..<(rows * d) { XCTAssertEqual(aligned[i], b[i], accuracy: 1e-4) }
    }
}
