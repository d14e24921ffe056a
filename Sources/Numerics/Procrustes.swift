import COpenBLAS

/// Orthogonal Procrustes alignment (Schönemann 1966): the rotation R minimising ‖A·R − B‖_F over
/// orthogonal matrices is U·Vᵀ, where Aᵀ·B = U·Σ·Vᵀ. Used to compare two embeddings of the same
/// words trained separately, whose axes are arbitrary (Hamilton et al. 2016).
public enum Procrustes {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// R (row-major, d × d) for row-major `a`, `b` of `rows` × `d`.
    public static func rotation(_ a: [Float], _ b: [Float], rows: Int, dimension d: Int) throws -> [Float] {
        precondition(a.count == rows * d && b.count == rows * d, "A and B must both be rows × dimension")
        // M = Aᵀ·B, row-major d × d; LAPACK reads it column-major, i.e. as Mᵀ = V·Σ·Uᵀ, so its "U" is
        // our V and its "Vᵀ" is our Uᵀ.
        var m = [Float](repeating: 0, count: d * d)
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(d), Int32(d), Int32(rows), 1, a, Int32(d), b, Int32(d), 0, &m, Int32(d))
        var n = Int32(d), info: Int32 = 0, lwork: Int32 = -1
        var s = [Float](repeating: 0, count: d), v = [Float](repeating: 0, count: d * d), ut = [Float](repeating: 0, count: d * d)
        var query: Float = 0
        sgesvd_("A", "A", &n, &n, &m, &n, &s, &v, &n, &ut, &n, &query, &lwork, &info, 1, 1)
        lwork = Int32(query)
        var work = [Float](repeating: 0, count: Int(lwork))
        sgesvd_("A", "A", &n, &n, &m, &n, &s, &v, &n, &ut, &n, &work, &lwork, &info, 1, 1)
        guard info == 0 else { throw Failure(description: "LAPACK sgesvd failed (info \(info))") }
        // R = U·Vᵀ = (V_lapack·Uᵀ_lapack)ᵀ: the column-major product, read row-major, is R.
        var r = [Float](repeating: 0, count: d * d)
        cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(d), Int32(d), 1, v, Int32(d), ut, Int32(d), 0, &r, Int32(d))
        return r
    }

    /// `a` rotated onto `b`: A·R.
    public static func align(_ a: [Float], onto b: [Float], rows: Int, dimension d: Int) throws -> [Float] {
        let r = try rotation(a, b, rows: rows, dimension: d)
        var out = [Float](repeating: 0, count: rows * d)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(d), Int32(d), 1, a, Int32(d), r, Int32(d), 0, &out, Int32(d))
        return out
    }
}
