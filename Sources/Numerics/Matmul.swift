/// Tensor-level matrix products: the last dimension is the column dimension,
/// all leading dimensions are flattened into rows.
public enum Matmul {
    /// out[rows(a) × (transB ? rows(b) : cols(b))] = a · op(b), accumulating into `out` when `accumulate`.
    public static func product(_ a: Tensor, _ b: Tensor, transA: Bool = false, transB: Bool = false,
                               into out: Tensor, accumulate: Bool = false) {
        let (aRows, aCols) = (a.rows, a.columns)
        let (bRows, bCols) = (b.rows, b.columns)
        let m = transA ? aCols : aRows, k = transA ? aRows : aCols
        let kb = transB ? bCols : bRows, n = transB ? bRows : bCols
        precondition(k == kb, "matmul inner dimensions: a \(a.shape) tA \(transA), b \(b.shape) tB \(transB)")
        precondition(out.count == m * n, "matmul output \(out.shape) for m \(m) n \(n)")
        BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a.data, lda: aCols,
                  b: b.data, ldb: bCols, beta: accumulate ? 1 : 0, c: out.data, ldc: n)
    }

    /// A new tensor a · op(b).
    public static func product(_ a: Tensor, _ b: Tensor, transA: Bool = false, transB: Bool = false) -> Tensor {
        let m = transA ? a.columns : a.rows
        let n = transB ? b.rows : b.columns
        let out = Tensor(zeros: [m, n])
        product(a, b, transA: transA, transB: transB, into: out)
        return out
    }
}
