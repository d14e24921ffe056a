/// The version of the arithmetic runs are computed with. A change that alters a run's numbers for the
/// same configuration, seed, thread count and BLAS kernels — not one that only changes its speed —
/// bumps it. Each run records it (`versions.numerics`), so a rerun by a build of another version is
/// known to differ for that reason, and no run resumes across a change with some of its epochs
/// computed one way and the rest another (`ResumeState`).
///
/// - 1: every build up to 61ae772.
/// - 2: a fused linear cross-entropy leaves the rows it ignores (SiATL's auxiliary LM loss: padding and
///   each text's last word) out of its products, so the tied embedding's gradient sums fewer rows, in
///   another grouping: differences in the last bits once the embedding trains.
public enum NumericsVersion {
    public static let current = 2
}
