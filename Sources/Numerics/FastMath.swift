import CKernels

/// Elementary functions for hot loops, backed by the vectorised C kernels in `CKernels`
/// (Swift's generic SIMD types did not lower to vector code for these loops; plain C loops do).
///
/// eˣ is computed as 2ⁿ·eʳ with Cody–Waite range reduction and a degree-6 polynomial: relative error
/// within a few ulps. Inputs are clamped to [−87.3, 88.7], so anything below −87.3 gives
/// e^−87.3 ≈ 1.2e−38 (a softmax weight of zero for all purposes).
public enum FastMath {
    @inline(__always)
    public static func exp(_ x: Float) -> Float { tl_exp(x) }

    /// The largest of `count` floats.
    @inline(__always)
    public static func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float { tl_max(x, count) }

    /// x[i] ← exp(x[i] − shift) in place; returns Σ exp(x[i] − shift). The softmax inner loop.
    @inline(__always)
    public static func expShifted(_ x: UnsafeMutablePointer<Float>, count: Int, shift: Float) -> Float {
        tl_exp_shifted(x, count, shift)
    }

    /// x[i] ← x[i] · s in place.
    @inline(__always)
    public static func scale(_ x: UnsafeMutablePointer<Float>, count: Int, by s: Float) { tl_scale(x, count, s) }
}
