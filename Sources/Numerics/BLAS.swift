import COpenBLAS
import Foundation

/// Matrix products through OpenBLAS's CBLAS interface, row-major throughout.
///
/// Every matrix product in TransferLab goes through here, so that the BLAS core and thread count
/// that produced a number can always be stated.
public enum BLAS {
    /// C[m×n] = alpha · op(A) · op(B) + beta · C, where op(A) is m×k and op(B) is k×n.
    /// `lda`/`ldb`/`ldc` are the row strides of A, B, C as stored (before transposition).
    @inline(__always)
    public static func gemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            scaleInPlace(c, rows: m, columns: n, stride: ldc, by: beta)
            return
        }
        precondition(lda >= (transA ? m : k) && ldb >= (transB ? k : n) && ldc >= n,
                     "gemm strides lda \(lda) ldb \(ldb) ldc \(ldc) too small for m \(m) n \(n) k \(k) tA \(transA) tB \(transB)")
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Batched product: `count` independent gemms whose operands start `strideA`, `strideB`, `strideC`
    /// floats apart (OpenBLAS 0.3.21 has no batched sgemm, so this loops).
    public static func gemmBatched(
        count: Int, transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, strideA: Int, b: UnsafePointer<Float>, ldb: Int, strideB: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int
    ) {
        for i in 0..<count {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                 a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb,
                 beta: beta, c: c + i * strideC, ldc: ldc)
        }
    }

    /// y[m or n] = alpha · op(A) · x + beta · y for A stored m×n.
    public static func gemv(
        trans: Bool = false, m: Int, n: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float = 0, y: UnsafeMutablePointer<Float>
    ) {
        guard m > 0, n > 0 else { return }
        cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha,
                    a, Int32(lda), x, 1, beta, y, 1)
    }

    /// y += alpha · x over `count` floats.
    @inline(__always)
    public static func axpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(Int32(count), alpha, x, 1, y, 1)
    }

    /// Σ x·y over `count` floats.
    @inline(__always)
    public static func dot(count: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>) -> Float {
        cblas_sdot(Int32(count), x, 1, y, 1)
    }

    private static func scaleInPlace(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int, by beta: Float) {
        for r in 0..<rows {
            let row = c + r * stride
            for j in 0..<columns { row[j] = beta == 0 ? 0 : row[j] * beta }
        }
    }

    // MARK: Introspection

    /// Threads OpenBLAS uses for one call. Setting it affects the whole process.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }

    /// The kernel family OpenBLAS dispatched to (e.g. `Haswell`, `Cooperlake`).
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's build configuration string.
    public static var config: String { String(cString: openblas_get_config()).trimmingCharacters(in: .whitespaces) }

    /// The user's `OPENBLAS_CORETYPE` override, if any: it forces a kernel family and can halve SGEMM speed.
    /// (Not tlab's own choice when OpenBLAS fell back to generic kernels: `BLASCoreChoice`.)
    public static var coreTypeOverride: String? {
        guard BLASCoreChoice.fallback == nil, let value = getenv("OPENBLAS_CORETYPE") else { return nil }
        return String(cString: value)
    }

    /// How this process's kernels were chosen: `OPENBLAS_CORETYPE=<the user's>`, `OPENBLAS_CORETYPE unset`,
    /// or tlab's choice where OpenBLAS fell back to generic kernels (`BLASCoreChoice`).
    public static var coreSetting: String {
        if let fallback = BLASCoreChoice.fallback { return "chosen by tlab from the CPU's features: OpenBLAS fell back to \(fallback) here" }
        return coreTypeOverride.map { "OPENBLAS_CORETYPE=\($0)" } ?? "OPENBLAS_CORETYPE unset"
    }

    /// One line describing the BLAS that runs: core, how it was chosen, threads, build.
    public static var summary: String {
        "OpenBLAS core \(coreName) (\(coreSetting)), threads \(threads); \(config)"
    }
}
